// The gold answer's place among all entities' scores (the explorer's "rank of the true answer"): its score, its raw
// rank (ties count half) and, only when known triples are given, its filtered rank.
import { describe, expect, it } from 'vitest';
import { goldRank } from '../../src/lookup/gold-rank.js';

describe('goldRank', () => {
  const scores = Float32Array.of(0.5, 2, 1, 2);

  it('raw rank 1 + the entities scored above the gold; no filtered rank without known triples', () => {
    const rank = goldRank(scores, 4, undefined, 0, 0, 2);
    expect(rank).toEqual({ score: 1, raw: 3 }); // entities 1 and 3 score 2 > 1
    expect('filtered' in rank).toBe(false);
    expect(goldRank(Float32Array.of(1, 1, 1, 0), 4, undefined, 3, 1, 0)).toEqual({ score: 1, raw: 2 }); // two ties: 1 + 2/2
  });

  it('with known triples the other known answers of (entity, relation) are left out of the filtered rank', () => {
    const known = { answers: (entity: number, relation: number) => (entity === 0 && relation === 0 ? Int32Array.of(1, 2) : new Int32Array(0)) };
    expect(goldRank(scores, 4, known, 0, 0, 2)).toEqual({ score: 1, raw: 3, filtered: 2 }); // entity 1 is known: only 3 above
    expect(goldRank(scores, 4, known, 0, 1, 2)).toEqual({ score: 1, raw: 3, filtered: 3 }); // another relation: nothing known
  });
});
