import { beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';
import { loadDataset } from '../../src/kg/dataset.js';
import { runDataFromDataset, type RunData } from '../../src/core/training-data.js';
import { ModelRuntime } from '../../src/core/model-runtime.js';
import { Trainer, type Validator } from '../../src/core/trainer.js';
import { MemoryRunSink } from '../../src/core/memory-sink.js';
import { filteredValidator } from '../../src/eval/evaluate-run.js';
import { parseTrainingConfig } from '../../src/core/training-config.js';
import { evaluateLinkPrediction } from '../../src/eval/evaluate.js';
import { createModel } from '../../src/registry/models.js';
import { loadRun } from '../../src/registry/load-run.js';

let data: RunData;
const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-trainer-'));

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  const dir = await writeSyntheticDataset(path.join(tmp, 'graph'), { entities: 200, seed: 1 });
  data = runDataFromDataset(await loadDataset(dir, { verify: false }));
});

async function newRuntime(model = 'ComplEx', seed = 0): Promise<ModelRuntime> {
  return ModelRuntime.create(createModel(model, { dim: 32, numEntities: data.numEntities, numRelations: data.numRelations, initScale: 0.1 }), seed);
}

async function trainMrr(runtime: ModelRuntime): Promise<number> {
  const scorer = runtime.entityScorer();
  const report = await evaluateLinkPrediction(scorer, data.train, data.numRelations, data.known);
  scorer.dispose();
  return report.filtered.mrr;
}

describe('training core', () => {
  it.each([
    ['negative sampling, fused kernels', { negatives: 20, path: 'fused' }],
    ['negative sampling, tfjs path', { negatives: 20, path: 'tfjs' }],
    ['1-N scoring', { negatives: 0 }],
  ] as const)('learns a small graph (%s): train MRR > 0.9', async (_label, settings) => {
    const runtime = await newRuntime();
    const config = parseTrainingConfig({ epochs: 60, batchSize: 100, learningRate: 0.1, validEvery: 1000, patience: 0, ...settings });
    const trainer = new Trainer(runtime, data, config, path.join(tmp, `learn-${_label}`), 'wasm', { validator: filteredValidator(data) });
    const result = await trainer.run();
    expect(result.scoringPath).toBe('path' in settings ? settings.path : 'one-to-n');
    expect(await trainMrr(runtime)).toBeGreaterThan(0.9);
  });

  it('does not leak tensors over training steps', async () => {
    const runtime = await newRuntime('DistMult');
    const config = parseTrainingConfig({ epochs: 1, batchSize: 100, validEvery: 1000 });
    await new Trainer(runtime, data, config, path.join(tmp, 'leak-warmup'), 'wasm', { validator: filteredValidator(data) }).run();
    const before = tf.memory().numTensors;
    await new Trainer(runtime, data, { ...config, epochs: 3 }, path.join(tmp, 'leak'), 'wasm', { validator: filteredValidator(data) }).run();
    await new Trainer(runtime, data, { ...config, negatives: 0, epochs: 2 }, path.join(tmp, 'leak-1n'), 'wasm', { validator: filteredValidator(data) }).run();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('same seed gives the same parameters; a resumed run equals an uninterrupted one', async () => {
    const config = parseTrainingConfig({ epochs: 4, batchSize: 100, validEvery: 2, patience: 0, seed: 7 });
    const straight = await newRuntime('DistMult', 7);
    await new Trainer(straight, data, config, path.join(tmp, 'straight'), 'wasm', { validator: filteredValidator(data) }).run();
    const again = await newRuntime('DistMult', 7);
    await new Trainer(again, data, config, path.join(tmp, 'again'), 'wasm', { validator: filteredValidator(data) }).run();
    expect(Array.from(again.store.table('entity').data.array)).toEqual(Array.from(straight.store.table('entity').data.array));

    const interrupted = await newRuntime('DistMult', 7);
    await new Trainer(interrupted, data, { ...config, epochs: 2 }, path.join(tmp, 'resumed'), 'wasm', { validator: filteredValidator(data) }).run();
    const resumedRuntime = await newRuntime('DistMult', 99);
    const resumed = await Trainer.resume(resumedRuntime, data, config, path.join(tmp, 'resumed'), 'wasm', { validator: filteredValidator(data) });
    await resumed.run();
    expect(Array.from(resumedRuntime.store.table('entity').data.array)).toEqual(Array.from(straight.store.table('entity').data.array));
  });

  it('saves last after an epoch that ends checkpointSeconds after the last save, validated or not: a crash resumes from it to the same numbers', async () => {
    const config = parseTrainingConfig({ epochs: 4, batchSize: 100, validEvery: 1000, patience: 0, seed: 12 });
    const straight = await newRuntime('DistMult', 12);
    await new Trainer(straight, data, config, path.join(tmp, 'timed-straight'), 'wasm', { validator: filteredValidator(data) }).run();
    const crash = (record: { epoch: number }): void => {
      if (record.epoch === 2) throw new Error('the machine went down');
    };
    for (const [checkpointSeconds, saved] of [[600, false], [0, true]] as const) {
      const runDir = path.join(tmp, `timed-${checkpointSeconds}`);
      const crashed = new Trainer(await newRuntime('DistMult', 12), data, config, runDir, 'wasm', { validator: filteredValidator(data), checkpointSeconds });
      await expect(crashed.run({ onEpochEnd: crash })).rejects.toThrow('the machine went down');
      expect(existsSync(path.join(runDir, 'last.json')), `checkpointSeconds ${checkpointSeconds}`).toBe(saved);
    }
    const resumedRuntime = await newRuntime('DistMult', 99);
    const resumed = await Trainer.resume(resumedRuntime, data, config, path.join(tmp, 'timed-0'), 'wasm', { validator: filteredValidator(data) });
    expect((await resumed.run()).epochs).toBe(4);
    expect(Array.from(resumedRuntime.store.table('entity').data.array)).toEqual(Array.from(straight.store.table('entity').data.array));
  });

  it('a checkpoint loads back to identical scores', async () => {
    const runtime = await newRuntime('ComplEx', 3);
    const runDir = path.join(tmp, 'roundtrip');
    const config = parseTrainingConfig({ epochs: 2, batchSize: 100, validEvery: 2, patience: 0 });
    await new Trainer(runtime, data, config, runDir, 'wasm', { validator: filteredValidator(data) }).run();
    const loaded = await loadRun(runDir, 'best');
    const queries = Int32Array.from({ length: 10 }, (_, i) => i);
    const relations = new Int32Array(10);
    const a = runtime.entityScorer();
    const b = loaded.runtime.entityScorer();
    expect(Array.from(await b.scoreAll(queries, relations))).toEqual(Array.from(await a.scoreAll(queries, relations)));
    a.dispose();
    b.dispose();
    expect(loaded.header.vocab.entities).toEqual([...data.entityNames]);
  });

  it('a run from nothing drops the metrics an earlier attempt left without a checkpoint; a resumed run keeps its own', async () => {
    const runDir = path.join(tmp, 'stale-metrics');
    mkdirSync(runDir, { recursive: true });
    // an attempt quit after its first epoch, before any checkpoint: its line, and a torn one
    writeFileSync(path.join(runDir, 'metrics.jsonl'), '{"epoch":1,"loss":9,"seconds":1,"steps":3}\n{"epoch":2,"lo');
    const config = parseTrainingConfig({ epochs: 3, batchSize: 100, validEvery: 2, patience: 0 });
    await new Trainer(await newRuntime('DistMult'), data, config, runDir, 'wasm', { validator: filteredValidator(data) }).run();
    const epochs = (): number[] => readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { epoch: number }).epoch);
    expect(epochs()).toEqual([1, 2, 3]);
    expect(readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8')).not.toContain('"loss":9,');
    const resumed = await Trainer.resume(await newRuntime('DistMult'), data, { ...config, epochs: 4 }, runDir, 'wasm', { validator: filteredValidator(data) });
    await resumed.run();
    expect(epochs()).toEqual([1, 2, 3, 4]);
  });
});

describe('the learning rate on plateaus (lrDecay)', () => {
  /** A validator that reports the given MRRs, one per validation, whatever the parameters. */
  const scripted = (mrrs: number[]): Validator => {
    let i = 0;
    return async () => ({ mrr: mrrs[i++]!, 'hits@1': 0, 'hits@3': 0, 'hits@10': 0, mr: 1, seconds: 0 });
  };

  it('lowers the rate after lrPatience validations without a new best, records it, and trains with it', async () => {
    const config = parseTrainingConfig({ epochs: 3, batchSize: 100, learningRate: 0.1, validEvery: 1, patience: 0, seed: 5, lrDecay: 0.5, lrPatience: 1 });
    const scheduled = await newRuntime('DistMult', 5);
    const sink = new MemoryRunSink();
    await new Trainer(scheduled, data, config, path.join(tmp, 'plateau'), 'wasm', { validator: scripted([0.5, 0.4, 0.3]), sink }).run();
    // epoch 1 sets the best; epoch 2 is the first without one: the rate halves for epoch 3; epoch 3 halves it again
    expect(sink.metrics.map((r) => r.lr)).toEqual([0.1, 0.05, 0.025]);
    expect(sink.metrics.map((r) => r.best)).toEqual([true, undefined, undefined]);

    // the same two epochs at 0.1, then a third at 0.05 by hand: the same parameters to the last bit
    const constant = { ...config, lrDecay: 1, epochs: 2 };
    const manual = await newRuntime('DistMult', 5);
    await new Trainer(manual, data, constant, path.join(tmp, 'plateau-manual'), 'wasm', { validator: scripted([0.5, 0.4]) }).run();
    const lowered = await Trainer.resume(manual, data, { ...constant, epochs: 3, learningRate: 0.05 }, path.join(tmp, 'plateau-manual'), 'wasm', { validator: scripted([0.3]) });
    await lowered.run();
    expect(Array.from(manual.store.table('entity').data.array)).toEqual(Array.from(scheduled.store.table('entity').data.array));
  });

  it('a resumed run goes on at the rate it had reached', async () => {
    const config = parseTrainingConfig({ epochs: 4, batchSize: 100, learningRate: 0.1, validEvery: 1, patience: 0, seed: 6, lrDecay: 0.5, lrPatience: 1 });
    const straight = await newRuntime('DistMult', 6);
    await new Trainer(straight, data, config, path.join(tmp, 'plateau-straight'), 'wasm', { validator: scripted([0.5, 0.4, 0.6, 0.3]) }).run();
    const first = await newRuntime('DistMult', 6);
    await new Trainer(first, data, { ...config, epochs: 2 }, path.join(tmp, 'plateau-resumed'), 'wasm', { validator: scripted([0.5, 0.4]) }).run();
    const sink = new MemoryRunSink();
    const resumedRuntime = await newRuntime('DistMult', 99);
    await (await Trainer.resume(resumedRuntime, data, config, path.join(tmp, 'plateau-resumed'), 'wasm', { validator: scripted([0.6, 0.3]), sink })).run();
    expect(sink.metrics.map((r) => r.lr)).toEqual([0.05, 0.025]);
    expect(Array.from(resumedRuntime.store.table('entity').data.array)).toEqual(Array.from(straight.store.table('entity').data.array));
  });

  it('a run stopped early goes on when resumed with more patience, and not with the same', async () => {
    const config = parseTrainingConfig({ epochs: 6, batchSize: 100, learningRate: 0.1, validEvery: 1, patience: 1, seed: 8 });
    const dir = path.join(tmp, 'stopped');
    const first = await new Trainer(await newRuntime('DistMult', 8), data, config, dir, 'wasm', { validator: scripted([0.5, 0.4]) }).run();
    expect([first.epochs, first.stoppedEarly]).toEqual([2, true]);
    const same = await (await Trainer.resume(await newRuntime('DistMult', 8), data, config, dir, 'wasm', { validator: scripted([]) })).run();
    expect([same.epochs, same.stoppedEarly]).toEqual([2, true]);
    const more = await (await Trainer.resume(await newRuntime('DistMult', 8), data, { ...config, patience: 3 }, dir, 'wasm', { validator: scripted([0.45, 0.6, 0.55, 0.5]) })).run();
    expect([more.epochs, more.bestEpoch, more.stoppedEarly]).toEqual([6, 4, false]);
  });

  it('refuses a checkpoint whose progress is damaged, naming the file and key, and leaves the run as it was', async () => {
    const config = parseTrainingConfig({ epochs: 2, batchSize: 100, learningRate: 0.1, validEvery: 1, patience: 0, seed: 9, lrDecay: 0.5, lrPatience: 1 });
    const dir = path.join(tmp, 'damaged-progress');
    await new Trainer(await newRuntime('DistMult', 9), data, config, dir, 'wasm', { validator: scripted([0.5, 0.4]) }).run();
    const file = path.join(dir, 'last.json');
    const good = readFileSync(file, 'utf8');
    const metrics = readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8');
    expect((JSON.parse(good) as { progress: { schedule: unknown } }).progress.schedule).toEqual({ learningRate: 0.05, stale: 0 });
    const damages: Array<[string, (p: Record<string, unknown>) => void, string]> = [
      ['a negative rate', (p) => { p.schedule = { learningRate: -1, stale: 0 }; }, 'progress.schedule.learningRate: '],
      ['an epoch that is not a count', (p) => { p.epoch = 'three'; }, 'progress.epoch: '],
      ['a negative epoch', (p) => { p.epoch = -4; }, 'progress.epoch: '],
      ['no random state', (p) => { delete p.rng; }, 'progress.rng: '],
      ['a best MRR that is not a number', (p) => { p.bestMrr = 'x'; }, 'progress.bestMrr: '],
      ['an unknown optimiser', (p) => { p.optimizerName = 'lion'; }, 'progress.optimizerName: '],
    ];
    for (const [what, damage, key] of damages) {
      const header = JSON.parse(good) as { progress: Record<string, unknown> };
      damage(header.progress);
      writeFileSync(file, JSON.stringify(header));
      const resumed = Trainer.resume(await newRuntime('DistMult', 9), data, { ...config, epochs: 3 }, dir, 'wasm', { validator: scripted([0.6]) });
      await expect(resumed, what).rejects.toThrow(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ${key}.*; the checkpoint cannot be resumed$`));
      expect(readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8'), what).toBe(metrics);
    }
  });

  it('a schedule that starts on resume counts the validations since the best, so a plateaued run is lowered at once', async () => {
    const config = parseTrainingConfig({ epochs: 4, batchSize: 100, learningRate: 0.1, validEvery: 1, patience: 1, seed: 10 });
    const dir = path.join(tmp, 'plateau-later');
    expect((await new Trainer(await newRuntime('DistMult', 10), data, config, dir, 'wasm', { validator: scripted([0.5, 0.4]) }).run()).stoppedEarly).toBe(true);
    const sink = new MemoryRunSink();
    const resumed = await Trainer.resume(await newRuntime('DistMult', 10), data, { ...config, patience: 3, lrDecay: 0.5, lrPatience: 2 }, dir, 'wasm', { validator: scripted([0.45, 0.42]), sink });
    const result = await resumed.run();
    // one validation without a new best before the resume, one after it: two, so the rate halves at epoch 3's validation
    expect(sink.metrics.map((r) => r.lr)).toEqual([0.05, 0.05]);
    expect([result.epochs, result.stoppedEarly]).toEqual([4, true]); // the third validation without a new best ends it
  });

  it('a run resumed with a patience it has used up stops at once', async () => {
    const config = parseTrainingConfig({ epochs: 6, batchSize: 100, learningRate: 0.1, validEvery: 1, patience: 5, seed: 11 });
    const dir = path.join(tmp, 'used-up');
    const first = await new Trainer(await newRuntime('DistMult', 11), data, { ...config, epochs: 3 }, dir, 'wasm', { validator: scripted([0.5, 0.4, 0.3]) }).run();
    expect([first.epochs, first.stoppedEarly]).toEqual([3, false]);
    const again = await (await Trainer.resume(await newRuntime('DistMult', 11), data, { ...config, patience: 2 }, dir, 'wasm', { validator: scripted([]) })).run();
    expect([again.epochs, again.stoppedEarly]).toEqual([3, true]);
  });
});

describe('validation and the best epoch', () => {
  /** A validator that reports the given MRRs, one per validation, whatever the parameters. */
  const scripted = (mrrs: number[]): Validator => {
    let i = 0;
    return async () => ({ mrr: mrrs[i++]!, 'hits@1': 0, 'hits@3': 0, 'hits@10': 0, mr: 1, seconds: 0 });
  };

  it('a validation MRR equal to the best is no new best: it counts against patience', async () => {
    // epoch 1: 0.5 is the best; epoch 2: 0.5 again is not above it → one bad validation = patience 1 → stop after epoch 2
    const config = parseTrainingConfig({ epochs: 3, batchSize: 100, learningRate: 0.1, validEvery: 1, patience: 1, seed: 12 });
    const sink = new MemoryRunSink();
    const result = await new Trainer(await newRuntime('DistMult', 12), data, config, path.join(tmp, 'equal-mrr'), 'wasm', { validator: scripted([0.5, 0.5, 0.4]), sink }).run();
    expect(sink.metrics.map((r) => r.best)).toEqual([true, undefined]);
    expect([result.epochs, result.bestEpoch, result.bestValidMrr, result.stoppedEarly]).toEqual([2, 1, 0.5, true]);
  });

  it('the last epoch is validated when it is not a multiple of validEvery', async () => {
    // epochs 3, validEvery 2: validations after epoch 2 (0.1) and after the last, epoch 3 (0.2), which is the best
    const config = parseTrainingConfig({ epochs: 3, batchSize: 100, learningRate: 0.1, validEvery: 2, patience: 0, seed: 13 });
    const sink = new MemoryRunSink();
    const result = await new Trainer(await newRuntime('DistMult', 13), data, config, path.join(tmp, 'last-validated'), 'wasm', { validator: scripted([0.1, 0.2]), sink }).run();
    expect(sink.metrics.map((r) => r.valid?.mrr)).toEqual([undefined, 0.1, 0.2]);
    expect(sink.metrics.map((r) => r.best)).toEqual([undefined, true, true]);
    expect([result.epochs, result.bestEpoch, result.bestValidMrr]).toEqual([3, 3, 0.2]);
  });
});

describe('an in-memory sink', () => {
  it('keeps the trainer off the file system: no path is built, no directory made (a browser has neither)', async () => {
    const config = parseTrainingConfig({ epochs: 2, batchSize: 100, learningRate: 0.1, validEvery: 1, patience: 0, seed: 3 });
    const runtime = await newRuntime('DistMult', 3);
    const runDir = path.join(tmp, 'never-made');
    const join = vi.spyOn(path, 'join');
    try {
      const sink = new MemoryRunSink();
      const result = await new Trainer(runtime, data, config, runDir, 'wasm', { validator: async () => ({ mrr: 0.5, 'hits@1': 0, 'hits@3': 0, 'hits@10': 0, mr: 1, seconds: 0 }), sink }).run();
      expect(result.epochs).toBe(2);
      expect(sink.metrics.map((r) => r.epoch)).toEqual([1, 2]);
      expect(join.mock.calls).toEqual([]);
    } finally {
      join.mockRestore();
    }
    expect(existsSync(runDir)).toBe(false);
  });
});
