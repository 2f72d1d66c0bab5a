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
 *   project() takes the eps as an argument for callers who want that.
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
 * here uses log1p; Tanh and Sqrt are accurate on both cpu and wasm.
 *
 * The guarded artanh, tanh, acosh and safeSqrt, which no production path uses, are test oracles in
 * test/hyperbolic/ball-oracles.ts (with ARTANH_EPS, their artanh clamp).
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
/** tanh's argument is clamped to at most TANH_MAX (tanhRatio, ratios.ts). */
export const TANH_MAX = 15;

/** c clamped to [MIN_CURVATURE, MAX_CURVATURE] (gradient passes inside, 0 outside). */
export function clampCurvature(c: tf.Tensor): tf.Tensor {
  return tf.clipByValue(c, MIN_CURVATURE, MAX_CURVATURE);
}

/** Euclidean norm over `axis` (kept as a size-1 axis by default), floored at MIN_NORM; gradient 0 below it. */
export function safeNorm(x: tf.Tensor, axis = -1, keepDims = true): tf.Tensor {
  return tf.tidy(() => tf.sqrt(tf.maximum(tf.sum(tf.square(x), axis, keepDims), MIN_SQ_NORM)));
}
