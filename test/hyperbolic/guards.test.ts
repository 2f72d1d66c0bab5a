/** Guard constants and guarded scalar functions: values, clamping, and finite gradients at the edges. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as H from '../../src/hyperbolic/index.js';
import * as O from './ball-oracles.js';

beforeAll(async () => {
  if (!(await tf.setBackend('cpu'))) throw new Error('cpu backend unavailable');
});

/** Values and gradient of Σ f(x) at the given points. */
function valueAndGrad(f: (x: tf.Tensor) => tf.Tensor, xs: number[]): { value: number[]; grad: number[] } {
  return tf.tidy(() => {
    const x = tf.tensor1d(xs);
    return { value: Array.from(f(x).dataSync()), grad: Array.from(tf.grad((t: tf.Tensor) => tf.sum(f(t)))(x).dataSync()) };
  });
}

describe('guard constants', () => {
  it('are representable and ordered sensibly in float32', () => {
    const f = Math.fround;
    expect(f(1 - H.BALL_EPS)).toBeLessThan(1);
    expect(f(1 - O.ARTANH_EPS)).toBeLessThan(1);
    // The artanh clamp lies strictly outside the projected ball, with many ulps (2⁻²⁴ each) to spare.
    expect((H.BALL_EPS - O.ARTANH_EPS) / 2 ** -24).toBeGreaterThan(50);
    expect(O.ARTANH_EPS / 2 ** -24).toBeGreaterThan(50);
    // MIN_NORM² is a normal float32 (> FLT_MIN ≈ 1.18e-38), and the floor under 1 − c‖x‖² is below its ball minimum.
    expect(f(H.MIN_SQ_NORM)).toBeGreaterThan(1.18e-38);
    expect(H.MIN_CONFORMAL).toBeLessThan(1 - (1 - H.BALL_EPS) ** 2);
  });
});

describe('artanh', () => {
  it('is accurate inside, clamped at ±(1 − ARTANH_EPS) outside, with finite gradients everywhere', () => {
    const xs = [-2, -1, -0.5, 0, 1e-7, 0.5, 0.9999, 1, 3];
    const { value, grad } = valueAndGrad(O.artanh, xs);
    const edge = Math.atanh(Math.fround(1 - O.ARTANH_EPS)); // the clamp bound as a float32
    expect(value[0]).toBeCloseTo(-edge, 5);
    expect(value[7]).toBeCloseTo(edge, 5);
    expect(value[4]).toBeCloseTo(1e-7, 12);
    expect(value[5]).toBeCloseTo(Math.atanh(0.5), 6);
    expect(grad[0]).toBe(0);
    expect(grad[8]).toBe(0);
    expect(grad[3]).toBeCloseTo(1, 6);
    expect(grad[6]! / (1 / (1 - Math.fround(0.9999) ** 2))).toBeCloseTo(1, 4);
    grad.forEach((g) => expect(Number.isFinite(g)).toBe(true));
  });
});

describe('tanh', () => {
  it('saturates without overflow and has zero gradient past the clamp', () => {
    const { value, grad } = valueAndGrad(O.tanh, [-1e30, -20, 0, 0.5, 20, 1e30]);
    expect(value).toEqual([-1, -1, 0, Math.fround(Math.tanh(0.5)), 1, 1]);
    expect(grad[0]).toBe(0);
    expect(grad[2]).toBeCloseTo(1, 6);
    grad.forEach((g) => expect(Number.isFinite(g)).toBe(true));
  });
});

describe('safeNorm and safeSqrt', () => {
  it('safeNorm is the norm above the floor and MIN_NORM (with zero gradient) at 0', () => {
    const [n, g] = tf.tidy(() => {
      const x = tf.tensor2d([[3, 4], [0, 0], [1e-30, 0]]);
      return [Array.from(H.safeNorm(x).dataSync()), Array.from(tf.grad((t: tf.Tensor) => tf.sum(H.safeNorm(t)))(x).dataSync())];
    });
    expect(n[0]).toBeCloseTo(5, 6);
    expect(n[1]).toBe(Math.fround(H.MIN_NORM));
    expect(n[2]).toBe(Math.fround(H.MIN_NORM));
    expect(g.slice(0, 2).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([0.6, 0.8]);
    expect(g.slice(2)).toEqual([0, 0, 0, 0]);
  });

  it('safeSqrt is exact above MIN_SQ_NORM, 0 at 0 and has bounded slope', () => {
    const { value, grad } = valueAndGrad(O.safeSqrt, [0, 1e-25, 4, -1]);
    expect(value[0]).toBe(0);
    expect(value[2]).toBe(2);
    expect(value[3]).toBe(0);
    expect(grad[0]).toBe(0);
    expect(grad[1]).toBeCloseTo(1 / H.MIN_NORM, -5);
    expect(grad[2]).toBeCloseTo(0.25, 6);
  });
});

describe('acosh', () => {
  it('is accurate next to 1, 0 at (and below) 1, with finite gradients', () => {
    const { value, grad } = valueAndGrad(O.acosh, [0.5, 1, 1 + 2 ** -20, 1.5, 1e6]);
    expect(value[0]).toBe(0);
    expect(value[1]).toBe(0);
    expect(value[2]! / Math.acosh(1 + 2 ** -20)).toBeCloseTo(1, 5);
    expect(value[3]).toBeCloseTo(Math.acosh(1.5), 6);
    expect(value[4]).toBeCloseTo(Math.acosh(1e6), 5);
    grad.forEach((g) => expect(Number.isFinite(g)).toBe(true));
    expect(grad[3]).toBeCloseTo(1 / Math.sqrt(1.5 ** 2 - 1), 5);
  });
});

describe('ratio functions', () => {
  it('tanhRatio, artanhRatio and asinhSqRatio equal 1 at 0 with the Taylor slopes −1/3, 1/3, −1/3', () => {
    const at0 = tf.tidy(() => {
      const z = tf.zeros([1]);
      return [H.tanhRatio, O.artanhRatio, O.asinhSqRatio].map((f) => [
        f(z).dataSync()[0]!,
        tf.grad((t: tf.Tensor) => tf.sum(f(t)))(z).dataSync()[0]!,
      ]);
    });
    expect(at0.map(([v]) => v)).toEqual([1, 1, 1]);
    expect(at0[0]![1]).toBeCloseTo(-1 / 3, 7);
    expect(at0[1]![1]).toBeCloseTo(1 / 3, 7);
    expect(at0[2]![1]).toBeCloseTo(-1 / 3, 7);
  });

  it('their series and closed-form derivatives agree at the switch point', () => {
    const t = H.SERIES_T;
    const [below, above] = tf.tidy(() => {
      const x = tf.tensor1d([t * (1 - 1e-6), t]);
      return [H.tanhRatio, O.artanhRatio, O.asinhSqRatio].map((f) => Array.from(tf.grad((s: tf.Tensor) => tf.sum(f(s)))(x).dataSync()));
    }).reduce<number[][]>((acc, [a, b]) => [[...acc[0]!, a!], [...acc[1]!, b!]], [[], []]);
    below!.forEach((b, i) => expect(Math.abs(b - above![i]!) / Math.abs(b)).toBeLessThan(2e-5));
  });
});
