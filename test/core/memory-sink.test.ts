import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { initBackend } from '../../src/core/backend.js';
import { loadCheckpoint } from '../../src/core/checkpoint.js';
import { MemoryRunSink } from '../../src/core/memory-sink.js';
import { ModelRuntime } from '../../src/core/model-runtime.js';
import { Trainer } from '../../src/core/trainer.js';
import { parseTrainingConfig } from '../../src/core/training-config.js';
import { runDataFromDataset, type RunData } from '../../src/core/training-data.js';
import { filteredValidator } from '../../src/eval/evaluate-run.js';
import { loadDataset } from '../../src/kg/dataset.js';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';
import { createModel } from '../../src/registry/models.js';
import { tempDir } from '../lookup/helpers.js';

const tmp = tempDir('memory-sink');
let data: RunData;

beforeAll(async () => {
  await initBackend('wasm');
  data = runDataFromDataset(await loadDataset(await writeSyntheticDataset(path.join(tmp, 'graph'), { entities: 150, seed: 2 }), { verify: false }));
});

const runtime = (): Promise<ModelRuntime> => ModelRuntime.create(createModel('RotH', { dim: 8, numEntities: data.numEntities, numRelations: data.numRelations }), 3);

describe('the trainer\'s sink: a run kept in memory', () => {
  it('gives the same checkpoints and metrics as a run directory, and touches no file', async () => {
    const config = parseTrainingConfig({ epochs: 6, batchSize: 128, learningRate: 0.1, validEvery: 3, patience: 0, seed: 3 });
    const dir = path.join(tmp, 'on-disk');
    const onDisk = await new Trainer(await runtime(), data, config, dir, 'wasm', { validator: filteredValidator(data) }).run();

    const sink = new MemoryRunSink();
    const nowhere = path.join(tmp, 'never-written');
    const inMemory = await new Trainer(await runtime(), data, config, nowhere, 'wasm', { validator: filteredValidator(data), sink }).run();
    expect(existsSync(nowhere)).toBe(false);

    expect(inMemory.bestValidMrr).toBe(onDisk.bestValidMrr);
    expect(inMemory.epochs).toBe(6);
    const lines = readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { epoch: number; loss: number; valid?: { mrr: number } });
    expect(sink.metrics.map((r) => [r.epoch, r.loss, r.valid?.mrr])).toEqual(lines.map((r) => [r.epoch, r.loss, r.valid?.mrr]));
    for (const stem of ['best', 'last'] as const) {
      const saved = await loadCheckpoint(dir, stem);
      const kept = sink.checkpoint(stem)!;
      expect(Object.keys(kept.arrays).sort()).toEqual(Object.keys(saved.arrays).sort());
      for (const [name, values] of Object.entries(saved.arrays)) expect(Array.from(kept.arrays[name]!)).toEqual(Array.from(values));
      expect(kept.header.progress).toEqual(saved.header.progress);
    }
  });

  it('keeps copies: later training does not change a saved checkpoint', async () => {
    const sink = new MemoryRunSink();
    const rt = await runtime();
    await new Trainer(rt, data, parseTrainingConfig({ epochs: 2, batchSize: 128, validEvery: 1, patience: 0, seed: 3 }), path.join(tmp, 'x'), 'wasm', { validator: null, sink }).run();
    const best = Array.from(sink.checkpoint('best')!.arrays['param:entity']!);
    rt.store.table('entity').data.array.fill(0);
    expect(Array.from(sink.checkpoint('best')!.arrays['param:entity']!)).toEqual(best);
  });
});
