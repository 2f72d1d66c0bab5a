/**
 * Exponential map at the origin of the Poincaré ball of curvature −c
 * (Chami et al., ACL 2020, eq. (1); Ganea et al., NeurIPS 2018, §2):
 *
 *   exp₀ᶜ(u) = tanh(√c‖u‖) · u / (√c‖u‖)
 *
 * computed as a scalar ratio of t = c‖u‖² times the vector (see ratios.ts), so u = 0 and c → 0 are regular points
 * (exp₀ → identity as c → 0). exp₀ projects its result into the ball (float32 tanh reaches 1 for √c‖u‖ > 9.1).
 * The log map log₀ᶜ, which no production path uses, is a test oracle in test/hyperbolic/ball-oracles.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { projectClamped } from './ball.js';
import { clampCurvature } from './guards.js';
import { tanhRatio } from './ratios.js';
import { checkRowsAndCurvature } from './shapes.js';

/** Cap on t = c‖u‖² in expmap0 (√t = 1e15, far past tanh saturation) so huge tangent vectors cannot overflow. */
const EXP_T_MAX = 1e30;

/** exp₀ᶜ(u) for tangent vectors u [B, d], curvature c [B, 1] (Chami et al. 2020 eq. (1)), projected into the ball. */
export function expmap0(u: tf.Tensor, c: tf.Tensor): tf.Tensor {
  checkRowsAndCurvature('expmap0', u, c);
  return tf.tidy(() => {
    const cc = clampCurvature(c);
    const t = tf.minimum(tf.mul(cc, tf.sum(tf.square(u), -1, true)), EXP_T_MAX);
    return projectClamped(tf.mul(u, tanhRatio(t)), cc);
  });
}
