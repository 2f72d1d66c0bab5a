/**
 * Möbius addition on the Poincaré ball of curvature −c (Ganea et al., NeurIPS 2018, §2; Chami et al.,
 * ACL 2020, §3.1):
 *
 *   x ⊕ᶜ y = ((1 + 2c⟨x,y⟩ + c‖y‖²) x + (1 − c‖x‖²) y) / (1 + 2c⟨x,y⟩ + c²‖x‖²‖y‖²)
 *
 * Evaluated in the algebraically identical form, with a = 1 − c‖x‖², b = 1 − c‖y‖², s = ‖x + y‖²:
 *
 *   x ⊕ᶜ y = (a (x + y) + c s x) / (a b + c s)
 *
 * (1 + 2c⟨x,y⟩ + c‖y‖² = a + c s and 1 + 2c⟨x,y⟩ + c²‖x‖²‖y‖² = a b + c s.) In float32 the textbook
 * denominator cancels catastrophically for x ≈ −y near the boundary (true value (1 − c r²)² ≈ 4e-10, rounding
 * error ~1e-7, so it can even turn negative); a, b and s above are each computed without cancellation, and
 * (−x) ⊕ x is exactly 0. a and b are floored at MIN_CONFORMAL so unprojected inputs cannot divide by ≤ 0; the
 * result is projected, since the exact sum of two boundary points can lie closer to the sphere than float32
 * resolves.
 */
import * as tf from '@tensorflow/tfjs-core';
import { projectClamped } from './ball.js';
import { MIN_CONFORMAL, clampCurvature } from './guards.js';
import { checkRowsAndCurvature, checkSameShape } from './shapes.js';

/** x ⊕ᶜ y row-wise for x, y [B, d], curvature c [B, 1] (Ganea et al. 2018); projected into the ball. */
export function mobiusAdd(x: tf.Tensor, y: tf.Tensor, curvature: tf.Tensor): tf.Tensor {
  checkSameShape('mobiusAdd', x, y);
  checkRowsAndCurvature('mobiusAdd', x, curvature);
  return tf.tidy(() => {
    const c = clampCurvature(curvature);
    const a = tf.maximum(tf.sub(1, tf.mul(c, tf.sum(tf.square(x), -1, true))), MIN_CONFORMAL);
    const b = tf.maximum(tf.sub(1, tf.mul(c, tf.sum(tf.square(y), -1, true))), MIN_CONFORMAL);
    const sum = tf.add(x, y);
    const cs = tf.mul(c, tf.sum(tf.square(sum), -1, true));
    const num = tf.add(tf.mul(a, sum), tf.mul(cs, x));
    const den = tf.add(tf.mul(a, b), cs);
    return projectClamped(tf.div(num, den), c);
  });
}
