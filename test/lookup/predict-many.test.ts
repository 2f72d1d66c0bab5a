import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { ModelRuntime } from '../../src/core/model-runtime.js';
import { SeededRandom } from '../../src/core/random.js';
import { createModel } from '../../src/registry/models.js';
import { KernelSearch } from '../../src/lookup/kernel-search.js';
import { mergeRanked } from '../../src/lookup/poincare-batch.js';
import { PredictBatcher } from '../../src/lookup/predict-batcher.js';

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

/**
 * A runtime of `name` with random parameters (the entity table's spread `entitySpread`, the others' 1.5) and
 * per-relation curvature parameters spread over [0.2, 1].
 */
async function randomRuntime(name: string, N: number, dim: number, seed: string, entitySpread = 1.5): Promise<ModelRuntime> {
  const runtime = await ModelRuntime.create(createModel(name, { dim, numEntities: N, numRelations: 5 }), 4);
  const rng = new SeededRandom(seed);
  for (const table of runtime.store.tables()) {
    const curvature = table.spec.name === 'curvature';
    const spread = table.spec.name === 'entity' ? entitySpread : 1.5;
    for (let i = 0; i < table.data.length; i++) table.data.array[i] = curvature ? 0.2 + 0.8 * rng.next() : spread * (rng.next() - 0.5);
  }
  return runtime;
}

/** The first K ids of all entities by (score descending, id ascending) from the all-entity scorer. */
function truth(all: Float32Array, K: number): number[] {
  return Array.from(all, (s, id) => ({ s, id })).sort((a, b) => b.s - a.s || a.id - b.id).slice(0, K).map((x) => x.id);
}

describe('predictMany: one sweep for a batch of queries gives each query its own answers', () => {
  // N·B ≥ 65,536 puts the batch on both threads: split by queries (B ≥ 8) or by entity range (B < 8)
  const cases = [
    { model: 'RotH', N: 500, batches: [1, 3, 9, 20] },
    { model: 'AttH', N: 500, batches: [5, 12] },
    { model: 'RotH', N: 20_000, batches: [4, 16] },
    { model: 'DistMult', N: 20_000, batches: [2, 7] },
  ];
  for (const { model, N, batches } of cases) {
    it(`${model}, ${N} entities, batches of ${batches.join(', ')}: the same lists as one query at a time, which are the scorer's top 10`, async () => {
      const runtime = await randomRuntime(model, N, 8, `many-${model}-${N}`);
      const search = new KernelSearch(runtime);
      const scorer = runtime.entityScorer();
      const rng = new SeededRandom(`queries-${model}`);
      for (const B of batches) {
        const entities = Int32Array.from({ length: B }, () => Math.floor(rng.next() * N));
        const relations = Int32Array.from({ length: B }, () => Math.floor(rng.next() * 10));
        const many = search.predictMany(entities, relations, 10);
        expect(many).toHaveLength(B);
        for (let b = 0; b < B; b++) {
          const alone = search.predict(entities[b]!, relations[b]!, 10);
          expect(Array.from(many[b]!.ids)).toEqual(Array.from(alone.ids));
          expect(Array.from(many[b]!.values)).toEqual(Array.from(alone.values));
          const all = scorer.scoreAllSync(Int32Array.of(entities[b]!), Int32Array.of(relations[b]!));
          const expected = truth(all, 10);
          // float32 ties aside, the kernel's list is the scorer's; its scores agree to
          // float32 rounding: relative 1e-4, since 1 − c‖y‖² cancels for points near the ball's edge (scores ≈ −40)
          const agree = expected.filter((id, r) => many[b]!.ids[r] === id).length;
          expect(agree).toBeGreaterThanOrEqual(9);
          many[b]!.ids.forEach((id, r) => expect(Math.abs(many[b]!.values[r]! - all[id]!)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(all[id]!))));
        }
      }
      scorer.dispose();
      search.dispose();
    }, 60_000);
  }

  it('past the artanh clamp (entities near the ball\'s edge) the lists carry the scorer\'s capped distances, one query or a batch', async () => {
    const N = 400;
    for (const model of ['RotH', 'MuRP']) {
      const runtime = await randomRuntime(model, N, 8, `far-${model}`, 40);
      const search = new KernelSearch(runtime);
      const scorer = runtime.entityScorer();
      const tailBias = runtime.store.table('tailBias').data.array;
      const entities = Int32Array.of(3, 77, 150, 299), relations = Int32Array.of(0, 4, 7, 9);
      const many = search.predictMany(entities, relations, N);
      for (let b = 0; b < entities.length; b++) {
        const all = scorer.scoreAllSync(Int32Array.of(entities[b]!), Int32Array.of(relations[b]!));
        // without its bias an entity's score is −d²(+ the query's bias): the farthest sit at the cap, tied
        const distancePart = Array.from(all, (s, t) => s - tailBias[t]!);
        const farthest = Math.min(...distancePart);
        expect(distancePart.filter((v) => v - farthest <= 1e-4 * Math.abs(farthest)).length).toBeGreaterThan(20);
        for (const list of [many[b]!, search.predict(entities[b]!, relations[b]!, N)]) {
          expect(list.ids).toHaveLength(N);
          list.ids.forEach((id, r) => expect(Math.abs(list.values[r]! - all[id]!)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(all[id]!))));
        }
        // a heap that fills before the sweep ends prunes: past the cap, every entity may still enter
        const sorted = Array.from(all).sort((x, y) => y - x);
        const K = N - 40;
        const pruned = search.predict(entities[b]!, relations[b]!, K);
        pruned.values.forEach((v, r) => expect(Math.abs(v - sorted[r]!)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(sorted[r]!))));
      }
      scorer.dispose();
      search.dispose();
    }
  });

  it('PredictBatcher: a batch is one sweep (each distinct query once, at the largest K), every answer is the query alone; a failing sweep fails its own batch only', async () => {
    const runtime = await randomRuntime('RotH', 300, 8, 'batcher');
    const search = new KernelSearch(runtime);
    const alone = (e: number, r: number, K: number): number[] => Array.from(search.predict(e, r, K).ids);
    const sweep = search.predictMany.bind(search);
    const calls: Array<{ queries: number; K: number }> = [];
    search.predictMany = (e, r, K) => {
      calls.push({ queries: e.length, K });
      if (calls.length === 2) throw new Error('sweep failed');
      return sweep(e, r, K);
    };
    const batcher = new PredictBatcher(search, 3);
    const asked: Array<[number, number, number]> = [[7, 2, 5], [9, 1, 8], [7, 2, 3], [3, 0, 4], [5, 7, 6]];
    const settled = await Promise.allSettled(asked.map(([e, r, K]) => batcher.predict(e, r, K)));
    expect(calls).toEqual([{ queries: 2, K: 8 }, { queries: 2, K: 6 }]); // batches of at most three; (7, 2) swept once
    settled.slice(0, 3).forEach((s, i) => {
      const [e, r, K] = asked[i]!;
      expect(s.status).toBe('fulfilled');
      expect(Array.from((s as PromiseFulfilledResult<{ ids: Int32Array }>).value.ids)).toEqual(alone(e, r, K));
    });
    settled.slice(3).forEach((s) => expect(s).toMatchObject({ status: 'rejected', reason: { message: 'sweep failed' } }));
    const again = await Promise.all(asked.slice(3).map(([e, r, K]) => batcher.predict(e, r, K)));
    again.forEach((found, i) => expect(Array.from(found.ids)).toEqual(alone(asked[3 + i]![0], asked[3 + i]![1], asked[3 + i]![2])));
    search.dispose();
  });

  it('mergeRanked keeps (score descending, id ascending) and stops at K', () => {
    const a = { ids: Int32Array.of(4, 1, 9), values: Float32Array.of(3, 2, 1) };
    const b = { ids: Int32Array.of(0, 2), values: Float32Array.of(2, 1.5) };
    const merged = mergeRanked(a, b, 4);
    expect(Array.from(merged.ids)).toEqual([4, 0, 1, 2]);
    expect(Array.from(merged.values)).toEqual([3, 2, 2, 1.5]);
  });
});
