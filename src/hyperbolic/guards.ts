/**
 * Numerical guards for Poincaré-ball maths in float32 (tfjs).
 *
 * The ball of curvature −c (c > 0) is {x : c‖x‖² < 1} (Chami et al., ACL 2020, §3.1; Ganea et al., NeurIPS 2018).
 * tfjs computes in float32 (ulp(1) = 2⁻²³ ≈ 1.2e-7, largest float below 1 is 1 − 6e-8, FLT_MIN ≈ 1.2e-38,
 * FLT_MAX ≈ 3.4e38), so the guards of KGEmb's float64 code are re-derived here:
 *
 * - MIN_NORM = 1e-10 floors norms used as divisors. Its square 1e-20 is a normal float32 (no flush to zero on
 *   any backend) and 1/MIN_NORM² = 1e20 leaves ~18 decades below FLT_MAX for gradient chains; KGEmb's 1e-15
 *   (fine in float64) would leave only ~8 (1/1e-30).
 * - BALL_EPS = 1e-5: project() keeps √c‖x‖ ≤ 1 − BALL_EPS. 1 − 1e-5 lies ~168 float32 ulps below 1, so
 *   1 − c‖x‖² ≈ 2e-5 keeps ~2–3 significant digits there. This is the ball KGEmb's published (float64) runs use;
 *   KGEmb's own float32 setting is 4e-3 (utils/hyperbolic.py: BALL_EPS = {float32: 4e-3, float64: 1e-5}).
 *   project() takes the eps as an argument for callers who want that. Row-wise functions stay accurate out to
 *   1 − 1e-5; the all-pairs matMul distance does not for close pairs beyond √c‖x‖ ≈ 0.999 (see distance.ts).
 * - ARTANH_EPS = 5e-6: artanh clamps its argument to ±(1 − 5e-6). That is strictly outside the projected ball
 *   (√c‖x‖ ≤ 1 − 1e-5), with ~84 ulps of margin, so no point of the ball is ever clipped, and still ~84 ulps
 *   below 1, so 1 − x is non-zero and meaningful and artanh' = 1/(1 − x²) ≤ 1e5 stays finite.
 * - Curvature clamp [MIN_CURVATURE, MAX_CURVATURE] = [1e-7, 1e8]: every function clamps c (gradient 0 outside).
 *   softplus(c₀) underflows to exactly 0 for c₀ < −104, and at c = 0 the "ball" is all of ℝᵈ: nothing bounds the
 *   points, and ∂d²/∂c, which is O(‖x‖⁴) there, overflows float32 once coordinates reach ~1e10 (seen in the
 *   robustness test). With c ≥ 1e-7 points stay within radius 3.2e3 and |∂d²/∂c| stays below ~1e18; with c ≤ 1e8 the
 *   ball (radius 1e-4) stays 1e6 times larger than MIN_NORM. Learned curvatures are O(0.1–10) in practice.
 * - TANH_MAX = 15: tanh input clamp (as KGEmb). In float32 tanh(x) rounds to ±1 for |x| > 9.1 already; the clamp
 *   only keeps exp-based tanh kernels away from overflow.
 * - MIN_CONFORMAL = 1e-6 floors 1 − c‖x‖² wherever it is divided by. Inside the projected ball it is ≥ 2e-5
 *   (float32 error ~1e-7), so the floor never acts there; an unprojected point outside the ball is treated as
 *   lying just inside the sphere instead of producing NaN (1/MIN_CONFORMAL² = 1e12 keeps gradients finite).
 *
 * Backend note: tfjs-backend-wasm 4.22 computes Log1p naively as log(1 + x) (log1p(1e-8) = 0 there), so nothing
 * here uses log1p; Atanh, Asinh, Tanh and Sqrt are accurate on both cpu and wasm.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Floor for norms used as divisors (float32-safe; see the header). */
export const MIN_NORM = 1e-10;
/** MIN_NORM², the floor for squared norms. */
export const MIN_SQ_NORM = MIN_NORM * MIN_NORM;
/** Ball margin: project() keeps √c‖x‖ ≤ 1 − BALL_EPS. */
export const BALL_EPS = 1e-5;
/** Smallest curvature magnitude c the functions use (smaller values, including 0, are raised to it). */
export const MIN_CURVATURE = 1e-7;
/** Largest curvature magnitude c the functions use. */
export const MAX_CURVATURE = 1e8;
/** Floor for the conformal term 1 − c‖x‖² wherever it is a divisor. */
export const MIN_CONFORMAL = 1e-6;
/** artanh clamps its argument to [−1 + ARTANH_EPS, 1 − ARTANH_EPS]. */
export const ARTANH_EPS = 5e-6;
/** tanh clamps its argument to [−TANH_MAX, TANH_MAX]. */
export const TANH_MAX = 15;

/**
 * artanh(x) with x clamped to ±(1 − ARTANH_EPS); gradient 1/((1 − x)(1 + x)) inside (1 − x is exact in float32,
 * unlike 1 − x², which loses ~1e-3 relative accuracy at x = 1 − 1e-5), 0 where clamped.
 */
export function artanh(x: tf.Tensor): tf.Tensor {
  return artanhOp(x);
}

const artanhOp = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const x = args[0] as tf.Tensor;
  (args[1] as tf.GradSaveFunc)([x]);
  return {
    value: tf.atanh(tf.clipByValue(x, -1 + ARTANH_EPS, 1 - ARTANH_EPS)),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
      tf.tidy(() => {
        const xs = saved[0]!;
        const inside = tf.lessEqual(tf.abs(xs), 1 - ARTANH_EPS);
        const xc = tf.clipByValue(xs, -1 + ARTANH_EPS, 1 - ARTANH_EPS);
        const slope = tf.div(1, tf.mul(tf.sub(1, xc), tf.add(1, xc)));
        return tf.mul(dy, tf.where(inside, slope, tf.zerosLike(slope)));
      }),
  };
});

/** c clamped to [MIN_CURVATURE, MAX_CURVATURE] (gradient passes inside, 0 outside). */
export function clampCurvature(c: tf.Tensor): tf.Tensor {
  return tf.clipByValue(c, MIN_CURVATURE, MAX_CURVATURE);
}

/** tanh(x) with x clamped to ±TANH_MAX. */
export function tanh(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.tanh(tf.clipByValue(x, -TANH_MAX, TANH_MAX)));
}

/** Euclidean norm over `axis` (kept as a size-1 axis by default), floored at MIN_NORM; gradient 0 below it. */
export function safeNorm(x: tf.Tensor, axis = -1, keepDims = true): tf.Tensor {
  return tf.tidy(() => tf.sqrt(tf.maximum(tf.sum(tf.square(x), axis, keepDims), MIN_SQ_NORM)));
}

/**
 * √s for s ≥ 0 with a bounded derivative, as s/√max(s, MIN_SQ_NORM): exact √s above MIN_SQ_NORM, the chord
 * s/MIN_NORM below it (continuous, 0 at 0, slope ≤ 1/MIN_NORM = 1e10 instead of ∞). Negative s gives 0.
 */
export function safeSqrt(s: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const pos = tf.relu(s);
    return tf.div(pos, tf.sqrt(tf.maximum(pos, MIN_SQ_NORM)));
  });
}

/**
 * acosh(x) for x clamped to ≥ 1, computed as 2·asinh(√((x − 1)/2)) so that it is accurate near 1 and its
 * gradient stays finite at x = 1 (via safeSqrt). Identity: cosh(2u) = 1 + 2 sinh²(u).
 */
export function acosh(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const half = tf.mul(tf.sub(tf.maximum(x, 1), 1), 0.5);
    return tf.mul(tf.asinh(safeSqrt(half)), 2);
  });
}
