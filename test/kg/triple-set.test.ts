// dedupeTriples: repeated (h, r, t) removed in place, first occurrences kept in file order, against a Set of keys;
// small inputs (one partition) and large ones (many partitions, duplicates far apart). countSharedTriples: a set intersection.
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { countSharedTriples, dedupeTriples } from '../../src/kg/triple-set.js';

/** What a plain Set of "h,r,t" keys keeps, in order. */
function reference(triples: Int32Array, count: number): number[] {
  const seen = new Set<string>();
  const kept: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = [triples[3 * i]!, triples[3 * i + 1]!, triples[3 * i + 2]!];
    const key = t.join(',');
    if (!seen.has(key)) {
      seen.add(key);
      kept.push(...t);
    }
  }
  return kept;
}

/** `n` random triples over small id ranges (so many repeat), from a linear congruential generator. */
function randomTriples(n: number, entities: number, relations: number, seed: number): Int32Array {
  let state = seed >>> 0;
  const next = (m: number): number => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) % m;
  const triples = new Int32Array(3 * n);
  for (let i = 0; i < n; i++) triples.set([next(entities), next(relations), next(entities)], 3 * i);
  return triples;
}

describe('dedupeTriples', () => {
  it('keeps first occurrences in order (a hand-made example, only the first `count` triples)', () => {
    const triples = Int32Array.of(1, 0, 2, 2, 0, 1, 1, 0, 2, 1, 1, 2, 2, 0, 1, 9, 9, 9);
    expect(dedupeTriples(triples, 5)).toBe(3);
    expect(Array.from(triples.subarray(0, 9))).toEqual([1, 0, 2, 2, 0, 1, 1, 1, 2]);
    expect(Array.from(triples.subarray(15))).toEqual([9, 9, 9]); // beyond `count`: untouched
  });

  it.each([[5_000, 60, 4], [300_000, 700, 6]])('matches a Set of keys on %i random triples', (n, entities, relations) => {
    const triples = randomTriples(n, entities, relations, n);
    const want = reference(triples, n);
    expect(want.length / 3).toBeLessThan(n); // there are duplicates to remove
    const kept = dedupeTriples(triples, n);
    expect(kept).toBe(want.length / 3);
    expect(Array.from(triples.subarray(0, 3 * kept))).toEqual(want);
  });

  it('handles no triples and a single one', () => {
    expect(dedupeTriples(new Int32Array(0), 0)).toBe(0);
    expect(dedupeTriples(Int32Array.of(0, 0, 0), 1)).toBe(1);
  });
});

describe('countSharedTriples', () => {
  it('counts the triples two duplicate-free arrays share, either way round, as a set intersection does', () => {
    const rng = seedrandom.alea('shared');
    const make = (n: number, ids: number): Int32Array => {
      const seen = new Set<string>();
      const out: number[] = [];
      while (out.length < 3 * n) {
        const t = [Math.floor(rng() * ids), Math.floor(rng() * 3), Math.floor(rng() * ids)];
        if (seen.has(t.join())) continue;
        seen.add(t.join());
        out.push(...t);
      }
      return Int32Array.from(out);
    };
    const a = make(5000, 60);
    const b = make(300, 60);
    const keys = (x: Int32Array): Set<string> => new Set(Array.from({ length: x.length / 3 }, (_, i) => `${x[3 * i]},${x[3 * i + 1]},${x[3 * i + 2]}`));
    const inA = keys(a);
    const expected = [...keys(b)].filter((k) => inA.has(k)).length;
    expect(expected).toBeGreaterThan(10); // the premise: a real overlap (5000 of 10,800 possible triples)
    expect(countSharedTriples(a, b)).toBe(expected);
    expect(countSharedTriples(b, a)).toBe(expected);
    expect(countSharedTriples(a, a)).toBe(5000);
    expect(countSharedTriples(a, new Int32Array(0))).toBe(0);
    expect(countSharedTriples(Int32Array.from([1, 2, 3]), Int32Array.from([1, 2, 4, 3, 2, 1]))).toBe(0);
  });
});
