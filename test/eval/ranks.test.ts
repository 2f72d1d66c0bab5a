import { describe, expect, it } from 'vitest';
import { filteredRanks, type KnownAnswers } from '../../src/eval/ranks.js';

/** Stand-in for the filter index: the same answer list for every query, or per-row lists keyed by entity. */
function knownFrom(lists: Record<number, number[]>): KnownAnswers & { calls: [number, number][] } {
  const calls: [number, number][] = [];
  return {
    calls,
    answers(entity: number, queryRelation: number): Int32Array {
      calls.push([entity, queryRelation]);
      return Int32Array.from(lists[entity] ?? []);
    },
  };
}

/** Ranks a single row of scores for gold `gold` (query entity 0, relation 0). */
function rankRow(scores: number[], gold: number, known: KnownAnswers | null = null): { raw: number; filtered: number } {
  const out = { filtered: new Float64Array(1), raw: new Float64Array(1) };
  filteredRanks(
    Float32Array.from(scores),
    scores.length,
    new Int32Array([0]),
    new Int32Array([0]),
    new Int32Array([gold]),
    known,
    out,
  );
  return { raw: out.raw[0], filtered: out.filtered[0] };
}

describe('filteredRanks: ties', () => {
  it('averages optimistic and pessimistic rank for a tie at the top', () => {
    // scores [3, 5, 5, 1], gold = entity 1 (score 5):
    //   #{s > 5} = 0, other entities with s == 5: {2} → 1
    //   rank = 1 + 0 + 1/2 = 1.5   (optimistic 1, pessimistic 2, mean 1.5)
    expect(rankRow([3, 5, 5, 1], 1)).toEqual({ raw: 1.5, filtered: 1.5 });
    // gold = entity 0 (score 3): #{s > 3} = {1, 2} → 2, no ties → rank 3
    expect(rankRow([3, 5, 5, 1], 0).raw).toBe(3);
    // gold = entity 3 (score 1): everything else is higher → rank 4 (the worst)
    expect(rankRow([3, 5, 5, 1], 3).raw).toBe(4);
  });

  it('counts a multi-way tie in the middle', () => {
    // scores [2, 7, 2, 9, 2, 0], gold = entity 0 (score 2):
    //   above: {1 (7), 3 (9)} → 2; other ties: {2, 4} → 2
    //   rank = 1 + 2 + 2/2 = 4   (optimistic 3, pessimistic 5)
    expect(rankRow([2, 7, 2, 9, 2, 0], 0).raw).toBe(4);
  });

  it('treats +Infinity like any other value', () => {
    // gold = entity 2 (+Inf), tied with entity 0 → rank 1 + 0 + 1/2 = 1.5
    expect(rankRow([Infinity, 1, Infinity, -Infinity], 2).raw).toBe(1.5);
  });
});

describe('filteredRanks: filtered vs raw', () => {
  const scores = [2, 7, 2, 9, 2, 0]; // gold = entity 0 (score 2): raw rank 4 (see above)

  it('removes a known-true answer above the gold from the count', () => {
    // known {3 (score 9)}: above = {1} → 1; ties {2, 4} → 2; filtered rank = 1 + 1 + 2/2 = 3
    expect(rankRow(scores, 0, knownFrom({ 0: [3] }))).toEqual({ raw: 4, filtered: 3 });
  });

  it('removes a known-true answer tied with the gold from the tie count', () => {
    // known {4 (score 2)}: above = {1, 3} → 2; ties {2} → 1; filtered rank = 1 + 2 + 1/2 = 3.5
    expect(rankRow(scores, 0, knownFrom({ 0: [4] }))).toEqual({ raw: 4, filtered: 3.5 });
  });

  it('removes both kinds and ignores known answers below the gold', () => {
    // known {0 (gold), 3 (above), 4 (tie), 5 (below)}: above {1} → 1; ties {2} → 1; rank = 1 + 1 + 1/2 = 2.5
    expect(rankRow(scores, 0, knownFrom({ 0: [0, 3, 4, 5] }))).toEqual({ raw: 4, filtered: 2.5 });
  });

  it('never filters the gold itself', () => {
    // known answers list only the gold (as the filter index over train+valid+test does): nothing changes
    expect(rankRow(scores, 0, knownFrom({ 0: [0] }))).toEqual({ raw: 4, filtered: 4 });
    // the gold listed twice, and an empty list, change nothing either
    expect(rankRow(scores, 0, knownFrom({ 0: [0, 0] }))).toEqual({ raw: 4, filtered: 4 });
    expect(rankRow(scores, 0, knownFrom({}))).toEqual({ raw: 4, filtered: 4 });
  });

  it('counts a duplicated known answer once and ignores out-of-range answers', () => {
    // known {3, 3, 99}: only entity 3 is removed → filtered rank 3 (as in the first case)
    expect(rankRow(scores, 0, knownFrom({ 0: [3, 3, 99] })).filtered).toBe(3);
  });

  it('with known = null, filtered equals raw', () => {
    expect(rankRow(scores, 0, null)).toEqual({ raw: 4, filtered: 4 });
  });
});

describe('filteredRanks: optimistic and pessimistic ranks', () => {
  it('a known-true answer tied with the gold leaves the pessimistic rank as well as the realistic one', () => {
    // scores [1, 1, 1, 0], gold 0 (score 1), known {1}: above {} → 0; ties raw {1, 2} → 2, filtered {2} → 1
    //   raw 1 + 0 + 2/2 = 2; filtered 1 + 0 + 1/2 = 1.5; optimistic 1 + 0 = 1; pessimistic 1 + 0 + 1 = 2 (not 1 + 0 + 2 = 3)
    const out = { filtered: new Float64Array(1), raw: new Float64Array(1), filteredOptimistic: new Float64Array(1), filteredPessimistic: new Float64Array(1) };
    filteredRanks(Float32Array.from([1, 1, 1, 0]), 4, Int32Array.from([0]), Int32Array.from([0]), Int32Array.from([0]), knownFrom({ 0: [1] }), out);
    expect([out.raw[0], out.filtered[0], out.filteredOptimistic[0], out.filteredPessimistic[0]]).toEqual([2, 1.5, 1, 2]);
  });
});

describe('filteredRanks: NaN', () => {
  it('NaN candidates are worse than the gold and never tie with it', () => {
    // scores [NaN, 1, NaN, 1], gold = entity 1: above {} → 0; ties {3} → 1 (NaNs ignored); rank 1.5
    expect(rankRow([NaN, 1, NaN, 1], 1).raw).toBe(1.5);
    // gold = lowest finite score still beats the NaNs: [NaN, -5, 0] gold 1 → above {2} → rank 2
    expect(rankRow([NaN, -5, 0], 1).raw).toBe(2);
  });

  it('a NaN gold gets the worst rank: numEntities raw, the size of its candidate set filtered', () => {
    // scores [1, NaN, 2, NaN], gold = entity 1 → raw rank 4 = numEntities
    expect(rankRow([1, NaN, 2, NaN], 1)).toEqual({ raw: 4, filtered: 4 });
    // known {0, 1 (gold), 1}: entity 0 is removed → 3 candidates remain → filtered rank 3
    expect(rankRow([1, NaN, 2, NaN], 1, knownFrom({ 0: [0, 1, 1] }))).toEqual({ raw: 4, filtered: 3 });
  });

  it('a NaN gold ranks worst even when every score is NaN', () => {
    expect(rankRow([NaN, NaN, NaN], 0)).toEqual({ raw: 3, filtered: 3 });
  });
});

describe('filteredRanks: batches', () => {
  it('ranks several rows, asks the known answers per (entity, queryRelation) and writes at the offset', () => {
    const numEntities = 3;
    // row 0: [1, 2, 3] gold 0 → raw 3; known for entity 7: {2} → filtered 2
    // row 1: [3, 3, 3] gold 1 → raw 1 + 0 + 2/2 = 2; known for entity 8: {0} → filtered 1 + 0 + 1/2 = 1.5
    const scores = Float32Array.from([1, 2, 3, 3, 3, 3]);
    const known = knownFrom({ 7: [2], 8: [0] });
    const out = { filtered: new Float64Array(4).fill(-1), raw: new Float64Array(4).fill(-1) };
    filteredRanks(scores, numEntities, Int32Array.from([7, 8]), Int32Array.from([1, 4]), Int32Array.from([0, 1]), known, out, 2);
    expect(Array.from(out.raw)).toEqual([-1, -1, 3, 2]);
    expect(Array.from(out.filtered)).toEqual([-1, -1, 2, 1.5]);
    expect(known.calls).toEqual([
      [7, 1],
      [8, 4],
    ]);
  });

  it('skips known answers past numEntities or below 0 on every row: they never read the next or previous row', () => {
    const numEntities = 3;
    // row 0 [1, 2, 0], gold 0 (score 1): above {1} → raw 2. Its known answer 3 is out of range and skipped → filtered 2
    //   (read as base + 3 it would be row 1's entity 0, score 5 > 1, and give 1).
    // row 1 [5, 0, 0], gold 1 (score 0): above {0} → 1, ties {2} → 1: raw 1 + 1 + 1/2 = 2.5; no known answers → filtered 2.5
    const past = { filtered: new Float64Array(2), raw: new Float64Array(2) };
    filteredRanks(Float32Array.from([1, 2, 0, 5, 0, 0]), numEntities, Int32Array.from([0, 1]), Int32Array.from([0, 0]), Int32Array.from([0, 1]),
      knownFrom({ 0: [3] }), past);
    expect(Array.from(past.raw)).toEqual([2, 2.5]);
    expect(Array.from(past.filtered)).toEqual([2, 2.5]);
    // row 0 [0, 9, 0], gold 0 (score 0): above {1} → 1, ties {2} → 1: raw 2.5, no known answers → filtered 2.5
    // row 1 [1, 2, 0], gold 0 (score 1): above {1} → raw 2. Its known answer −2 is skipped → filtered 2
    //   (read as base − 2 it would be row 0's entity 1, score 9 > 1, and give 1). Not −1: that is also the loop's
    //   initial `previous`, skipped as a repeat before the range check is reached.
    const below = { filtered: new Float64Array(2), raw: new Float64Array(2) };
    filteredRanks(Float32Array.from([0, 9, 0, 1, 2, 0]), numEntities, Int32Array.from([0, 1]), Int32Array.from([0, 0]), Int32Array.from([0, 0]),
      knownFrom({ 1: [-2] }), below);
    expect(Array.from(below.raw)).toEqual([2.5, 2]);
    expect(Array.from(below.filtered)).toEqual([2.5, 2]);
  });

  it('rejects inconsistent shapes and out-of-range gold answers', () => {
    const out = { filtered: new Float64Array(2), raw: new Float64Array(2) };
    const one = Int32Array.from([0]);
    expect(() => filteredRanks(new Float32Array(3), 3, one, one, Int32Array.from([3]), null, out)).toThrow(RangeError);
    expect(() => filteredRanks(new Float32Array(2), 3, one, one, one, null, out)).toThrow(RangeError);
    expect(() => filteredRanks(new Float32Array(3), 3, new Int32Array(2), one, one, null, out)).toThrow(RangeError);
    expect(() => filteredRanks(new Float32Array(3), 3, one, one, one, null, out, 2)).toThrow(RangeError);
  });
});
