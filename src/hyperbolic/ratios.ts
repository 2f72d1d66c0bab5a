/**
 * The scalar ratio the Poincaré-ball map of the models is made of, as a function of a squared argument t ≥ 0:
 *
 *   tanhRatio(t) = tanh(√t)/√t          expmap0 (Chami et al. 2020, eq. (1)):  exp₀(u) = tanhRatio(c‖u‖²)·u
 *
 * An even analytic function of √t, i.e. smooth in t, equal to 1 at t = 0. Writing the map through it removes every
 * ‖u‖ division and every 1/c from the differentiated path (so no 0/0 at u = 0 and no cancellation of O(1/c) terms
 * as c → 0). Values use accurate tfjs kernels (tanh). The derivative is supplied through tf.customGrad: the closed
 * form for t ≥ SERIES_T, a Taylor polynomial below, where the closed form cancels catastrophically in float32
 * (relative error ~ ulp/t). Both agree to ~1e-5 at the switch. First-order only: the custom gradient is not itself
 * differentiable. `makeRatio` builds such a ratio from its value, closed-form derivative and series; the test
 * oracles artanh(√t)/√t (log₀) and asinh(√w)²/w (the asinh form of the distance) are built with it in
 * test/hyperbolic/ball-oracles.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { TANH_MAX } from './guards.js';

/** Below this t the derivatives use their Taylor series (truncation error < 1e-7 relative there). */
export const SERIES_T = 0.05;
/** Floor under t before √t in the value path (√ = 1e-15; the ratios equal 1 to float32 precision there). */
export const TINY_T = 1e-30;

/** Taylor coefficients in t of tanh(√t)/√t (tanh z = z − z³/3 + 2z⁵/15 − …). */
const TANH_RATIO_SERIES = [1, -1 / 3, 2 / 15, -17 / 315, 62 / 2835, -1382 / 155925, 21844 / 6081075];

/** Coefficients of the derivative of Σ aₖ tᵏ. */
function differentiate(coeffs: readonly number[]): number[] {
  return coeffs.slice(1).map((a, k) => a * (k + 1));
}

/** Σ coeffs[k]·tᵏ by Horner's rule. */
function horner(t: tf.Tensor, coeffs: readonly number[]): tf.Tensor {
  const n = coeffs.length;
  let acc = tf.add(tf.mul(t, coeffs[n - 1]!), coeffs[n - 2]!);
  for (let k = n - 3; k >= 0; k--) acc = tf.add(tf.mul(acc, t), coeffs[k]!);
  return acc;
}

/** A ratio of t ≥ 0: its value, closed-form derivative and Taylor series (for makeRatio). */
export interface RatioSpec {
  /** The ratio's value for any t ≥ 0 of its domain. */
  value: (t: tf.Tensor) => tf.Tensor;
  /** Its derivative in closed form, used only for t ≥ SERIES_T. */
  derivative: (t: tf.Tensor) => tf.Tensor;
  /** Taylor coefficients of the ratio around t = 0. */
  series: readonly number[];
}

/** Wraps a ratio spec as a differentiable tfjs op with the series/closed-form derivative. */
export function makeRatio(spec: RatioSpec): (t: tf.Tensor) => tf.Tensor {
  const dSeries = differentiate(spec.series);
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const t = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    save([t]);
    return {
      value: spec.value(t),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const ts = saved[0]!;
          const small = tf.less(ts, SERIES_T);
          const viaSeries = horner(tf.minimum(ts, SERIES_T), dSeries);
          const closed = spec.derivative(tf.maximum(ts, SERIES_T));
          return tf.mul(dy, tf.where(small, viaSeries, closed));
        }),
    };
  });
  return (t: tf.Tensor) => op(t);
}

const tanhRatioOp = makeRatio({
  series: TANH_RATIO_SERIES,
  value: (t) => {
    const z = tf.sqrt(tf.maximum(t, TINY_T));
    return tf.div(tf.tanh(tf.minimum(z, TANH_MAX)), z);
  },
  // d/dt tanh(z)/z with z = √t:  ((1 − tanh²z) − tanh(z)/z) / (2t)
  derivative: (t) => {
    const z = tf.sqrt(t);
    const th = tf.tanh(tf.minimum(z, TANH_MAX));
    const sech2 = tf.mul(tf.sub(1, th), tf.add(1, th));
    return tf.div(tf.sub(sech2, tf.div(th, z)), tf.mul(t, 2));
  },
});

/** tanh(√t)/√t for t ≥ 0 (the expmap0 factor, Chami et al. 2020 eq. (1)); smooth at 0, first-order gradient. */
export function tanhRatio(t: tf.Tensor): tf.Tensor {
  return tanhRatioOp(t);
}
