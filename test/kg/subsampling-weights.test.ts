// Sun et al. 2019's subsampling weights (kg/subsampling-weights.ts): counts of (entity, directed relation) queries
// as their code's count_frequency (start = 4: 3 + n), weights 1/√(count(h, r) + count(t, r⁻¹)) by hand on a tiny
// graph, and the reciprocal pairing of the training queries (a triple's tail and head queries weigh the same).
import { describe, expect, it } from 'vitest';
import { queryCounts, subsamplingWeights } from '../../src/kg/subsampling-weights.js';
import { selectQueries, trainingQueries } from '../../src/core/batch.js';

// R = 2 relations (query relations 0, 1 and their reciprocals 2, 3)
const R = 2;
const triples = Int32Array.of(
  0, 0, 1,
  0, 0, 2,
  3, 1, 1,
  1, 0, 2,
);

describe('subsampling weights', () => {
  it('count each (entity, directed relation) query as 3 + the triples asking it', () => {
    const count = queryCounts(triples, R);
    // tail queries (h, r): (0, 0) twice, (3, 1) and (1, 0) once
    expect([count(0, 0), count(3, 1), count(1, 0)]).toEqual([5, 4, 4]);
    // head queries (t, r + R): (1, 2) once, (2, 2) twice, (1, 3) once
    expect([count(1, 2), count(2, 2), count(1, 3)]).toEqual([4, 5, 4]);
    // entity 1 asks relation 0 as a head once, its reciprocal once: two different queries; one nobody asks is 3
    expect([count(1, 0), count(1, 2), count(2, 0)]).toEqual([4, 4, 3]);
  });

  it('weigh each triple 1/√(count(h, r) + count(t, r⁻¹))', () => {
    const want = [
      1 / Math.sqrt(5 + 4), // (0, 0, 1): count(0, 0) = 5, count(1, 2) = 4 → 1/3
      1 / Math.sqrt(5 + 5), // (0, 0, 2): count(0, 0) = 5, count(2, 2) = 5
      1 / Math.sqrt(4 + 4), // (3, 1, 1): count(3, 1) = 4, count(1, 3) = 4
      1 / Math.sqrt(4 + 5), // (1, 0, 2): count(1, 0) = 4, count(2, 2) = 5 → 1/3
    ];
    expect(Array.from(subsamplingWeights(triples, R))).toEqual(want.map(Math.fround));
  });

  it('pair reciprocal queries: (h, r, ?) → t and (t, r⁻¹, ?) → h weigh the same, 1/√(count(e, q) + count(a, q⁻¹))', () => {
    const queries = trainingQueries(triples, R, 'subsampling');
    const count = queryCounts(triples, R);
    const n = triples.length / 3;
    expect(queries.weights!.length).toBe(2 * n);
    for (let i = 0; i < 2 * n; i++) {
      const e = queries.entities[i]!, q = queries.relations[i]!, a = queries.answers[i]!;
      const inverse = q < R ? q + R : q - R;
      expect(queries.weights![i]).toBe(Math.fround(1 / Math.sqrt(count(e, q) + count(a, inverse))));
      expect(queries.weights![i]).toBe(queries.weights![(i + n) % (2 * n)]);
    }
    const batch = selectQueries(queries, Int32Array.of(6, 1));
    expect(Array.from(batch.weights!)).toEqual([queries.weights![6], queries.weights![1]]);
  });

  it('uniform queries carry no weights', () => {
    expect(trainingQueries(triples, R).weights).toBeUndefined();
    expect(selectQueries(trainingQueries(triples, R, 'uniform'), Int32Array.of(0)).weights).toBeUndefined();
  });
});
