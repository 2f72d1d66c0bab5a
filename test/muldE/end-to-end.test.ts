import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';
import { loadDataset } from '../../src/kg/dataset.js';
import { runDataFromDataset, type RunData } from '../../src/core/training-data.js';
import { ModelRuntime } from '../../src/core/model-runtime.js';
import { Trainer, type EpochRecord } from '../../src/core/trainer.js';
import { selectQueries, trainingQueries } from '../../src/core/batch.js';
import { kgeObjective } from '../../src/core/kge-objective.js';
import { BCE_LOSS, type SampledLoss } from '../../src/core/losses.js';
import { parseTrainingConfig } from '../../src/core/training-config.js';
import { evaluateSplit, filteredValidator } from '../../src/eval/evaluate-run.js';
import { SeededRandom } from '../../src/core/random.js';
import { createModel } from '../../src/registry/models.js';
import { TeacherEnsemble } from '../../src/muldE/teacher-ensemble.js';
import { MuldeObjective, recordedJuniorLoss, type MuldeSettings } from '../../src/muldE/muldE-objective.js';
import { randomRankingMrr } from '../general/random-ranking.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-mulde-'));
let data: RunData;
const teacherDir = path.join(tmp, 'teacher');
const settings: MuldeSettings = { topK: 32, negatives: 50, kdWeight: 0.5, temperature: 1, seniorLearningRate: 0.05, mechanisms: { scaling: true, attention: true } };

function student(seed: number): Promise<ModelRuntime> {
  return ModelRuntime.create(createModel('RotH', { dim: 4, numEntities: data.numEntities, numRelations: data.numRelations }), seed);
}

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  data = runDataFromDataset(await loadDataset(await writeSyntheticDataset(path.join(tmp, 'graph'), { entities: 200, seed: 0 }), { verify: false }));
  const teacher = await ModelRuntime.create(createModel('RotH', { dim: 32, numEntities: data.numEntities, numRelations: data.numRelations }), 1);
  await new Trainer(teacher, data, parseTrainingConfig({ epochs: 50, batchSize: 100, validEvery: 50, patience: 0, learningRate: 0.05 }), teacherDir, 'wasm', { validator: filteredValidator(data) }).run();
}, 300_000);

describe('MulDE end to end', () => {
  it('distillation from a strong teacher measurably helps a weak student (same epochs, same seed)', async () => {
    const config = parseTrainingConfig({ epochs: 40, batchSize: 100, validEvery: 40, patience: 0, learningRate: 0.05, seed: 3 });
    const alone = await student(3);
    await new Trainer(alone, data, config, path.join(tmp, 'alone'), 'wasm', { validator: filteredValidator(data) }).run();
    const distilled = await student(3);
    const objective = new MuldeObjective(distilled, await TeacherEnsemble.load([teacherDir], data, 'wasm'), settings, 'wasm');
    const records: EpochRecord[] = [];
    await new Trainer(distilled, data, config, path.join(tmp, 'distilled'), 'wasm', { validator: filteredValidator(data), objective }).run({ onEpochEnd: (r) => records.push(r) });
    const mrrAlone = (await evaluateSplit(alone, data, 'test')).filtered.mrr;
    const mrrDistilled = (await evaluateSplit(distilled, data, 'test')).filtered.mrr;
    // Measured (wasm, this seed): alone 0.064, distilled 0.210.
    expect(mrrDistilled).toBeGreaterThan(mrrAlone + 0.08);
    // every epoch records its loss terms, which make its loss (junior + senior + λ·kd)
    expect(records).toHaveLength(40);
    for (const { loss, terms } of records) {
      expect(terms!.kd).toBeGreaterThan(0);
      expect(terms!.junior + terms!.senior + settings.kdWeight * terms!.kd).toBeCloseTo(loss, 5);
    }
    expect(objective.terms.batches).toBe(0); // taken at each epoch's end
    // The Senior's gates moved away from their initial σ(1) for at least one relation.
    expect(Array.from(objective.gates()).some((g) => Math.abs(g - 1 / (1 + Math.exp(-1))) > 1e-3)).toBe(true);
  }, 300_000);

  it("the Junior's hard loss draws double negatives when asked, as the core's objective does (and single ones by default)", async () => {
    const teachers = await TeacherEnsemble.load([teacherDir], data, 'wasm');
    const batch = selectQueries(trainingQueries(data.train, data.numRelations), Int32Array.from({ length: 100 }, (_, i) => i));
    const junior = async (): Promise<ModelRuntime> => { // spread entities apart, so that the negatives' scores differ
      const runtime = await student(7);
      const entities = runtime.store.table('entity').data.array;
      for (let i = 0; i < entities.length; i++) entities[i] = 0.05 * Math.sin(1.7 * i);
      return runtime;
    };
    const juniorLoss = async (doubleNegatives?: boolean): Promise<number> => {
      const objective = new MuldeObjective(await junior(), teachers, { ...settings, doubleNegatives }, 'wasm');
      objective.gradients(batch, 1, new SeededRandom(11));
      return objective.terms.junior;
    };
    const coreLoss = async (doubleNegatives: boolean): Promise<number> =>
      kgeObjective(await junior(), { negatives: settings.negatives, doubleNegatives, regularizer: 'none', regularizerWeight: 0, path: 'auto' }, 'wasm')
        .gradients(batch, 1, new SeededRandom(11));
    const [single, double] = [await coreLoss(false), await coreLoss(true)];
    expect(Math.abs(single - double)).toBeGreaterThan(1e-4); // the two kinds of negatives give different losses here
    expect(await juniorLoss()).toBeCloseTo(single, 6);
    expect(await juniorLoss(false)).toBeCloseTo(single, 6);
    expect(await juniorLoss(true)).toBeCloseTo(double, 6);
  }, 60_000);

  it("the Junior's hard loss is the one its settings name (BCE by default), recorded in checkpoints (BCE where a checkpoint from before records none); restored into another loss, an error", async () => {
    const teachers = await TeacherEnsemble.load([teacherDir], data, 'wasm');
    const batch = selectQueries(trainingQueries(data.train, data.numRelations), Int32Array.from({ length: 100 }, (_, i) => i));
    const junior = async (): Promise<ModelRuntime> => {
      const runtime = await student(7);
      const entities = runtime.store.table('entity').data.array;
      for (let i = 0; i < entities.length; i++) entities[i] = 0.05 * Math.sin(1.7 * i);
      return runtime;
    };
    const nssa: SampledLoss = { loss: 'nssa', margin: 2, adversarialTemperature: 0.5 };
    const coreLoss = async (loss: SampledLoss): Promise<number> =>
      kgeObjective(await junior(), { negatives: settings.negatives, doubleNegatives: false, loss, regularizer: 'none', regularizerWeight: 0, path: 'auto' }, 'wasm')
        .gradients(batch, 1, new SeededRandom(11));
    const juniorLoss = async (objective: MuldeObjective): Promise<number> => {
      objective.gradients(batch, 1, new SeededRandom(11));
      return objective.terms.junior;
    };
    const [bce, selfAdversarial] = [await coreLoss(BCE_LOSS), await coreLoss(nssa)];
    expect(Math.abs(bce - selfAdversarial)).toBeGreaterThan(1e-3);
    const withNssa = new MuldeObjective(await junior(), teachers, { ...settings, loss: nssa }, 'wasm');
    expect(await juniorLoss(withNssa)).toBeCloseTo(selfAdversarial, 6);
    expect(await juniorLoss(new MuldeObjective(await junior(), teachers, settings, 'wasm'))).toBeCloseTo(bce, 6);
    // the checkpoint records [loss, γ, α]; a resumed run takes its loss from there (recordedJuniorLoss, run-job.ts)
    const saved = withNssa.checkpointArrays();
    expect(Array.from(saved['junior-loss']!)).toEqual([1, 2, 0.5]);
    expect(recordedJuniorLoss(saved, 'last.json')).toEqual(nssa);
    new MuldeObjective(await junior(), teachers, { ...settings, loss: nssa }, 'wasm').restoreArrays(saved, 'last.json');
    const withBce = new MuldeObjective(await junior(), teachers, settings, 'wasm');
    expect(() => withBce.restoreArrays(saved, 'last.json')).toThrow('last.json: the Junior trained with nssa (γ = 2, α = 0.5), not the bce it was given to resume with');
    // a checkpoint from before the record trained its Junior with BCE, whatever its header says
    const before = Object.fromEntries(Object.entries(saved).filter(([name]) => name !== 'junior-loss'));
    expect(recordedJuniorLoss(before, 'last.json')).toEqual(BCE_LOSS);
    withBce.restoreArrays(before, 'last.json');
    expect(() => withNssa.restoreArrays(before, 'last.json')).toThrow('last.json: the Junior trained with bce, not the nssa (γ = 2, α = 0.5) it was given to resume with');
    expect(() => recordedJuniorLoss({ ...saved, 'junior-loss': Float32Array.of(7, 0, 1) }, 'last.json')).toThrow('last.json: the array junior-loss does not record a Junior loss (got 7, 0, 1)');
  }, 60_000);

  it('the candidate cache refreshes all queries every R epochs; R = 1 stays close to per-iteration MulDE', async () => {
    const config = parseTrainingConfig({ epochs: 3, batchSize: 100, validEvery: 3, patience: 0, learningRate: 0.05, seed: 5 });
    const queries = trainingQueries(data.train, data.numRelations);
    const teachers = await TeacherEnsemble.load([teacherDir], data, 'wasm');
    const mrr: number[] = [];
    const refreshes: number[] = [];
    for (const refreshEvery of [0, 1, 2]) {
      const runtime = await student(5);
      const objective = new MuldeObjective(runtime, teachers, { ...settings, refreshEvery, trainingQueries: queries }, 'wasm');
      await new Trainer(runtime, data, config, path.join(tmp, `cache-${refreshEvery}`), 'wasm', { validator: filteredValidator(data), objective }).run();
      expect(runtime.store.table('entity').data.array.every(Number.isFinite)).toBe(true);
      mrr.push((await evaluateSplit(runtime, data, 'valid')).filtered.mrr);
      refreshes.push(objective.refreshes);
    }
    expect(refreshes).toEqual([0, 3, 2]); // R = 2 over epochs 1–3: epochs 1 and 3
    // Measured (wasm, this seed, 3 epochs of a d = 4 student): per-iteration 0.0753, R = 1 0.0671, R = 2 0.0620; a random
    // ranking of the 200 entities 0.029.
    for (const m of mrr) expect(m).toBeGreaterThan(1.5 * randomRankingMrr(data.numEntities)); // every run learns
    expect(Math.abs(mrr[1]! - mrr[0]!)).toBeLessThan(0.03);
    expect(Math.abs(mrr[2]! - mrr[0]!)).toBeLessThan(0.03);
  }, 120_000);

  it('a run with cached candidates resumed between two refreshes equals the uninterrupted run', async () => {
    // R = 3: refreshes at epochs 1 and 4; the checkpoint of epoch 4 resumes at epoch 5, between two refreshes.
    const config = (epochs: number) => parseTrainingConfig({ epochs, batchSize: 100, validEvery: 2, patience: 0, learningRate: 0.05, seed: 6 });
    const queries = trainingQueries(data.train, data.numRelations);
    const teachers = await TeacherEnsemble.load([teacherDir], data, 'wasm');
    const distil = async (dir: string, epochs: number, resume: boolean): Promise<{ entity: Float32Array; refreshes: number }> => {
      const runtime = await student(6);
      const objective = new MuldeObjective(runtime, teachers, { ...settings, refreshEvery: 3, trainingQueries: queries }, 'wasm');
      const options = { validator: filteredValidator(data), objective };
      const trainer = resume ? await Trainer.resume(runtime, data, config(epochs), dir, 'wasm', options) : new Trainer(runtime, data, config(epochs), dir, 'wasm', options);
      await trainer.run();
      return { entity: runtime.store.table('entity').data.array.slice(), refreshes: objective.refreshes };
    };
    const straight = await distil(path.join(tmp, 'resume-straight'), 6, false);
    expect(straight.refreshes).toBe(2);
    await distil(path.join(tmp, 'resume-split'), 4, false);
    const resumed = await distil(path.join(tmp, 'resume-split'), 6, true);
    expect(resumed.refreshes).toBe(1); // the epoch-4 candidates rebuilt from the checkpointed snapshot, no new pick
    expect(Array.from(resumed.entity)).toEqual(Array.from(straight.entity));
  }, 120_000);

  it('a run interrupted inside an epoch and resumed logs the loss terms of the run left alone', async () => {
    const config = parseTrainingConfig({ epochs: 3, batchSize: 100, validEvery: 3, patience: 0, learningRate: 0.05, seed: 8 });
    const teachers = await TeacherEnsemble.load([teacherDir], data, 'wasm');
    const distil = async (dir: string, resume: boolean, stopAtStep?: number): Promise<EpochRecord[]> => {
      const runtime = await student(8);
      const options = { validator: filteredValidator(data), objective: new MuldeObjective(runtime, teachers, settings, 'wasm') };
      const trainer = resume ? await Trainer.resume(runtime, data, config, dir, 'wasm', options) : new Trainer(runtime, data, config, dir, 'wasm', options);
      const records: EpochRecord[] = [];
      let steps = 0;
      await trainer.run({ onEpochEnd: (r) => records.push(r) }, () => ++steps === stopAtStep);
      return records;
    };
    const straight = await distil(path.join(tmp, 'terms-straight'), false);
    const perEpoch = Math.ceil(2 * data.train.length / 3 / 100); // the steps of an epoch: each triple's two queries, batches of 100
    const before = await distil(path.join(tmp, 'terms-split'), false, perEpoch + 3); // stops inside epoch 2
    expect(before).toHaveLength(1);
    const after = await distil(path.join(tmp, 'terms-split'), true);
    expect(after.map((r) => [r.epoch, r.loss, r.terms])).toEqual(straight.slice(1).map((r) => [r.epoch, r.loss, r.terms]));
    for (const { loss, terms } of after) expect(terms!.junior + terms!.senior + settings.kdWeight * terms!.kd).toBeCloseTo(loss, 6);
  }, 120_000);

  it('the fused Senior/KD path (kernels + JS) gives the tfjs reference gradients', async () => {
    // two teachers (the attention needs more than one): the run's best checkpoint, and its last one in a copy without best.json
    const lastOnly = path.join(tmp, 'teacher-last');
    cpSync(teacherDir, lastOnly, { recursive: true });
    for (const name of readdirSync(lastOnly).filter((n) => n.startsWith('best'))) rmSync(path.join(lastOnly, name));
    const teachers = await TeacherEnsemble.load([teacherDir, lastOnly], data, 'wasm');
    const queries = trainingQueries(data.train, data.numRelations);
    const batch = { entities: queries.entities.subarray(0, 64), relations: queries.relations.subarray(0, 64), answers: queries.answers.subarray(0, 64) };
    const grads: Record<string, Float32Array>[] = [];
    const losses: number[] = [];
    for (const p of ['fused', 'tfjs'] as const) {
      const runtime = await student(7);
      const objective = new MuldeObjective(runtime, teachers, { ...settings, path: p }, 'wasm');
      expect(objective.scoringPath).toBe(p);
      losses.push(objective.gradients(batch, 7, new SeededRandom(11)));
      grads.push(Object.fromEntries(runtime.store.tables().map((t) => [t.spec.name, t.grad.array.slice()])));
    }
    expect(losses[0]).toBeCloseTo(losses[1]!, 4);
    for (const [name, fused] of Object.entries(grads[0]!)) {
      const ref = grads[1]![name]!;
      const scale = Math.max(1e-6, ...Array.from(ref, Math.abs));
      for (let i = 0; i < ref.length; i++) expect(Math.abs(fused[i]! - ref[i]!) / scale, `${name}[${i}]`).toBeLessThan(2e-3);
    }
  });

  it.each(['DistMult', 'ComplEx', 'TransE'])('any model of the core can be the Junior: %s (fused and tfjs paths agree)', async (name) => {
    const teachers = await TeacherEnsemble.load([teacherDir], data, 'wasm');
    const queries = trainingQueries(data.train, data.numRelations);
    const batch = { entities: queries.entities.subarray(0, 32), relations: queries.relations.subarray(0, 32), answers: queries.answers.subarray(0, 32) };
    const entityGrads: Float32Array[] = [];
    for (const p of ['auto', 'tfjs'] as const) {
      const runtime = await ModelRuntime.create(createModel(name, { dim: 8, numEntities: data.numEntities, numRelations: data.numRelations }), 3);
      const objective = new MuldeObjective(runtime, teachers, { ...settings, path: p }, 'wasm');
      expect(Number.isFinite(objective.gradients(batch, 1, new SeededRandom(2)))).toBe(true);
      entityGrads.push(runtime.store.table('entity').grad.array.slice());
    }
    const scale = Math.max(...Array.from(entityGrads[1]!, Math.abs));
    expect(scale).toBeGreaterThan(0);
    for (let i = 0; i < entityGrads[1]!.length; i++) expect(Math.abs(entityGrads[0]![i]! - entityGrads[1]![i]!) / scale).toBeLessThan(2e-3);
  });

  it('rejects bad input before training: missing teacher, other vocabulary, K too large', async () => {
    await expect(TeacherEnsemble.load([path.join(tmp, 'nowhere')], data, 'wasm')).rejects.toThrow(/nowhere: no such directory/);
    mkdirSync(path.join(tmp, 'empty-teacher'), { recursive: true });
    await expect(TeacherEnsemble.load([path.join(tmp, 'empty-teacher')], data, 'wasm')).rejects.toThrow(/empty-teacher: no checkpoint in this directory/);
    const other = runDataFromDataset(await loadDataset(await writeSyntheticDataset(path.join(tmp, 'other'), { entities: 120, seed: 2 }), { verify: false }));
    // the first entity that differs is named (two vocabularies of one size read "300 differ from 300" before)
    await expect(TeacherEnsemble.load([teacherDir], other, 'wasm')).rejects.toThrow(/: the checkpoint's \d+ entities differ from the dataset's 120 \(id \d+: '[^']+' in the checkpoint, ('[^']+'|none) in the dataset\); another dataset, or another --unseen policy\?$/);
    const teachers = await TeacherEnsemble.load([teacherDir], data, 'wasm');
    expect(() => new MuldeObjective({ model: { config: { numEntities: data.numEntities, numRelations: data.numRelations } } } as unknown as ModelRuntime, teachers, { ...settings, topK: data.numEntities + 1 }, 'wasm'))
      .toThrow(/--top-k must be between 1 and the number of entities/);
  });
});
