// An epoch trained in slices (returning to the event loop between them) trains exactly what one call trains, and a
// stop request that arrives while the event loop runs (a signal handler, a message) is seen before the epoch ends.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';
import { loadDataset } from '../../src/kg/dataset.js';
import { runDataFromDataset, type RunData } from '../../src/core/training-data.js';
import { ModelRuntime } from '../../src/core/model-runtime.js';
import { TableOptimizer } from '../../src/core/optimizers.js';
import { SeededRandom } from '../../src/core/random.js';
import { trainingQueries } from '../../src/core/batch.js';
import { kgeObjective } from '../../src/core/kge-objective.js';
import { trainEpoch, trainEpochInSlices, type EpochSetup } from '../../src/core/epoch-loop.js';
import { createModel } from '../../src/registry/models.js';

let data: RunData;

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  const dir = await writeSyntheticDataset(path.join(mkdtempSync(path.join(tmpdir(), 'kgdistill-slices-')), 'graph'), { entities: 200, seed: 3 });
  data = runDataFromDataset(await loadDataset(dir, { verify: false }));
});

/** A fresh DistMult d = 16 with its epoch setup (batches of 50, 10 negatives). */
async function setup(): Promise<{ runtime: ModelRuntime; epoch: EpochSetup }> {
  const runtime = await ModelRuntime.create(createModel('DistMult', { dim: 16, numEntities: data.numEntities, numRelations: data.numRelations, initScale: 0.1 }), 5);
  const objective = kgeObjective(runtime, { negatives: 10, doubleNegatives: false, sharedNegatives: 1, regularizer: 'none', regularizerWeight: 0, path: 'auto' }, 'wasm');
  const optimizer = new TableOptimizer('adagrad', 0.1, runtime.store, runtime.kernels);
  return { runtime, epoch: { objective, optimizer, queries: trainingQueries(data.train, data.numRelations), batchSize: 50, sampling: { kind: 'shuffled' } } };
}

describe('trainEpochInSlices', () => {
  it('trains the same parameters and losses as one call, whatever the slice', async () => {
    const whole = await setup();
    const wholeRng = new SeededRandom(9);
    const wholeLosses = [1, 2].map((epoch) => trainEpoch(whole.epoch, epoch, wholeRng).loss);
    const sliced = await setup();
    const slicedRng = new SeededRandom(9);
    const slicedLosses: number[] = [];
    for (const epoch of [1, 2]) slicedLosses.push((await trainEpochInSlices(sliced.epoch, epoch, slicedRng, {}, 0)).loss); // a slice per step
    expect(whole.epoch.queries.entities.length / 50).toBeGreaterThan(5);
    expect(slicedLosses).toEqual(wholeLosses);
    expect(Array.from(sliced.runtime.store.table('entity').data.array)).toEqual(Array.from(whole.runtime.store.table('entity').data.array));
  });

  it('sees a stop request raised by the event loop during the epoch, and says where it stopped', async () => {
    const { epoch } = await setup();
    let stop = false;
    setTimeout(() => { stop = true; }, 0);
    const steps: number[] = [];
    const outcome = await trainEpochInSlices(epoch, 1, new SeededRandom(9), { shouldStop: () => stop, onStep: (step) => steps.push(step) }, 0);
    const total = Math.ceil(epoch.queries.entities.length / 50);
    expect(outcome.stoppedAt?.step).toBe(steps.length);
    expect(steps.length).toBeLessThan(total);
    expect(steps.length).toBeGreaterThanOrEqual(1);
  });
});
