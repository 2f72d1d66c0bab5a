import { describe, expect, it } from 'vitest';
import { topKPerRow } from '../../src/core/top-k-select.js';
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
