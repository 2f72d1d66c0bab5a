// A split fused step whose main half fails: the worker's half is waited for and its gradients dropped, so the next
// step on the same tables gives the gradients of a clean runtime bit for bit (they were folded into it before).
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { ModelRuntime } from '../../src/core/model-runtime.js';
import { parallelFusedStep, parallelStepReady } from '../../src/core/fused-step-parallel.js';
import { stepState } from '../../src/core/fused-step-plan.js';
import { bceChunkLoss, type DrawnQueries } from '../../src/core/fused-chunks.js';
import { SeededRandom } from '../../src/core/random.js';
import { createModel } from '../../src/registry/models.js';

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});
afterEach(() => vi.unstubAllEnvs());

const E = 600, R = 5, Q = 4200, M = 11;

/** Q queries with M candidates each (the gold first), drawn from `seed`. */
function drawnQueries(seed: number): DrawnQueries {
  const rng = new SeededRandom(seed);
  const ids = (n: number, below: number): Int32Array => Int32Array.from({ length: n }, () => rng.int(below));
  return { B: Q, Q, M, entities: ids(Q, E), relations: ids(Q, 2 * R), cand: ids(Q * M, E) };
}

describe('a split fused step that fails', () => {
  it('leaves no half-step gradient behind: the next step equals a clean runtime\'s', async () => {
    vi.stubEnv('KGDISTILL_THREADS', '2'); // read when a runtime's kernel worker is first asked for
    const make = async (): Promise<ModelRuntime> => ModelRuntime.create(createModel('RotH', { dim: 8, numEntities: E, numRelations: R }), 1);
    const loss = (state: Parameters<typeof bceChunkLoss>[0], part: DrawnQueries) => bceChunkLoss(state, part, false, 1 / (Q * M));
    const gradients = (runtime: ModelRuntime): number[][] => runtime.store.tables().map((t) => Array.from(t.grad.array));

    const clean = await make();
    expect(parallelStepReady(clean.store, Q, M)).toBe(true);
    const cleanLoss = parallelFusedStep(clean.model, clean.store, clean.model.fusedQuery!, drawnQueries(2), false, loss);

    const failed = await make();
    const program = failed.model.fusedQuery!;
    const main = stepState(failed.model, failed.store, program);
    expect(() => parallelFusedStep(failed.model, failed.store, program, drawnQueries(1), false, (state, part) => {
      if (state === main) throw new Error('main half failed');
      return loss(state, part);
    })).toThrow('main half failed');
    await new Promise((resolve) => setTimeout(resolve, 300)); // the worker's half has ended by now, whatever the thread did
    for (const table of failed.store.tables()) table.grad.array.fill(0); // a caller that goes on starts from zero
    const afterLoss = parallelFusedStep(failed.model, failed.store, program, drawnQueries(2), false, loss);
    expect(afterLoss).toBe(cleanLoss);
    expect(gradients(failed)).toEqual(gradients(clean));
    clean.dispose();
    failed.dispose();
  });
});
