// SeededRandom.fillInts: each run of draws is seeded by one draw of the Alea stream; the draws are uniform, stay in
// range, are the same for the same seed and differ from run to run.
import { describe, expect, it } from 'vitest';
import { mulberry32, SeededRandom } from '../../src/core/random.js';

describe('SeededRandom.fillInts', () => {
  it('is uniform over [0, n): 200,000 draws in 10 bins pass a chi-square test at the 0.1% level', () => {
    const rng = new SeededRandom(11);
    const out = new Int32Array(50);
    const bins = new Array<number>(10).fill(0);
    for (let run = 0; run < 4000; run++) {
      rng.fillInts(out, 10);
      for (const v of out) bins[v]!++;
    }
    const expected = 200_000 / 10;
    const chi2 = bins.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(27.88); // χ²(9 degrees of freedom) at p = 0.001
  });

  it('stays in range for a large n, fills only its window, and repeats for the same seed', () => {
    const draw = (seed: number): Int32Array => {
      const out = new Int32Array(1000);
      new SeededRandom(seed).fillInts(out, 2_500_000, 10, 990);
      return out;
    };
    const a = draw(3);
    expect(a.subarray(10, 990).every((v) => v >= 0 && v < 2_500_000)).toBe(true);
    expect(Math.max(...a.subarray(10, 990))).toBeGreaterThan(2_400_000);
    expect([a[9], a[990]]).toEqual([0, 0]);
    expect(Array.from(draw(3))).toEqual(Array.from(a));
    expect(Array.from(draw(4))).not.toEqual(Array.from(a));
  });

  it('starts each run from a new draw of the stream: two runs differ, a restored state repeats them', () => {
    const rng = new SeededRandom('x');
    const saved = rng.state();
    const first = new Int32Array(20), second = new Int32Array(20);
    rng.fillInts(first, 1000);
    rng.fillInts(second, 1000);
    expect(Array.from(second)).not.toEqual(Array.from(first));
    const again = new Int32Array(20);
    new SeededRandom('ignored', saved).fillInts(again, 1000);
    expect(Array.from(again)).toEqual(Array.from(first));
  });

  it('mulberry32 keeps its published stream (seed 1: 0.6270739405881613, 0.002735721180215478)', () => {
    const next = mulberry32(1);
    expect(next()).toBe(0.6270739405881613);
    expect(next()).toBe(0.002735721180215478);
  });
});
