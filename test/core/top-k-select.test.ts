import { describe, expect, it } from 'vitest';
import { topKOrdered, topKPerRow } from '../../src/core/top-k-select.js';
import { SeededRandom } from '../../src/core/random.js';

/** The k largest values of a row, sorted descending (brute force). */
function bruteForce(row: Float32Array, k: number): number[] {
  return Array.from(row).sort((a, b) => b - a).slice(0, k);
}

describe('topKPerRow', () => {
  it('picks the hand-checked top 2 of small rows', () => {
    const out = new Int32Array(4);
    topKPerRow(Float32Array.of(0.1, 0.9, 0.5, 0.7, /* row 2 */ -1, -2, -3, 5), 2, 4, 2, out);
    expect(Array.from(out.subarray(0, 2)).sort()).toEqual([1, 3]);
    expect(Array.from(out.subarray(2, 4)).sort()).toEqual([0, 3]);
  });

  it.each([[40943, 500], [14541, 32], [5000, 4999], [3000, 1], [100, 100]])('equals brute force on random rows (N=%i, K=%i)', (cols, k) => {
    const rng = new SeededRandom(cols + k);
    const rows = 3;
    const scores = Float32Array.from({ length: rows * cols }, () => rng.normal());
    scores.fill(2.5, cols, cols + 700); // a row with many ties
    const out = new Int32Array(rows * k);
    topKPerRow(scores, rows, cols, k, out);
    for (let r = 0; r < rows; r++) {
      const row = scores.subarray(r * cols, (r + 1) * cols);
      const ids = out.subarray(r * k, (r + 1) * k);
      expect(new Set(ids).size).toBe(k);
      const got = Array.from(ids, (i) => row[i]!).sort((a, b) => b - a);
      expect(got).toEqual(bruteForce(row, k));
    }
  });

  it('rejects K outside 1..N', () => {
    expect(() => topKPerRow(new Float32Array(4), 1, 4, 5, new Int32Array(5))).toThrow(/1 ≤ K ≤ 4/);
  });
});

describe('topKOrdered', () => {
  it('ranks by score descending, ties to the lower id, NaN as −∞ (hand-checked)', () => {
    const scores = Float32Array.of(0.5, NaN, 2, 0.5, -Infinity, 2, 0.5, 1);
    const three = topKOrdered(scores, 3);
    expect(Array.from(three.ids)).toEqual([2, 5, 7]);
    expect(Array.from(three.values)).toEqual([2, 2, 1]);
    // K ends inside a tie of three 0.5s: the two lower ids of the tie
    expect(Array.from(topKOrdered(scores, 5).ids)).toEqual([2, 5, 7, 0, 3]);
    // all of them: after the finite scores, −∞ and NaN tie as −∞, the lower id first
    const all = topKOrdered(scores, 8);
    expect(Array.from(all.ids)).toEqual([2, 5, 7, 0, 3, 6, 1, 4]);
    expect(Number.isNaN(all.values[6]!)).toBe(true);
  });

  it.each([[40943, 10], [14541, 500], [3000, 3000], [1, 1]])('equals the full sort on random rows with ties (N=%i, K=%i)', (N, K) => {
    const rng = new SeededRandom(N * 7 + K);
    // values on a coarse grid: many ties, at the K-th place too
    const scores = Float32Array.from({ length: N }, () => Math.round(rng.normal() * 8) / 8);
    const order = Array.from({ length: N }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b).slice(0, K);
    expect(Array.from(topKOrdered(scores, K).ids)).toEqual(order);
  });

  it('rejects K outside 1..N', () => {
    expect(() => topKOrdered(new Float32Array(4), 0)).toThrow(/1 ≤ K ≤ 4/);
    expect(() => topKOrdered(new Float32Array(4), 5)).toThrow(/1 ≤ K ≤ 4/);
  });
});
