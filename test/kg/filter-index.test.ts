import { describe, it, expect } from 'vitest';
import { FilterIndex } from '../../src/kg/filter-index.js';

/** Deterministic pseudo-random integers in [0, n) (a linear congruential generator). */
function lcg(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
}

describe('FilterIndex', () => {
  it('answers a hand-made example in both directions', () => {
    // R = 2: (0, 0, 1), (0, 0, 2), (3, 1, 0), (0, 0, 1) again
    const index = FilterIndex.build(4, 2, [Int32Array.of(0, 0, 1, 0, 0, 2), Int32Array.of(3, 1, 0, 0, 0, 1)]);
    expect([...index.answers(0, 0)]).toEqual([1, 2]); // tails of (0, r0)
    expect([...index.answers(1, 2)]).toEqual([0]); // heads of (r0, 1), asked with r0 + R = 2
    expect([...index.answers(2, 2)]).toEqual([0]);
    expect([...index.answers(3, 1)]).toEqual([0]);
    expect([...index.answers(0, 3)]).toEqual([3]); // heads of (r1, 0)
    expect(index.answers(0, 1).length).toBe(0);
    expect(index.answers(2, 0).length).toBe(0);
    expect(index.isKnown(0, 0, 2)).toBe(true);
    expect(index.isKnown(0, 0, 3)).toBe(false);
    expect(index.isKnown(0, 3, 3)).toBe(true);
    expect(index.isKnown(1, 0, 0)).toBe(false);
    expect(index.numQueries).toBe(5);
    expect(index.numAnswers).toBe(6); // 3 distinct triples, twice
  });

  it('matches a brute-force set on a random graph with duplicates across sets', () => {
    const numEntities = 40;
    const numRelations = 5;
    const random = lcg(12345);
    const sets = [700, 90, 110].map((n) => {
      const triples = new Int32Array(3 * n);
      for (let i = 0; i < n; i++) {
        triples[3 * i] = random(numEntities);
        triples[3 * i + 1] = random(numRelations);
        triples[3 * i + 2] = random(numEntities);
      }
      return triples;
    });
    const truth = new Map<string, Set<number>>();
    const add = (entity: number, query: number, answer: number): void => {
      const key = `${entity},${query}`;
      if (!truth.has(key)) truth.set(key, new Set());
      truth.get(key)!.add(answer);
    };
    for (const triples of sets) {
      for (let i = 0; i < triples.length; i += 3) {
        add(triples[i]!, triples[i + 1]!, triples[i + 2]!);
        add(triples[i + 2]!, triples[i + 1]! + numRelations, triples[i]!);
      }
    }

    const index = FilterIndex.build(numEntities, numRelations, sets);
    let pairs = 0;
    for (let entity = 0; entity < numEntities; entity++) {
      for (let query = 0; query < 2 * numRelations; query++) {
        const expected = [...(truth.get(`${entity},${query}`) ?? [])].sort((a, b) => a - b);
        expect([...index.answers(entity, query)]).toEqual(expected);
        for (let answer = 0; answer < numEntities; answer++) {
          expect(index.isKnown(entity, query, answer)).toBe(expected.includes(answer));
        }
        pairs += expected.length;
      }
    }
    expect(index.numQueries).toBe(truth.size);
    expect(index.numAnswers).toBe(pairs);
    expect(pairs).toBeGreaterThan(1000); // the random graph is not trivially small
  });

  it('is exact when 2R·E exceeds 32 bits (packed pairs in float64) and on a hub with a long run', () => {
    const numEntities = 3_000_000;
    const numRelations = 1_000; // 2R·E = 6·10^9 > 2^32
    const hub = numEntities - 1;
    const random = lcg(7);
    const triples = new Int32Array(3 * 300);
    for (let i = 0; i < 300; i++) triples.set([hub, numRelations - 1 - (i % 3), random(numEntities)], 3 * i);
    triples.set([hub, numRelations - 1, triples[2]!], 3 * 299); // a duplicate of the first triple
    const index = FilterIndex.build(numEntities, numRelations, [triples]);
    for (let r = numRelations - 3; r < numRelations; r++) {
      const tails = [...new Set(Array.from({ length: 300 }, (_, i) => i).filter((i) => triples[3 * i + 1] === r).map((i) => triples[3 * i + 2]!))].sort((a, b) => a - b);
      expect([...index.answers(hub, r)]).toEqual(tails);
      for (const tail of tails) expect([...index.answers(tail, r + numRelations)]).toContain(hub);
    }
    expect(index.answers(hub, numRelations - 1).length).toBeGreaterThan(24); // sorted natively, not by insertion
    expect(index.numAnswers).toBe(2 * 299);
  });

  it('returns views that cannot reach other queries', () => {
    const index = FilterIndex.build(3, 1, [Int32Array.of(0, 0, 1, 0, 0, 2, 1, 0, 2)]);
    const view = index.answers(0, 0);
    expect([...view]).toEqual([1, 2]);
    expect(view.length).toBe(2);
  });

  it('rejects out-of-range ids and bad sizes', () => {
    expect(() => FilterIndex.build(2, 1, [Int32Array.of(0, 1, 1)])).toThrow('triple 0 (0, 1, 1) out of range for 2 entities, 1 relations');
    expect(() => FilterIndex.build(2, 1, [Int32Array.of(0, 0, 2)])).toThrow(RangeError);
    expect(() => FilterIndex.build(2, 1, [Int32Array.of(0, 0)])).toThrow('not a multiple of 3');
    expect(() => FilterIndex.build(0, 1, [])).toThrow(RangeError);
  });

  it('builds an empty index', () => {
    const index = FilterIndex.build(3, 2, []);
    expect(index.numQueries).toBe(0);
    expect(index.numAnswers).toBe(0);
    expect(index.isKnown(0, 0, 0)).toBe(false);
  });
});
