/** Givens rotations and reflections (Chami et al. 2020 eq. (3)–(4)): hand cases, isometry, involution. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as H from '../../src/hyperbolic/index.js';
import * as O from './ball-oracles.js';
import { ballRows, column, expectClose, rng, toMat, toTensor, vectorOfNorm } from './helpers.js';
import * as R from './reference64.js';
import type { Mat } from './reference64.js';

beforeAll(async () => {
  if (!(await tf.setBackend('cpu'))) throw new Error('cpu backend unavailable');
});

const rand = rng(3);

function apply(f: (r: tf.Tensor, x: tf.Tensor) => tf.Tensor, r: Mat, x: Mat): Mat {
  return tf.tidy(() => toMat(f(toTensor(r), toTensor(x))));
}

describe('givensRotation', () => {
  it('matches hand-computed 2×2 cases', () => {
    const s = Math.SQRT1_2;
    // θ = 45° from r = (1, 1) on (1, 0); θ = 90° from r = (0, 2) on (1, 2); θ = 180° from r = (−3, 0) on (1, 2).
    const out = apply(H.givensRotation, [[1, 1, 0, 2, -3, 0]], [[1, 0, 1, 2, 1, 2]]);
    expectClose(out, [[s, s, -2, 1, -1, -2]], 1e-6, 1e-7);
  });

  it('preserves the norm of every coordinate pair, for any scale of r', () => {
    const r = Array.from({ length: 8 }, (_, i) => vectorOfNorm(rand, 8, 10 ** (i - 4)));
    const x = Array.from({ length: 8 }, () => vectorOfNorm(rand, 8, 1));
    const out = apply(H.givensRotation, r, x);
    out.forEach((row, i) => {
      for (let k = 0; k < 8; k += 2) {
        expect(Math.hypot(row[k]!, row[k + 1]!)).toBeCloseTo(Math.hypot(x[i]![k]!, x[i]![k + 1]!), 6);
      }
    });
  });

  it('rotating by (r₀, −r₁) undoes rotating by (r₀, r₁)', () => {
    const r = Array.from({ length: 4 }, () => vectorOfNorm(rand, 6, 2));
    const rInv = r.map((row) => row.map((v, k) => (k % 2 ? -v : v)));
    const x = Array.from({ length: 4 }, () => vectorOfNorm(rand, 6, 0.7));
    const back = tf.tidy(() => toMat(H.givensRotation(toTensor(rInv), H.givensRotation(toTensor(r), toTensor(x)))));
    expectClose(back, x, 1e-6, 1e-7);
  });

  it('is a hyperbolic isometry: d(Rx, Ry) = d(x, y)', () => {
    const cs = [0.5, 1, 2];
    const x = ballRows(rand, 4, [0.3, 0.9, 0.99], cs);
    const y = ballRows(rand, 4, [0.8, 0.1, 0.95], cs);
    const r = Array.from({ length: 3 }, () => vectorOfNorm(rand, 4, 1));
    const [d0, d1] = tf.tidy(() => {
      const c = toTensor(column(cs));
      const [rt, xt, yt] = [r, x, y].map(toTensor) as [tf.Tensor, tf.Tensor, tf.Tensor];
      return [
        toMat(O.poincareDistance(xt, yt, c)),
        toMat(O.poincareDistance(H.givensRotation(rt, xt), H.givensRotation(rt, yt), c)),
      ];
    });
    expectClose(d1!, d0!, 1e-4);
  });

  it('matches the atan2 reference and rejects odd dimensions', () => {
    const r = Array.from({ length: 3 }, () => vectorOfNorm(rand, 6, 1));
    const x = Array.from({ length: 3 }, () => vectorOfNorm(rand, 6, 1));
    expectClose(apply(H.givensRotation, r, x), r.map((ri, i) => R.givensRotation(ri, x[i]!)), 1e-6, 1e-7);
    tf.tidy(() => {
      expect(() => H.givensRotation(tf.ones([2, 5]), tf.ones([2, 5]))).toThrow(/even/);
      expect(() => H.givensReflection(tf.ones([2, 3]), tf.ones([2, 3]))).toThrow(/even/);
      expect(() => H.givensRotation(tf.ones([2, 4]), tf.ones([3, 4]))).toThrow(/shapes differ/);
    });
  });

  it('a zero relation pair gives finite output and finite gradients', () => {
    const [gr, gx, out] = tf.tidy(() => {
      const r = tf.zeros([1, 4]);
      const x = tf.ones([1, 4]);
      const [gr, gx] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(H.givensRotation(a, b)))([r, x]);
      return [Array.from(gr!.dataSync()), Array.from(gx!.dataSync()), Array.from(H.givensRotation(r, x).dataSync())];
    });
    // (cos, sin) = r / max(‖r‖, MIN_NORM) = (0, 0): the degenerate block maps the pair to 0, so x gets no gradient
    expect(out).toEqual([0, 0, 0, 0]);
    expect(gx).toEqual([0, 0, 0, 0]);
    // Σ y = Σ_pairs 2·cos·1 with cos = r₀ / MIN_NORM (the floored norm has gradient 0): ∂/∂r₀ = 2 / MIN_NORM, ∂/∂r₁ = 0
    const floored = Math.fround(Math.sqrt(Math.fround(H.MIN_SQ_NORM)));
    expect(gr[1]).toBe(0);
    expect(gr[3]).toBe(0);
    for (const g of [gr[0]!, gr[2]!]) expect(Math.abs(g / (2 / floored) - 1)).toBeLessThan(1e-6);
  });
});

describe('givensReflection', () => {
  it('matches hand-computed 2×2 cases', () => {
    // r = (1, 0): diag(1, −1); r = (0, 1): swap; r = (1, 1): reflection across the 22.5° line.
    const s = Math.SQRT1_2;
    const out = apply(H.givensReflection, [[1, 0, 0, 1, 1, 1]], [[1, 2, 1, 2, 1, 0]]);
    expectClose(out, [[1, -2, 2, 1, s, s]], 1e-6, 1e-7);
  });

  it('is an involution and preserves norms', () => {
    const r = Array.from({ length: 6 }, (_, i) => vectorOfNorm(rand, 8, 10 ** (i - 3)));
    const x = Array.from({ length: 6 }, () => vectorOfNorm(rand, 8, 1));
    const [once, twice] = tf.tidy(() => {
      const [rt, xt] = [toTensor(r), toTensor(x)];
      const y = H.givensReflection(rt, xt);
      return [toMat(y), toMat(H.givensReflection(rt, y))];
    });
    expectClose(twice!, x, 1e-6, 1e-7);
    once!.forEach((row, i) => expect(R.norm(row)).toBeCloseTo(R.norm(x[i]!), 6));
    expectClose(once!, r.map((ri, i) => R.givensReflection(ri, x[i]!)), 1e-6, 1e-7);
  });
});
