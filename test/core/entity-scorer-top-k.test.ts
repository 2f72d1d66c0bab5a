import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { ModelRuntime } from '../../src/core/model-runtime.js';
import { SeededRandom } from '../../src/core/random.js';
import { createModel } from '../../src/registry/models.js';

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

/** The K best entities of each row by a plain sort of all scores (descending score, ties by lower id). */
function sortedTopK(scores: Float32Array, rows: number, cols: number, K: number): number[][] {
  const out: number[][] = [];
  for (let r = 0; r < rows; r++) {
    const ids = Array.from({ length: cols }, (_, j) => j);
    ids.sort((a, b) => scores[r * cols + b]! - scores[r * cols + a]! || a - b);
    out.push(ids.slice(0, K));
  }
  return out;
}

describe('ModelEntityScorer.topKSync (one-pass kernel)', () => {
  // N = 37 entities (not a multiple of 4: the last block is padded), random tables with spread-out biases.
  it.each([['RotH', 8], ['AttH', 4], ['DistMult', 8], ['TransE', 4], ['RotE', 12]])('%s d=%i: the K best of a full sort, in order', async (name, dim) => {
    const N = 37;
    const runtime = await ModelRuntime.create(createModel(name, { dim, numEntities: N, numRelations: 3 }));
    runtime.store.initialise(new SeededRandom(5));
    const rng = new SeededRandom(9);
    for (const table of runtime.store.tables()) {
      if (table.spec.name === 'curvature') continue;
      for (let i = 0; i < table.data.length; i++) table.data.array[i] = 0.3 * (rng.next() - 0.5) * (table.dim === 1 ? 4 : 1);
    }
    const entities = Int32Array.of(0, 5, 36, 12, 7);
    const relations = Int32Array.of(0, 1, 2, 3, 5);
    const scorer = runtime.entityScorer();
    const all = scorer.scoreAllSync(entities, relations);
    for (const K of [1, 5, 36, 37]) {
      const ids = scorer.topKSync(entities, relations, K);
      const expected = sortedTopK(all, entities.length, N, K);
      for (let b = 0; b < entities.length; b++) {
        const got = Array.from(ids.subarray(b * K, (b + 1) * K));
        // same scores in the same order (ids may differ only between exactly tied scores)
        expect(got.map((j) => all[b * N + j])).toEqual(expected[b]!.map((j) => all[b * N + j]));
        expect(new Set(got).size).toBe(K);
      }
    }
    expect(() => scorer.topKSync(entities, relations, 38)).toThrow(/1 ≤ K ≤ 37/);
    scorer.dispose();
  });
});

describe('Poincaré top-K pruning (entities visited by descending bias, early stop)', () => {
  it.each([[0.5, 10], [3, 10], [3, 200]])('RotH, 1,001 entities, bias spread %f, K=%i: the K best of a full sort', async (spread, K) => {
    const N = 1001;
    const runtime = await ModelRuntime.create(createModel('RotH', { dim: 8, numEntities: N, numRelations: 2 }), 3);
    const rng = new SeededRandom(`prune:${spread}`);
    const entity = runtime.store.table('entity').data.array;
    for (let i = 0; i < entity.length; i++) entity[i] = 0.8 * (rng.next() - 0.5);
    const tailBias = runtime.store.table('tailBias').data.array;
    for (let i = 0; i < N; i++) tailBias[i] = spread * (rng.next() - 0.5);
    const entities = Int32Array.from({ length: 40 }, (_, i) => (37 * i) % N);
    const relations = Int32Array.from({ length: 40 }, (_, i) => i % 4); // two curvatures per direction: groups
    const scorer = runtime.entityScorer();
    const all = scorer.scoreAllSync(entities, relations);
    const ids = scorer.topKSync(entities, relations, K);
    const expected = sortedTopK(all, entities.length, N, K);
    for (let b = 0; b < entities.length; b++) {
      const got = Array.from(ids.subarray(b * K, (b + 1) * K)).map((j) => all[b * N + j]!);
      const want = expected[b]!.map((j) => all[b * N + j]!);
      for (let k = 0; k < K; k++) expect(got[k]).toBeCloseTo(want[k]!, 5);
    }
    scorer.dispose();
  });
});

describe('Poincaré top-K on two threads (a kernel worker on the shared memory)', () => {
  it('splits a curvature group with the worker and returns what one thread returns', async () => {
    const run = async (threads: string): Promise<{ ids: Int32Array; worker: boolean }> => {
      process.env.KGDISTILL_THREADS = threads;
      try {
        const N = 1001;
        const runtime = await ModelRuntime.create(createModel('RotH', { dim: 8, numEntities: N, numRelations: 1 }), 3);
        const rng = new SeededRandom('threads');
        for (const name of ['entity', 'tailBias', 'headBias']) {
          const t = runtime.store.table(name).data.array;
          for (let i = 0; i < t.length; i++) t[i] = (name === 'entity' ? 0.8 : 2) * (rng.next() - 0.5);
        }
        const entities = Int32Array.from({ length: 300 }, (_, i) => (7 * i) % N);
        const relations = new Int32Array(300); // one curvature group of 300 queries: 150 per thread
        const scorer = runtime.entityScorer();
        const ids = scorer.topKSync(entities, relations, 20);
        scorer.dispose();
        return { ids, worker: runtime.kernels.worker() !== null };
      } finally {
        delete process.env.KGDISTILL_THREADS;
      }
    };
    const one = await run('1');
    const two = await run('2');
    expect(one.worker).toBe(false);
    expect(two.worker).toBe(true);
    expect(Array.from(two.ids)).toEqual(Array.from(one.ids));
  });
});
