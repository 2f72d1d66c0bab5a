/**
 * Test helpers for src/hyperbolic: a seeded RNG, samplers of ball points / tangent vectors at chosen radii,
 * tensor ↔ number[][] conversion, tolerance checks and a tfjs-vs-float64 gradient comparison.
 */
import { mulberry32 } from '../../src/core/random.js';
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { finiteDifferenceGrad, type Mat } from './reference64.js';

/** mulberry32: small deterministic PRNG in [0, 1) (one implementation, in src/core/random.ts). */
export const rng = mulberry32;

/** Standard normal via Box–Muller. */
export function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-300);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** A vector of dimension d with Euclidean norm `len` in a random direction (len = 0 gives the zero vector). */
export function vectorOfNorm(rand: () => number, d: number, len: number): number[] {
  const v = Array.from({ length: d }, () => gaussian(rand));
  const n = Math.hypot(...v);
  return v.map((x) => (x / n) * len);
}

/** Rows whose √c‖x‖ equals the given fractions (of the ball radius 1/√c), one c per row. */
export function ballRows(rand: () => number, d: number, fractions: number[], cs: number[]): Mat {
  return fractions.map((f, i) => vectorOfNorm(rand, d, f / Math.sqrt(cs[i]!)));
}

/** Random values in [lo, hi). */
export function uniform(rand: () => number, n: number, lo: number, hi: number): number[] {
  return Array.from({ length: n }, () => lo + (hi - lo) * rand());
}

/** [B] → [B][1]. */
export function column(values: number[]): Mat {
  return values.map((v) => [v]);
}

/** number[][] → float32 tensor. */
export function toTensor(m: Mat): tf.Tensor2D {
  return tf.tensor2d(m, [m.length, m[0]!.length], 'float32');
}

/** Tensor → number[][]. */
export function toMat(t: tf.Tensor): Mat {
  return t.arraySync() as Mat;
}

/** Largest |entry|. */
export function maxAbs(m: Mat): number {
  return Math.max(...m.map((row) => Math.max(...row.map(Math.abs))));
}

/** Asserts every entry of actual is within atol + rtol·|expected| of expected (a NaN on either side fails at once); reports the worst entry. */
export function expectClose(actual: Mat, expected: Mat, rtol: number, atol = 0, label = ''): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  let where = '';
  actual.forEach((row, i) => {
    expect(row.length).toBe(expected[i]!.length);
    row.forEach((a, j) => {
      const e = expected[i]![j]!;
      const diff = Math.abs(a - e);
      const excess = diff === 0 ? 0 : diff / (atol + rtol * Math.abs(e));
      if (Number.isNaN(excess)) expect.fail(`${label} [${i}][${j}] actual ${a} expected ${e}`); // a NaN on either side
      if (excess > worst) {
        worst = excess;
        where = `[${i}][${j}] actual ${a} expected ${e}`;
      }
    });
  });
  expect(worst, `${label} worst ${where}`).toBeLessThanOrEqual(1);
}

/** Asserts all entries are finite numbers. */
export function expectFinite(m: Mat, label = ''): void {
  for (const row of m) for (const v of row) expect(Number.isFinite(v), `${label}: ${v}`).toBe(true);
}

/**
 * Compares tfjs gradients of L = Σ W ⊙ f(inputs) with central finite differences of the float64 reference of the
 * same L. Per row of each input, the tolerance is rtol relative to that row's largest reference gradient entry
 * (at least 1e-3 of the input's largest).
 */
export function checkGradients(
  label: string,
  f32: (...inputs: tf.Tensor[]) => tf.Tensor,
  f64: (inputs: Mat[]) => Mat,
  inputs: Mat[],
  rtol: number,
  seed = 7,
): void {
  // The reference sees exactly the float32 inputs tfjs sees, so only computation error is measured.
  inputs = inputs.map((m) => m.map((row) => row.map(Math.fround)));
  const out = f64(inputs);
  const rand = rng(seed);
  const weights: Mat = out.map((row) => row.map(() => gaussian(rand)));
  const loss64 = (ins: Mat[]): number =>
    f64(ins).reduce((s, row, i) => s + row.reduce((t, v, j) => t + v * weights[i]![j]!, 0), 0);
  const expected = finiteDifferenceGrad(loss64, inputs);
  const actual = tf.tidy(() => {
    const w = toTensor(weights);
    const grads = tf.grads((...ts: tf.Tensor[]) => tf.sum(tf.mul(f32(...ts), w)))(inputs.map(toTensor));
    return grads.map(toMat);
  });
  actual.forEach((g, k) => {
    expectFinite(g, `${label} grad ${k}`);
    // Each row against its own largest reference entry (floored at 1e-3 of the input's largest, where float32
    // rounding of the big terms dominates), so a wrong interior row cannot hide behind a large one.
    g.forEach((row, i) => {
      const scale = Math.max(maxAbs([expected[k]![i]!]), 1e-3 * maxAbs(expected[k]!), 1e-12);
      expectClose([row], [expected[k]![i]!], 0, rtol * scale, `${label} grad of input ${k}, row ${i}`);
    });
  });
}
