// Row movement, unique rows and the sampled BCE kernel (KGEmb's negative-sampling loss) against float64 oracles.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadKernels, type Kernels } from '../../src/kernels/kernels.js';
import type { F32Block } from '../../src/kernels/kernel-memory.js';
import { gatherRowsRef, sampledSoftplusLossRef, scatterAddRowsRef } from '../../src/kernels/reference.js';
import { expectClose, f32, i32, rng, uniform } from './helpers.js';

let k: Kernels;
beforeAll(async () => { k = await loadKernels(); });
beforeEach(() => k.memory.reset());

describe('rows', () => {
  it('gatherRows and scatterAddRows (repeats accumulate) match the reference', () => {
    const r = rng(1), N = 9, d = 8, rows = [3, 0, 3, 8, 3, 5];
    const table = uniform(r, N * d, -1, 1), src = uniform(r, rows.length * d, -1, 1);
    const dst = k.memory.allocF32(rows.length * d);
    k.gatherRows(rows.length, d, i32(k, rows), f32(k, table), dst);
    expectClose(dst.array, gatherRowsRef(rows, d, table), 0, 0);
    const acc = f32(k, table), ref = Float64Array.from(table);
    k.scatterAddRows(rows.length, d, i32(k, rows), f32(k, src), acc);
    scatterAddRowsRef(rows, d, src, ref);
    expectClose(acc.array, ref, 1e-6, 1e-6);
  });

  it('addRowsAndClear folds the listed rows of one accumulator into another and clears them (d not a multiple of 4)', () => {
    const d = 5, src = f32(k, Array.from({ length: 4 * d }, (_, i) => i + 1)), dst = f32(k, Array.from({ length: 4 * d }, () => 0.5));
    k.raw.addRowsAndClear(2, d, i32(k, [3, 1]).offset, src.offset, dst.offset);
    expect(Array.from(dst.array)).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 6.5, 7.5, 8.5, 9.5, 10.5, 0.5, 0.5, 0.5, 0.5, 0.5, 16.5, 17.5, 18.5, 19.5, 20.5]);
    expect(Array.from(src.array)).toEqual([1, 2, 3, 4, 5, 0, 0, 0, 0, 0, 11, 12, 13, 14, 15, 0, 0, 0, 0, 0]);
  });

  it('uniqueRows keeps first occurrences and leaves the marks at 0', () => {
    const ids = i32(k, [4, 1, 4, 4, 0, 1, 7]), mark = k.memory.allocI32(8), out = k.memory.allocI32(7);
    expect(k.uniqueRows(ids, 7, mark, out)).toBe(4);
    expect(Array.from(out.array.subarray(0, 4))).toEqual([4, 1, 0, 7]);
    expect(mark.array.every((x) => x === 0)).toBe(true);
  });
});

/** The fused step's BCE kernel with column 0 gold at KGEmb's scale 1/(B·M). */
const bce = (B: number, M: number, scores: F32Block, dscore: F32Block): number => k.fused.sampledSoftplusLoss(B, M, true, scores, dscore, 1 / (B * M));

describe('sampledSoftplusLoss (gold first, KGEmb scale)', () => {
  it('all scores 0: L = ln 2, dL/ds = ∓0.5/(B·M)', () => {
    const B = 2, M = 3, dscore = k.memory.allocF32(B * M);
    expect(bce(B, M, k.memory.allocF32(B * M), dscore)).toBeCloseTo(Math.LN2, 12);
    expectClose(dscore.array, [-1, 1, 1, -1, 1, 1].map((x) => (0.5 * x) / 6), 1e-7, 0);
  });

  it('matches the reference on large-magnitude scores without overflow', () => {
    const r = rng(2), B = 7, M = 51;
    const s = uniform(r, B * M, -60, 60);
    s[0] = -200;
    s[1] = 200;
    const dscore = k.memory.allocF32(B * M);
    const loss = bce(B, M, f32(k, s), dscore);
    const ref = sampledSoftplusLossRef(B, M, s, 1 / (B * M));
    expect(Math.abs(loss - ref.loss)).toBeLessThan(1e-6 * ref.loss);
    expectClose(dscore.array, ref.dscore, 1e-6, 1e-12);
  });

  it('matches the reference on small scores (log1p regime), M not a multiple of 4', () => {
    const r = rng(3), B = 5, M = 10;
    const s = uniform(r, B * M, -1e-3, 1e-3);
    const dscore = k.memory.allocF32(B * M);
    const loss = bce(B, M, f32(k, s), dscore);
    const ref = sampledSoftplusLossRef(B, M, s, 1 / (B * M));
    expect(Math.abs(loss - ref.loss)).toBeLessThan(1e-6 * ref.loss);
    expectClose(dscore.array, ref.dscore, 1e-5, 1e-9);
  });
});
