/**
 * `npm run bench:distill`: the cost of a MulDE distillation step against the same student's plain step, on
 * WN18RR (or the dataset given), batch 500, as the trainer runs them (fused kernels). The teachers are trained runs
 * (their directories as arguments); the Junior is a fresh RotH of the given dimension. The figure is
 * the ratio (a distillation epoch ≤ 2× the student's plain epoch); per-step parts are timed too.
 * Usage: node dist/bench/distill.js <teacher run dir,…> [--dataset WN18RR] [--dim 32] [--top-k 500] [--steps 20]
 */
import { initBackend } from '../src/core/backend.js';
import { loadDataset } from '../src/kg/dataset.js';
import { runDataFromDataset } from '../src/core/training-data.js';
import { ModelRuntime } from '../src/core/model-runtime.js';
import { TableOptimizer } from '../src/core/optimizers.js';
import { SeededRandom } from '../src/core/random.js';
import { kgeObjective } from '../src/core/training-objective.js';
import { parseTrainingConfig } from '../src/core/training-config.js';
import { trainingQueries } from '../src/core/trainer.js';
import type { TrainingObjective } from '../src/core/training-objective.js';
import { createModel } from '../src/models/registry.js';
import { TeacherEnsemble } from '../src/muldE/teacher-ensemble.js';
import { MuldeObjective } from '../src/muldE/muldE-objective.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : fallback;
};
const teacherDirs = (args[0] ?? '').split(',').filter((s) => s !== '');
const datasetName = flag('--dataset', 'WN18RR');
const dim = Number(flag('--dim', '32'));
const topK = Number(flag('--top-k', '500'));
const steps = Number(flag('--steps', '20'));
const negatives = Number(flag('--neg', '255'));

const backend = await initBackend('auto');
const data = runDataFromDataset(await loadDataset(datasetName, { unseen: 'keep' }));
const queries = trainingQueries(data.train, data.numRelations);
const batchSize = 500;

async function timeObjective(make: (runtime: ModelRuntime) => Promise<TrainingObjective>, cachedPass = false): Promise<number> {
  const runtime = await ModelRuntime.create(createModel('RotH', { dim, numEntities: data.numEntities, numRelations: data.numRelations }), 0);
  const objective = await make(runtime);
  const optimizer = new TableOptimizer('adam', 5e-4, runtime.store, runtime.kernels);
  const rng = new SeededRandom(1);
  const times: number[] = [];
  // With the cache, a first pass (epoch 1) fills it and the timed pass runs in epoch 2, when entries are reused.
  for (const epoch of cachedPass ? [1, 2] : [1]) {
    for (let i = 0; i < steps + 3; i++) {
      const start = i * batchSize;
      const range = (a: Int32Array): Int32Array => a.subarray(start, start + batchSize);
      const indices = Int32Array.from({ length: batchSize }, (_, j) => start + j);
      const batch = { entities: range(queries.entities), relations: range(queries.relations), answers: range(queries.answers), indices };
      const t0 = performance.now();
      objective.gradients(batch, epoch, rng);
      optimizer.step();
      objective.afterStep?.();
      if (i >= 3 && epoch === (cachedPass ? 2 : 1)) times.push(performance.now() - t0);
    }
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const config = parseTrainingConfig({ negatives, optimizer: 'adam', learningRate: 5e-4 });
const plainMs = await timeObjective(async (runtime) => kgeObjective(runtime, config, backend));
const teachers = await TeacherEnsemble.load(teacherDirs, data, backend);
const settings = { topK, negatives, kdWeight: 0.01, temperature: 1, seniorLearningRate: 5e-4, mechanisms: { scaling: true, attention: true } };
const distillMs = await timeObjective(async (runtime) => new MuldeObjective(runtime, teachers, settings, backend));
// The cached regime (--refresh-every R): the step cost in epochs that reuse candidates.
const cachedMs = await timeObjective(async (runtime) => new MuldeObjective(runtime, teachers, { ...settings, refreshEvery: 10, numTrainingQueries: queries.entities.length }, backend), true);
const stepsPerEpoch = Math.ceil(queries.entities.length / batchSize);
const row = {
  dataset: datasetName, student: `RotH d=${dim}`, teachers: teachers.names, topK, negatives, backend,
  plainStepMs: +plainMs.toFixed(2), distillStepMs: +distillMs.toFixed(2), ratio: +(distillMs / plainMs).toFixed(2),
  cachedStepMs: +cachedMs.toFixed(2), cachedRatio: +(cachedMs / plainMs).toFixed(2),
  /** Epoch cost with --refresh-every 10: one refreshing epoch in ten. */
  ratioRefreshEvery10: +((distillMs + 9 * cachedMs) / 10 / plainMs).toFixed(2),
  plainEpochSeconds: +((plainMs * stepsPerEpoch) / 1000).toFixed(1), distillEpochSeconds: +((distillMs * stepsPerEpoch) / 1000).toFixed(1),
};
console.table([row]);
console.log(JSON.stringify({ bench: 'distill', date: new Date().toISOString(), ...row }));
