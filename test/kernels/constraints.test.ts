// unitNormRows (kernels/assembly/constraints.ts): by hand, and bit for bit equal to its readable twin
// projectUnitRows (core/table-constraints.ts) on random tables of several widths and scales; bad widths refused.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadKernels, type Kernels } from '../../src/kernels/kernels.js';
import { projectUnitRows } from '../../src/core/table-constraints.js';
import { f32, rng } from './helpers.js';

let k: Kernels;
beforeAll(async () => { k = await loadKernels(); });
beforeEach(() => k.memory.reset());

describe('unitNormRows', () => {
  it('divides each row by its L2 norm and leaves a zero row as it is (by hand, d = 4)', () => {
    const param = f32(k, [3, 4, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 6, 8]);
    k.unitNormRows(4, 4, param);
    const half = Math.fround(Math.SQRT1_2);
    expect(Array.from(param.array)).toEqual([Math.fround(0.6), Math.fround(0.8), 0, 0, half, half, 0, 0, 0, 0, 0, 0, 0, 0, Math.fround(0.6), Math.fround(0.8)]);
  });

  for (const [d, scale] of [[4, 1], [8, 1e-3], [32, 1], [32, 50], [100, 1e-9]] as const) {
    it(`equals projectUnitRows bit for bit (d = ${d}, entries of scale ${scale}), and the rows are unit`, () => {
      const n = 257;
      const random = rng(d * 7 + 1);
      const values = Array.from({ length: n * d }, () => scale * (2 * random() - 1));
      const param = f32(k, values);
      const twin = Float32Array.from(values);
      k.unitNormRows(n, d, param);
      projectUnitRows(twin, d);
      expect(Array.from(param.array)).toEqual(Array.from(twin));
      for (let i = 0; i < n; i++) {
        const norm = Math.hypot(...param.array.subarray(i * d, i * d + d));
        expect(Math.abs(norm - 1)).toBeLessThan(1e-6);
      }
    });
  }

  it('touches only the n rows it is given', () => {
    const param = f32(k, [3, 4, 0, 0, 3, 4, 0, 0]);
    k.unitNormRows(1, 4, param);
    expect(Array.from(param.array.subarray(4))).toEqual([3, 4, 0, 0]);
  });

  it('refuses a width that is not a positive multiple of 4, and a block shorter than n·d', () => {
    const param = f32(k, Array(12).fill(1));
    expect(() => k.unitNormRows(2, 6, param)).toThrow(/unitNormRows: d must be a multiple of 4/);
    expect(() => k.unitNormRows(4, 4, param)).toThrow(/unitNormRows.*param/);
  });
});
