import { describe, expect, it } from 'vitest';
import { IndexStore } from '../../src/lookup/index-store.js';
import { NeighborMeasure, scoreCandidate, type QueryPoint } from '../../src/lookup/exact-score.js';
import { exactNeighbors, indexNeighbors } from '../../src/lookup/neighbors.js';
import { predictTopK, type PredictContext } from '../../src/lookup/predict.js';
import { ballFromTangent } from '../../src/lookup/lorentz.js';
import type { SimilarityName } from '../../src/core/model.js';
import type { EntityTable } from '../../src/lookup/vector-space.js';
import { randomTable, tempDir, testConfig } from './helpers.js';

const N = 400;
const DIM = 8;

/** Brute-force top-k of a query by the float64 model score. */
function bruteForce(similarity: SimilarityName, query: QueryPoint, table: EntityTable, k: number, exclude: Set<number> = new Set()): number[] {
  const all: Array<[number, number]> = [];
  for (let t = 0; t < table.count; t++) if (!exclude.has(t)) all.push([scoreCandidate(similarity, query, table, t).score, t]);
  all.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  return all.slice(0, k).map(([, t]) => t);
}

function context(similarity: SimilarityName, table: EntityTable, store: IndexStore, query: QueryPoint): PredictContext {
  return {
    similarity, table, store, indexMode: 'await', ef: table.count, // a search list as long as the set: no HNSW miss, so the order is the mapping's
    exactScores: async () => Float32Array.from({ length: table.count }, (_, t) => scoreCandidate(similarity, query, table, t).score),
  };
}

describe('HNSW neighbours in exact brute-force order', () => {
  for (const metric of ['poincare', 'euclidean', 'dot'] as const) {
    it(`${metric}: the 10 nearest of every entity of a random set, in the same order as brute force`, async () => {
      const table = randomTable(N, DIM, `order-${metric}`, metric === 'poincare' ? 3 : 1.5);
      const store = new IndexStore(tempDir('order'), 'best', table, testConfig(N, DIM));
      const measure = new NeighborMeasure(metric, table);
      for (let i = 0; i < N; i++) {
        const fromIndex = await indexNeighbors(store, measure, table, i, 10, N);
        const exact = exactNeighbors(measure, table, i, 10);
        expect(fromIndex.map((n) => n.id)).toEqual(exact.map((n) => n.id));
        fromIndex.forEach((n, j) => expect(n.value).toBeCloseTo(exact[j]!.value, 12));
      }
    });
  }

  it('Poincaré neighbours are not the Euclidean neighbours of the tangent vectors (the mapping matters)', () => {
    const table = randomTable(N, DIM, 'differ', 4);
    const poincare = new NeighborMeasure('poincare', table);
    const euclid = new NeighborMeasure('euclidean', table);
    let differ = 0;
    for (let i = 0; i < 50; i++) {
      if (exactNeighbors(poincare, table, i, 10).map((n) => n.id).join() !== exactNeighbors(euclid, table, i, 10).map((n) => n.id).join()) differ++;
    }
    expect(differ).toBeGreaterThan(10);
  });
});

describe('link prediction through the index equals brute force over all entities', () => {
  const cases: Array<{ similarity: SimilarityName; bias: boolean; c?: number; method: string }> = [
    { similarity: 'negSqPoincare', bias: true, c: 0.9, method: 'hnsw+bound' },
    { similarity: 'negSqPoincare', bias: true, c: 0.03, method: 'hnsw+bound' },
    { similarity: 'negSqPoincare', bias: false, c: 0.5, method: 'hnsw' },
    { similarity: 'negSqEuclidean', bias: true, method: 'hnsw' },
    { similarity: 'negEuclidean', bias: false, method: 'hnsw' },
    { similarity: 'dot', bias: true, method: 'hnsw+bound' },
    { similarity: 'dot', bias: false, method: 'hnsw+bound' },
  ];
  for (const { similarity, bias, c, method } of cases) {
    it(`${similarity}${bias ? ' + tail bias' : ''}${c ? `, c = ${c}` : ''}: same top-10 in the same order (method ${method})`, async () => {
      const table = randomTable(N, DIM, `predict-${similarity}-${bias}-${c}`, 1.5, bias);
      const store = new IndexStore(tempDir('predict'), 'best', table, testConfig(N, DIM));
      const queries = randomTable(40, DIM, `queries-${similarity}`, 1.5);
      for (let i = 0; i < 40; i++) {
        const v = queries.rows.subarray(i * DIM, (i + 1) * DIM);
        const q = c ? ballFromTangent(v, c).x : Float64Array.from(v);
        const query: QueryPoint = { q, c, offset: 0.25 };
        const exclude = Int32Array.from(i % 3 === 0 ? [bruteForce(similarity, query, table, 1)[0]!, 7] : []).sort();
        const outcome = await predictTopK(context(similarity, table, store, query), { query, k: 10, exclude });
        expect(outcome.method).toBe(method);
        expect(outcome.answers.map((a) => a.id)).toEqual(bruteForce(similarity, query, table, 10, new Set(exclude)));
      }
    });
  }

  it('−‖q − e‖ with a tail bias has no index: exact scoring, with the reason', async () => {
    const table = randomTable(50, 4, 'nobias', 1, true);
    const query: QueryPoint = { q: new Float64Array(4).fill(0.1), offset: 0 };
    const outcome = await predictTopK(context('negEuclidean', table, new IndexStore(tempDir('x'), 'best', table, testConfig(50, 4)), query), { query, k: 5 });
    expect(outcome.method).toBe('exact');
    expect(outcome.note).toMatch(/no index orders negEuclidean scores with a tail bias/);
    expect(outcome.answers.map((a) => a.id)).toEqual(bruteForce('negEuclidean', query, table, 5));
  });
});
