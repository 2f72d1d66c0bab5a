// Shared helpers of the kernel tests: a seeded RNG, block fillers and tolerance checks.
import { mulberry32 } from '../../src/core/random.js';
import { expect } from 'vitest';
import type { F32Block, I32Block } from '../../src/kernels/kernel-memory.js';
import type { Kernels } from '../../src/kernels/kernels.js';

/** mulberry32: small deterministic PRNG in [0, 1) (one implementation, in src/core/random.ts). */
export const rng = mulberry32;

/** A float32 block of kernel memory holding `values`. */
export function f32(k: Kernels, values: ArrayLike<number>): F32Block {
  const b = k.memory.allocF32(values.length);
  b.array.set(Array.from(values));
  return b;
}

/** An int32 block of kernel memory holding `values`. */
export function i32(k: Kernels, values: ArrayLike<number>): I32Block {
  const b = k.memory.allocI32(values.length);
  b.array.set(Array.from(values));
  return b;
}

/** Expects |actual − expected| ≤ abs + rel·|expected| elementwise, reporting the first offender. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number, abs: number,
  what = ''): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const tol = abs + rel * Math.abs(expected[i]);
    if (!(Math.abs(actual[i] - expected[i]) <= tol)) {
      expect.fail(`${what}[${i}]: got ${actual[i]}, expected ${expected[i]} (tol ${tol})`);
    }
  }
}

/** Expects every value to be finite. */
export function expectFinite(values: ArrayLike<number>, what = ''): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) expect.fail(`${what}[${i}] = ${values[i]} is not finite`);
  }
}

/** Fills a float32 view with uniform values in [lo, hi) and returns it rounded to float32 as a plain array. */
export function uniform(r: () => number, n: number, lo: number, hi: number): number[] {
  return Array.from({ length: n }, () => Math.fround(lo + (hi - lo) * r()));
}

/** Scales the rows of a [n×d] array so that row i has Euclidean norm norms[i] (float32-rounded). */
export function withNorms(x: number[], d: number, norms: number[]): number[] {
  const out = x.slice();
  for (let i = 0; i < norms.length; i++) {
    let n = 0;
    for (let k = 0; k < d; k++) n += x[i * d + k] ** 2;
    const f = n > 0 ? norms[i] / Math.sqrt(n) : 0;
    for (let k = 0; k < d; k++) out[i * d + k] = Math.fround(x[i * d + k] * f);
  }
  return out;
}
