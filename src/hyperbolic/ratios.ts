/**
 * The three scalar ratios the Poincaré-ball maps are made of, as functions of a squared argument t ≥ 0:
 *
 *   tanhRatio(t)    = tanh(√t)/√t          expmap0 (Chami et al. 2020, eq. (1)):  exp₀(u) = tanhRatio(c‖u‖²)·u
 *   artanhRatio(t)  = artanh(√t)/√t        logmap0 (eq. (1)):                    log₀(y) = artanhRatio(c‖y‖²)·y
 *   asinhSqRatio(w) = asinh(√w)²/w         distance (eq. (2), see distance.ts):  d² = 4 r·asinhSqRatio(c r)
 *
 * All three are even analytic functions of √t, i.e. smooth in t, equal to 1 at t = 0. Writing the maps through
 * them removes every ‖u‖ division and every 1/c from the differentiated path (so no 0/0 at u = 0 and no
 * cancellation of O(1/c) terms as c → 0). Values use accurate tfjs kernels (tanh, atanh, asinh). Derivatives are
 * supplied through tf.customGrad: the closed form for t ≥ SERIES_T, a Taylor polynomial below, where the closed
 * form cancels catastrophically in float32 (relative error ~ ulp/t). Both agree to ~1e-5 at the switch.
 * First-order only: the custom gradients are not themselves differentiable.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ARTANH_EPS, TANH_MAX } from './guards.js';

/** Below this t the derivatives use their Taylor series (truncation error < 1e-7 relative there). */
export const SERIES_T = 0.05;
/** Largest argument of artanhRatio: (1 − ARTANH_EPS)², i.e. √t clamped as in guards.artanh. */
export const ARTANH_T_MAX = (1 - ARTANH_EPS) * (1 - ARTANH_EPS);
/** Floor under t before √t in the value path (√ = 1e-15; the ratios equal 1 to float32 precision there). */
const TINY_T = 1e-30;

/** Taylor coefficients in t of tanh(√t)/√t (tanh z = z − z³/3 + 2z⁵/15 − …). */
const TANH_RATIO_SERIES = [1, -1 / 3, 2 / 15, -17 / 315, 62 / 2835, -1382 / 155925, 21844 / 6081075];
/** Taylor coefficients in t of artanh(√t)/√t: 1/(2k+1). */
const ARTANH_RATIO_SERIES = Array.from({ length: 8 }, (_, k) => 1 / (2 * k + 1));
/** Taylor coefficients in w of asinh(√w)²/w: (−1)^k 2^(2k+1) (k!)² / (2k+2)!. */
const ASINH_SQ_RATIO_SERIES = Array.from({ length: 8 }, (_, k) => {
  let a = 1; // a_k = 2^(2k+1) (k!)² / (2k+2)!, built by a_k = a_{k-1} · 4k² / ((2k+1)(2k+2))
  for (let j = 1; j <= k; j++) a *= (4 * j * j) / ((2 * j + 1) * (2 * j + 2));
  return (k % 2 === 0 ? 1 : -1) * a;
});

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

interface RatioSpec {
  /** The ratio's value for any t ≥ 0 of its domain. */
  value: (t: tf.Tensor) => tf.Tensor;
  /** Its derivative in closed form, used only for t ≥ SERIES_T. */
  derivative: (t: tf.Tensor) => tf.Tensor;
  /** Taylor coefficients of the ratio around t = 0. */
  series: readonly number[];
}

/** Wraps a ratio spec as a differentiable tfjs op with the series/closed-form derivative. */
function makeRatio(spec: RatioSpec): (t: tf.Tensor) => tf.Tensor {
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

const artanhRatioOp = makeRatio({
  series: ARTANH_RATIO_SERIES,
  value: (t) => {
    const z = tf.sqrt(tf.clipByValue(t, TINY_T, ARTANH_T_MAX));
    return tf.div(tf.atanh(z), z);
  },
  // d/dt artanh(z)/z with z = √t:  (1/(1 − t) − artanh(z)/z) / (2t)
  derivative: (t) => {
    const tc = tf.minimum(t, ARTANH_T_MAX);
    const z = tf.sqrt(tc);
    return tf.div(tf.sub(tf.div(1, tf.sub(1, tc)), tf.div(tf.atanh(z), z)), tf.mul(tc, 2));
  },
});

const asinhSqRatioOp = makeRatio({
  series: ASINH_SQ_RATIO_SERIES,
  value: (w) => {
    const s = tf.sqrt(tf.maximum(w, TINY_T));
    return tf.square(tf.div(tf.asinh(s), s));
  },
  // d/dw asinh(s)²/w with s = √w:  (asinh(s)/s)·(1/√(1 + w) − asinh(s)/s) / w
  derivative: (w) => {
    const s = tf.sqrt(w);
    const ratio = tf.div(tf.asinh(s), s);
    return tf.div(tf.mul(ratio, tf.sub(tf.rsqrt(tf.add(w, 1)), ratio)), w);
  },
});

/** tanh(√t)/√t for t ≥ 0 (the expmap0 factor, Chami et al. 2020 eq. (1)); smooth at 0, first-order gradient. */
export function tanhRatio(t: tf.Tensor): tf.Tensor {
  return tanhRatioOp(t);
}

/** artanh(√t)/√t for 0 ≤ t ≤ ARTANH_T_MAX, clamped above (the logmap0 factor, eq. (1)); gradient 0 when clamped. */
export function artanhRatio(t: tf.Tensor): tf.Tensor {
  return tf.tidy(() => artanhRatioOp(tf.minimum(t, ARTANH_T_MAX)));
}

/** asinh(√w)²/w for w ≥ 0 (the distance factor, see distance.ts); smooth at 0, first-order gradient. */
export function asinhSqRatio(w: tf.Tensor): tf.Tensor {
  return asinhSqRatioOp(w);
}
