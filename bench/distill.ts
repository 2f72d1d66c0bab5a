/**
 * `npm run bench:distill`: the cost of MulDE distillation epochs against the same student's plain epochs, as the
 * trainer runs them (fused kernels, batch 500, 255 negatives), on WN18RR or the dataset given. The teachers are
 * trained runs (their directories as the first argument); the Junior is a fresh RotH of the given dimension.
 * The figure is the ratio of epoch times (a distillation epoch ≤ 2× the student's plain epoch). Timed:
 * - plain epochs (the student alone) and MulDE epochs with the candidate cache refreshed every R epochs, each over
 *   R epochs (one refresh in them) so that the mean includes the refresh;
 * - per-iteration MulDE (--refresh-every 0, the paper's regime) over `--steps` batches, scaled to an epoch.
 * Usage: node dist/bench/distill.js <teacher run dir,…> [--dataset WN18RR] [--dim 8] [--top-k 100]
 *        [--refresh 1,5,10] [--steps 20]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { initBackend } from '../src/core/backend.js';
import { loadDataset } from '../src/kg/dataset.js';
import { runDataFromDataset } from '../src/core/training-data.js';
import { ModelRuntime } from '../src/core/model-runtime.js';
import { TableOptimizer } from '../src/core/optimizers.js';
import { SeededRandom } from '../src/core/random.js';
import type { TrainingObjective } from '../src/core/training-objective.js';
import { filteredValidator } from '../src/eval/evaluate-run.js';
import { parseTrainingConfig } from '../src/core/training-config.js';
import { Trainer } from '../src/core/trainer.js';
import { trainingQueries } from '../src/core/batch.js';
import { createModel } from '../src/registry/models.js';
import { TeacherEnsemble } from '../src/muldE/teacher-ensemble.js';
import { MuldeObjective, type MuldeSettings } from '../src/muldE/muldE-objective.js';
import { benchArgs } from './args.js';
import { exitOnHelp } from './help.js';

exitOnHelp(import.meta.url);

const { values: options, positionals } = benchArgs('distill', {
  flags: {
    dataset: { type: 'string', default: 'WN18RR' },
    dim: { type: 'integer', default: 8, min: 1 },
    'top-k': { type: 'integer', default: 100, min: 1 },
    steps: { type: 'integer', default: 20, min: 1 },
    refresh: { type: 'integers', default: '1,5,10', min: 1 },
  },
  positionals: { usage: 'one word, the teachers\' run directories comma-separated', max: 1 },
});
const teacherDirs = (positionals[0] ?? '').split(',').filter((s) => s !== '');
if (teacherDirs.length === 0) {
  process.stderr.write('usage: node dist/bench/distill.js <teacher run dir,…> [--dataset WN18RR] [--dim 8] [--top-k 100] [--refresh 1,5,10] [--steps 20]\n');
  process.exit(2);
}
const { dataset: datasetName, dim, 'top-k': topK, steps, refresh: refreshes } = options;
const negatives = 255;
const batchSize = 500;

const backend = await initBackend('auto');
const data = runDataFromDataset(await loadDataset(datasetName, { unseen: 'keep' }));
const queries = trainingQueries(data.train, data.numRelations);
const teachers = await TeacherEnsemble.load(teacherDirs, data, backend);
const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-bench-distill-'));
const student = (): Promise<ModelRuntime> =>
  ModelRuntime.create(createModel('RotH', { dim, numEntities: data.numEntities, numRelations: data.numRelations }), 0);
const settings: MuldeSettings = { topK, negatives, kdWeight: 0.01, temperature: 1, seniorLearningRate: 5e-4, mechanisms: { scaling: true, attention: true } };

/** Mean seconds per epoch of `epochs` trainer epochs (no validation) with the given objective. */
async function epochSeconds(epochs: number, make?: (runtime: ModelRuntime) => TrainingObjective): Promise<number> {
  const runtime = await student();
  const config = parseTrainingConfig({ negatives, batchSize, epochs, validEvery: epochs + 1, patience: 0, optimizer: 'adam', learningRate: 1e-3, seed: 0 });
  const out = path.join(tmp, `run-${Math.random().toString(36).slice(2)}`);
  const result = await new Trainer(runtime, data, config, out, backend, { validator: filteredValidator(data), objective: make?.(runtime) }).run();
  return result.seconds / epochs;
}

/** Per-iteration MulDE: median step time over `steps` batches, scaled to an epoch's batches. */
async function perIterationEpochSeconds(): Promise<number> {
  const runtime = await student();
  const objective = new MuldeObjective(runtime, teachers, settings, backend);
  const optimizer = new TableOptimizer('adam', 1e-3, runtime.store, runtime.kernels);
  const rng = new SeededRandom(1);
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const range = (a: Int32Array): Int32Array => a.subarray(i * batchSize, (i + 1) * batchSize);
    const t0 = performance.now();
    objective.gradients({ entities: range(queries.entities), relations: range(queries.relations), answers: range(queries.answers) }, 1, rng);
    optimizer.step();
    objective.afterStep();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return (times[Math.floor(times.length / 2)]! * Math.ceil(queries.entities.length / batchSize)) / 1000;
}

const plain = await epochSeconds(3);
const rows: Record<string, string | number>[] = [{ regime: 'student alone', epochSeconds: +plain.toFixed(2), ratio: 1 }];
const perIteration = await perIterationEpochSeconds();
rows.push({ regime: 'MulDE, top-K every iteration (paper)', epochSeconds: +perIteration.toFixed(1), ratio: +(perIteration / plain).toFixed(2) });
for (const R of refreshes) {
  const seconds = await epochSeconds(Math.max(R, 2), (runtime) => new MuldeObjective(runtime, teachers, { ...settings, refreshEvery: R, trainingQueries: queries }, backend));
  rows.push({ regime: `MulDE, --refresh-every ${R}`, epochSeconds: +seconds.toFixed(2), ratio: +(seconds / plain).toFixed(2) });
}
rmSync(tmp, { recursive: true, force: true });
console.table(rows);
console.log(JSON.stringify({ bench: 'distill', date: new Date().toISOString(), dataset: datasetName, student: `RotH d=${dim}`, teachers: teachers.names, topK, negatives, backend, rows }));
