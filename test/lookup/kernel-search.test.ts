import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { ModelRuntime } from '../../src/core/model-runtime.js';
import { SeededRandom } from '../../src/core/random.js';
import { createModel } from '../../src/registry/models.js';
import { SimilarityKind } from '../../src/kernels/kernels.js';
import { expmap0, negL1Ref, negModulusL1Ref, similarityRef } from '../../src/kernels/reference.js';
import { KernelSearch, type NeighborMetric } from '../../src/lookup/kernel-search.js';
import { exactNeighbors, indexNeighbors } from '../../src/lookup/neighbors.js';
import { IndexStore } from '../../src/lookup/index-store.js';
import type { EntityTable } from '../../src/lookup/vector-space.js';
import { tempDir, testConfig } from './helpers.js';

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

/** A runtime of `name` with random parameters (entity norms up to `scale`). */
async function randomRuntime(name: string, N: number, dim: number, scale: number, seed: string, options: object = {}): Promise<ModelRuntime> {
  // stored at its own width (the last argument): no zero columns (table-padding.ts), the tables as written here
  const runtime = await ModelRuntime.create(createModel(name, { dim, numEntities: N, numRelations: 3, ...options }, dim), 4);
  const rng = new SeededRandom(seed);
  for (const table of runtime.store.tables()) {
    if (table.spec.name === 'curvature') continue;
    const s = table.spec.name === 'entity' ? scale : 0.4;
    for (let i = 0; i < table.data.length; i++) table.data.array[i] = s * (rng.next() - 0.5);
  }
  return runtime;
}

const entityTable = (runtime: ModelRuntime): EntityTable => {
  const t = runtime.store.table(runtime.model.candidateTable);
  return { rows: t.data.array.slice(), count: t.rows, dim: t.dim };
};

/** Float64 oracle of the neighbour measure: Poincaré distance at c = 1, Euclidean or (complex) L1 distance, or inner product (larger = nearer). */
function oracle(metric: NeighborMetric, table: EntityTable, i: number, j: number): number {
  const row = (t: number): Float32Array => table.rows.subarray(t * table.dim, (t + 1) * table.dim);
  if (metric === 'poincare') return -Math.sqrt(-similarityRef(SimilarityKind.NegSqPoincare, expmap0(row(i), 1), row(j), 1));
  if (metric === 'dot') return similarityRef(SimilarityKind.Dot, row(i), row(j));
  if (metric === 'l1') return negL1Ref(row(i), row(j));
  if (metric === 'complex-l1') return negModulusL1Ref(row(i), row(j));
  return -Math.sqrt(-similarityRef(SimilarityKind.NegSqEuclidean, row(i), row(j)));
}

const N = 400;

describe('nearest entities in kernels', () => {
  const cases: Array<{ model: string; metric: NeighborMetric; dim: number; scale: number; options?: object }> = [
    { model: 'RotH', metric: 'poincare', dim: 8, scale: 3 },
    { model: 'RotE', metric: 'euclidean', dim: 8, scale: 1.5 },
    { model: 'DistMult', metric: 'dot', dim: 8, scale: 1.5 },
    { model: 'DistMult', metric: 'dot', dim: 6, scale: 1.5 }, // not a multiple of 4: zero-padded rows
    { model: 'TransE', metric: 'l1', dim: 8, scale: 1.5 }, // the index's candidates are Euclidean: checked below
    { model: 'RotatE', metric: 'complex-l1', dim: 12, scale: 1.5, options: { norm: 1 } }, // likewise; d/2 = 6
    // stored at its own width (a native backend's run): widened to 12 with zeros at the end of each half, not of the row
    { model: 'RotatE', metric: 'complex-l1', dim: 10, scale: 1.5, options: { norm: 1 } },
  ];
  for (const { model, metric, dim, scale, options } of cases) {
    it(`${model} d=${dim} (${metric}): the exact sweep and the index (ef = N) give the float64 order and values`, async () => {
      const runtime = await randomRuntime(model, N, dim, scale, `nb-${model}-${dim}`, options);
      const search = new KernelSearch(runtime);
      expect(search.metric).toBe(metric);
      const table = entityTable(runtime);
      const store = new IndexStore(tempDir('kernel-search'), 'best', table, testConfig(N, dim));
      let missed = 0; // true neighbours the index's L1 answers left out
      for (let i = 0; i < N; i += 3) {
        const truth = Array.from({ length: N }, (_, j) => j).filter((j) => j !== i)
          .map((j) => ({ j, s: oracle(metric, table, i, j) })).sort((a, b) => b.s - a.s || a.j - b.j).slice(0, 10);
        const exact = exactNeighbors(search, i, 10);
        // the L1 metrics with the default beam: their pool (8k + 1 or ef candidates, rescored) is what is tested
        const indexed = await indexNeighbors(store, search, table, i, 10, metric === 'l1' || metric === 'complex-l1' ? undefined : N);
        expect(indexed.method).toBe('hnsw');
        const fromIndex = indexed.neighbors;
        expect(exact.map((n) => n.id)).toEqual(truth.map((t) => t.j));
        if (metric === 'l1' || metric === 'complex-l1') { // 100 Euclidean candidates rescored by L1: in L1 order, nearly the true ten
          const d = fromIndex.map((n) => n.value);
          expect(d).toEqual([...d].sort((a, b) => a - b));
          fromIndex.forEach((n) => expect(n.value).toBeCloseTo(-oracle(metric, table, i, n.id), 4));
          missed += 10 - fromIndex.filter((n) => truth.some((t) => t.j === n.id)).length;
        } else {
          expect(fromIndex.map((n) => n.id)).toEqual(truth.map((t) => t.j));
        }
        exact.forEach((n, r) => expect(n.value).toBeCloseTo(metric === 'dot' ? truth[r]!.s : -truth[r]!.s, 4));
      }
      // of the 1,340 true neighbours: the beam's 100 candidates leave out none; 41 (4k + 1, the pool before 2026-12-06)
      // left out 10 (TransE) and 9 (RotatE), 21 (2k + 1, as the other metrics take) 104 and 71
      if (metric === 'l1' || metric === 'complex-l1') expect(missed).toBe(0); // the others' lists are compared whole above
      search.dispose();
    });
  }

  it('Poincaré neighbours are not the Euclidean neighbours of the tangent vectors (the mapping matters)', async () => {
    const runtime = await randomRuntime('RotH', N, 8, 4, 'differ');
    const search = new KernelSearch(runtime);
    const table = entityTable(runtime);
    let differ = 0;
    for (let i = 0; i < 50; i++) {
      const euclid = Array.from({ length: N }, (_, j) => j).filter((j) => j !== i)
        .sort((a, b) => oracle('euclidean', table, i, b) - oracle('euclidean', table, i, a) || a - b).slice(0, 10);
      if (exactNeighbors(search, i, 10).map((n) => n.id).join() !== euclid.join()) differ++;
    }
    expect(differ).toBeGreaterThan(10);
  });
});

describe('indexNeighbors falls back to the exact sweep when the index returns too few', () => {
  /** An index store whose one index answers every search with `answer(n)` (hnswlib's shape, no native addon). */
  const fakeStore = (count: number, dim: number, answer: (n: number) => number[]): IndexStore => {
    const hnsw = {
      getCurrentCount: () => count,
      setEf: () => undefined,
      searchKnn: (_query: number[], n: number) => {
        const ids = answer(n);
        return { neighbors: ids, distances: ids.map(() => 0) };
      },
    };
    return { get: async () => ({ hnsw, dim }) } as unknown as IndexStore;
  };

  it('fewer than k candidates besides the entity itself: the exact answer, marked exact; k of them: the index answer', async () => {
    const runtime = await randomRuntime('RotE', N, 8, 1.5, 'fallback');
    const search = new KernelSearch(runtime);
    const table = entityTable(runtime);
    const entity = 7;
    const exact = exactNeighbors(search, entity, 5);
    expect(exact).toHaveLength(5);
    const nearest = exact.map((n) => n.id);
    const asked: number[] = [];
    // 2k + 1 = 11 candidates asked (11 ≤ 400/8, so the index is used), one returned
    const one = await indexNeighbors(fakeStore(N, 8, (n) => { asked.push(n); return [nearest[0]!]; }), search, table, entity, 5);
    expect(asked).toEqual([11]);
    expect(one).toEqual({ neighbors: exact, method: 'exact' });
    // the entity itself and its 4 nearest: 5 ids, but only 4 candidates once the entity is left out → still too few
    const four = await indexNeighbors(fakeStore(N, 8, () => [entity, ...nearest.slice(0, 4)]), search, table, entity, 5);
    expect(four).toEqual({ neighbors: exact, method: 'exact' });
    // the entity itself and its 5 nearest, in reverse: enough, rescored into order by the kernel, marked hnsw
    const five = await indexNeighbors(fakeStore(N, 8, () => [entity, ...[...nearest].reverse()]), search, table, entity, 5);
    expect(five).toEqual({ neighbors: exact, method: 'hnsw' });
    search.dispose();
  });
});

describe('link prediction in kernels is the exact top-k of the all-entity scores (the scorer evaluation uses)', () => {
  for (const [model, dim] of [['RotH', 8], ['AttH', 8], ['RefH', 8], ['MuRP', 8], ['DistMult', 8], ['ComplEx', 8], ['TransE', 8], ['RotE', 8], ['DistMult', 6]] as const) {
    it(`${model} d=${dim}`, async () => {
      const runtime = await randomRuntime(model, N, dim, 1.5, `predict-${model}`);
      const search = new KernelSearch(runtime);
      expect(search.kernelQueries).toBe(dim % 4 === 0);
      const scorer = runtime.entityScorer();
      for (let i = 0; i < 40; i++) {
        const entity = (37 * i) % N, relation = i % 6;
        const all = scorer.scoreAllSync(Int32Array.of(entity), Int32Array.of(relation));
        const found = search.predict(entity, relation, 10);
        const chosen = new Set(found.ids);
        expect(chosen.size).toBe(10);
        for (let r = 0; r < 10; r++) {
          expect(found.values[r]!).toBeCloseTo(all[found.ids[r]!]!, 4);
          if (r > 0) expect(found.values[r]!).toBeLessThanOrEqual(found.values[r - 1]!);
        }
        const kth = found.values[9]!;
        for (let t = 0; t < N; t++) if (!chosen.has(t)) expect(all[t]!).toBeLessThanOrEqual(kth + 1e-4);
      }
      scorer.dispose();
      search.dispose();
    });
  }
});

describe('the neighbour table', () => {
  it('holds the exact sweep of every entity: the same lists and values as exactNeighbors', async () => {
    const { NeighborTable } = await import('../../src/lookup/neighbor-table.js');
    const runtime = await randomRuntime('RotH', 300, 8, 3, 'table');
    const search = new KernelSearch(runtime);
    const table = (await NeighborTable.build(search, () => false, 12))!;
    expect(table.K).toBe(12);
    for (let i = 0; i < 300; i += 7) {
      const exact = exactNeighbors(search, i, 10);
      const read = table.get(i, 10)!;
      expect(read.map((n) => n.id)).toEqual(exact.map((n) => n.id));
      read.forEach((n, r) => expect(n.value).toBeCloseTo(exact[r]!.value, 5));
    }
    expect(table.get(0, 13)).toBeUndefined();
    expect(await NeighborTable.build(search, () => true)).toBeUndefined();
    search.dispose();
  });
});
