/**
 * The Poincaré ball of curvature −c, {x ∈ ℝᵈ : c‖x‖² < 1} (Chami et al., ACL 2020, §3.1; Ganea et al.,
 * NeurIPS 2018, §2), and the projection that keeps float32 points strictly inside it: rows with
 * √c‖x‖ > 1 − eps are rescaled radially onto √c‖x‖ = 1 − eps (as KGEmb's `project`). The comparison and
 * the rescaling are done on t = c‖x‖² so that neither ‖x‖ = 0 nor c → 0 divides by zero.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BALL_EPS, clampCurvature } from './guards.js';
import { checkRowsAndCurvature } from './shapes.js';

/** Rescales rows of x [B, d] with √c‖x‖ > 1 − eps onto radius (1 − eps)/√c; c is [B, 1]; default eps BALL_EPS, 0 < eps < 0.5. */
export function project(x: tf.Tensor, c: tf.Tensor, eps: number = BALL_EPS): tf.Tensor {
  checkRowsAndCurvature('project', x, c);
  if (!(eps > 0 && eps < 0.5)) throw new Error(`project: eps must be in (0, 0.5), got ${eps}`);
  return tf.tidy(() => projectClamped(x, clampCurvature(c), eps));
}

/** project() for a curvature already clamped to [MIN_CURVATURE, MAX_CURVATURE]; no checks, no tidy. */
export function projectClamped(x: tf.Tensor, c: tf.Tensor, eps: number = BALL_EPS): tf.Tensor {
  const t = tf.mul(c, tf.sum(tf.square(x), -1, true)); // c‖x‖², [B, 1]
  // scale = min(1, (1 − eps)/√t). Rows with t < 1/4 cannot need projection, so flooring t at 1/4 changes no
  // value, keeps rsqrt's gradient bounded, and sends no gradient through the floor (tf.maximum/minimum pass
  // the upstream gradient only to the selected side).
  const scale = tf.minimum(tf.mul(tf.rsqrt(tf.maximum(t, 0.25)), 1 - eps), 1);
  return tf.mul(x, scale);
}
