// The self-adversarial (nssa) loss kernel (assembly/sampled-loss.ts, sampledNssaLoss) for every count of negatives
// modulo 4 (the 4-wide body and the scalar tail) and temperatures up to 1e30: the tail takes the row max and the
// exponents in the same float32 arithmetic as the body (the tail's exponent in float64 against a float32 max gave
// exp(hundreds) = Inf, Z = Inf and p = Inf/Inf = NaN for --adv-temperature 1e10 with --neg 50), so the weights are
// finite and the loss and its gradient equal tfjs autodiff of losses.ts's selfAdversarialLoss and float64 finite
// differences. Past float32 (α·s overflowing, α itself beyond float32) the weights stay finite and sum to 1.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { selfAdversarialLoss } from '../../src/core/losses.js';
import { loadKernels, type Kernels } from '../../src/kernels/kernels.js';
import { expectFinite, rng } from './helpers.js';

let k: Kernels;
beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  k = await loadKernels();
});
beforeEach(() => k.memory.reset());

/** The kernel's loss and dscore for n gold-first rows of M scores (scale ½/B: the batch mean over B queries). */
function kernelNssa(scores: Float32Array, n: number, M: number, B: number, margin: number, alpha: number): { value: number; d: Float32Array } {
  const s = k.memory.allocF32(n * M), d = k.memory.allocF32(n * M);
  s.array.set(scores);
  const value = k.fused.sampledNssaLoss(n, M, s, d, margin, alpha, 0.5 / B);
  return { value, d: d.array.slice() };
}

const softplus = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

/** The weights p = softmax(α·s⁻) of each row as tfjs defines them: float32 products, max subtracted, in float64. */
function weightsOf(scores: Float32Array, n: number, M: number, alpha: number): number[][] {
  const a = Math.fround(alpha);
  return Array.from({ length: n }, (_, b) => {
    const x = Array.from({ length: M - 1 }, (_, j) => Math.fround(a * scores[b * M + 1 + j]!));
    const max = Math.max(...x);
    const e = x.map((v) => Math.exp(v - max));
    const z = e.reduce((s, v) => s + v, 0);
    return e.map((v) => v / z);
  });
}

/** The float64 batch mean of L with the weights held constant (for finite differences). */
function referenceLoss(scores: Float64Array, p: number[][], n: number, M: number, B: number, margin: number): number {
  let total = 0;
  for (let b = 0; b < n; b++) {
    let l = softplus(-margin - scores[b * M]!);
    for (let j = 1; j < M; j++) l += p[b]![j - 1]! * softplus(margin + scores[b * M + j]!);
    total += (0.5 * l) / B;
  }
  return total;
}

describe('sampledNssaLoss: body and tail agree, finite at any temperature', () => {
  const margin = 6;
  for (const negatives of [1, 2, 3, 5, 6, 7, 49, 50, 51]) {
    for (const alpha of [0.7, 1e4, 1e10, 1e20, 1e30]) {
      it(`${negatives} negatives, α = ${alpha}: equals tfjs autodiff and float64 finite differences`, () => {
        const n = 3, M = negatives + 1, B = 5;
        const r = rng(negatives * 7 + Math.round(Math.log10(alpha)));
        // distance-like scores (RotatE: −‖q − t‖) around −10, so α·s is around −1e11 at α = 1e10
        const scores = Float32Array.from({ length: n * M }, () => -(4 + 12 * r()));
        const { value, d } = kernelNssa(scores, n, M, B, margin, alpha);
        expect(Number.isFinite(value)).toBe(true);
        expectFinite(d, 'dscore');

        const { value: tfValue, grad } = tf.tidy(() => {
          const f = (x: tf.Tensor2D): tf.Scalar => tf.mul(n / B, selfAdversarialLoss(x, margin, alpha)) as tf.Scalar;
          const { value: v, grad: g } = tf.valueAndGrad(f)(tf.tensor2d(scores, [n, M]));
          return { value: v.dataSync()[0]!, grad: Array.from(g.dataSync()) };
        });
        expect(Math.abs(value - tfValue)).toBeLessThan(1e-6 * Math.max(1, Math.abs(tfValue)));
        grad.forEach((g, i) => expect(Math.abs(d[i]! - g), `dscore[${i}]`).toBeLessThan(1e-7 + 1e-5 * Math.abs(g)));

        const p = weightsOf(scores, n, M, alpha);
        const s64 = Float64Array.from(scores);
        expect(Math.abs(value - referenceLoss(s64, p, n, M, B, margin))).toBeLessThan(1e-6 * Math.max(1, Math.abs(value)));
        const h = 1e-4;
        for (let i = 0; i < n * M; i++) {
          const up = Float64Array.from(s64); up[i] += h;
          const down = Float64Array.from(s64); down[i] -= h;
          const fd = (referenceLoss(up, p, n, M, B, margin) - referenceLoss(down, p, n, M, B, margin)) / (2 * h);
          expect(Math.abs(d[i]! - fd), `finite difference of score ${i}`).toBeLessThan(1e-6 + 1e-4 * Math.abs(fd));
        }
      });
    }
  }

  // α·s beyond float32 (tfjs's float32 softmax gives NaN there): the weights of the largest products, and finite
  for (const alpha of [1e38, 1e300]) {
    for (const negatives of [3, 4, 50]) {
      it(`${negatives} negatives, α = ${alpha} (α·s overflows float32): finite, weights summing to 1`, () => {
        const n = 2, M = negatives + 1, B = 2;
        const r = rng(negatives);
        // row 0: every negative < 0 (all products −Inf); row 1: some above 0 (products +Inf)
        const scores = Float32Array.from({ length: n * M }, (_, i) => (i < M ? -(4 + 12 * r()) : 8 * r() - 6));
        const { value, d } = kernelNssa(scores, n, M, B, margin, alpha);
        expect(Number.isFinite(value)).toBe(true);
        expectFinite(d, 'dscore');
        for (let b = 0; b < n; b++) {
          // dscore_j = scale·p_j·σ(γ + s_j) for the negatives
          const p = Array.from({ length: M - 1 }, (_, j) => d[b * M + 1 + j]! / ((0.5 / B) * sigmoid(margin + scores[b * M + 1 + j]!)));
          expect(Math.abs(p.reduce((s, v) => s + v, 0) - 1)).toBeLessThan(1e-5);
          for (const v of p) expect(v).toBeGreaterThanOrEqual(0);
          // no weight on a negative whose product is not the row's largest
          const top = Math.max(...Array.from({ length: M - 1 }, (_, j) => Math.fround(Math.fround(Math.min(alpha, 3.4028234663852886e38)) * scores[b * M + 1 + j]!)));
          p.forEach((v, j) => {
            if (Math.fround(Math.fround(Math.min(alpha, 3.4028234663852886e38)) * scores[b * M + 1 + j]!) < top) expect(v).toBeLessThan(1e-30); // the body's exp is floored at e^−87
          });
        }
      });
    }
  }
});
