// The fused step on two threads (half the batch recorded and run by the kernel worker with its own gradient
// accumulators, folded in when the optimiser needs them) against the one-thread step: the same loss and parameters up to the order of
// float sums, with and without double negatives, for a hyperbolic and a Euclidean model; and bit-identical runs
// for a given thread count.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { ModelRuntime } from '../../src/core/model-runtime.js';
import { kgeObjective } from '../../src/core/kge-objective.js';
import { SeededRandom } from '../../src/core/random.js';
import { TableOptimizer } from '../../src/core/optimizers.js';
import { MIN_PARALLEL_ROWS, MIN_PARALLEL_SCORES_FREE_FOLD, parallelStepReady } from '../../src/core/fused-step-parallel.js';
import { randomQueryBatch } from '../helpers/query-batches.js';
import type { QueryBatch } from '../../src/core/batch.js';
import type { SampledLoss } from '../../src/core/losses.js';
import { createModel } from '../../src/registry/models.js';

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

const E = 300, R = 5, negatives = 6;

const batchOf = (size: number, seed: number): QueryBatch => randomQueryBatch(size, seed, E, R);

/** Parameters and losses after three optimiser steps, on one thread or two. */
async function train(model: string, doubleNegatives: boolean, threads: 1 | 2, optimizerName: 'adagrad' | 'adam', loss?: SampledLoss): Promise<{ losses: number[]; params: Float32Array[]; parallel: boolean }> {
  const previous = process.env.KGDISTILL_THREADS;
  process.env.KGDISTILL_THREADS = String(threads); // read when the runtime's kernel worker is first asked for
  try {
    const runtime = await ModelRuntime.create(createModel(model, { dim: 8, numEntities: E, numRelations: R, initScale: 0.2 }), 3);
    const parallel = parallelStepReady(runtime.store, MIN_PARALLEL_ROWS);
    const objective = kgeObjective(runtime, { negatives, doubleNegatives, regularizer: 'n3', regularizerWeight: 0.01, path: 'fused', ...(loss ? { loss } : {}) }, 'wasm');
    const optimizer = new TableOptimizer(optimizerName, optimizerName === 'adam' ? 0.01 : 0.1, runtime.store, runtime.kernels);
    const rng = new SeededRandom('parallel');
    const losses: number[] = [];
    const size = doubleNegatives ? Math.ceil(MIN_PARALLEL_ROWS / (1 + negatives)) + 7 : MIN_PARALLEL_ROWS + 7; // just past the gate, odd
    for (let s = 0; s < 3; s++) {
      losses.push(objective.gradients(batchOf(size, s), 1, rng));
      optimizer.step();
    }
    return { losses, params: runtime.store.tables().map((t) => t.data.array.slice()), parallel };
  } finally {
    if (previous === undefined) delete process.env.KGDISTILL_THREADS;
    else process.env.KGDISTILL_THREADS = previous;
  }
}

// Adagrad folds the worker's gradients row by row before its update; dense Adam adds them in its own sweep.
const NSSA: SampledLoss = { loss: 'nssa', margin: 0, adversarialTemperature: 1 };
describe.each([['RotH', false, 'adagrad', undefined], ['RotH', true, 'adagrad', undefined], ['DistMult', false, 'adagrad', undefined], ['AttH', true, 'adagrad', undefined],
  ['RotH', true, 'adam', undefined], ['DistMult', false, 'adam', undefined], ['DistMult', false, 'adagrad', NSSA], ['RotH', false, 'adam', NSSA]] as const)(
  '%s (double negatives: %s, %s, loss %o) on two threads', (model, doubleNegatives, optimizerName, loss) => {
  it('equals the one-thread step up to float sums, and repeats bit for bit', async () => {
    const one = await train(model, doubleNegatives, 1, optimizerName, loss);
    const two = await train(model, doubleNegatives, 2, optimizerName, loss);
    expect(one.parallel).toBe(false);
    expect(two.parallel).toBe(true);
    two.losses.forEach((l, i) => expect(Math.abs(l - one.losses[i]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(one.losses[i]!))));
    two.params.forEach((table, i) => {
      const want = one.params[i]!;
      const scale = Math.max(1e-3, ...Array.from(want, Math.abs));
      for (let k = 0; k < table.length; k++) expect(Math.abs(table[k]! - want[k]!)).toBeLessThan(1e-4 * scale);
    });
    const again = await train(model, doubleNegatives, 2, optimizerName, loss);
    again.params.forEach((table, i) => expect(Array.from(table)).toEqual(Array.from(two.params[i]!)));
    expect(again.losses).toEqual(two.losses);
  });
});

describe('the split of plain batches (each query its own negatives)', () => {
  /** Parameters after three steps of 400 queries × (1 + 50) candidates. */
  async function plain(optimizerName: 'adam' | 'adagrad', threads: 1 | 2): Promise<{ params: Float32Array[]; split: boolean }> {
    const previous = process.env.KGDISTILL_THREADS;
    process.env.KGDISTILL_THREADS = String(threads);
    try {
      const runtime = await ModelRuntime.create(createModel('RotH', { dim: 8, numEntities: E, numRelations: R, initScale: 0.2 }), 3);
      const optimizer = new TableOptimizer(optimizerName, 0.01, runtime.store, runtime.kernels);
      const split = parallelStepReady(runtime.store, 400, 51);
      const objective = kgeObjective(runtime, { negatives: 50, doubleNegatives: false, regularizer: 'none', regularizerWeight: 0, path: 'fused' }, 'wasm');
      const rng = new SeededRandom('plain');
      for (let s = 0; s < 3; s++) {
        objective.gradients(batchOf(400, s), 1, rng);
        optimizer.step();
      }
      return { params: runtime.store.tables().map((t) => t.data.array.slice()), split };
    } finally {
      if (previous === undefined) delete process.env.KGDISTILL_THREADS;
      else process.env.KGDISTILL_THREADS = previous;
    }
  }

  it('splits under dense Adam (its folds are free) and equals one thread up to float sums; not under Adagrad', async () => {
    expect(400 * 51).toBeGreaterThanOrEqual(MIN_PARALLEL_SCORES_FREE_FOLD);
    const one = await plain('adam', 1);
    const two = await plain('adam', 2);
    expect(one.split).toBe(false);
    expect(two.split).toBe(true);
    two.params.forEach((table, i) => {
      const want = one.params[i]!;
      const scale = Math.max(1e-3, ...Array.from(want, Math.abs));
      for (let k = 0; k < table.length; k++) expect(Math.abs(table[k]! - want[k]!)).toBeLessThan(1e-4 * scale);
    });
    expect((await plain('adagrad', 2)).split).toBe(false);
  });
});
