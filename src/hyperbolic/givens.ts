/**
 * Givens rotations and reflections (Chami et al., ACL 2020, eq. (3)–(4); KGEmb `utils/euclidean.py`):
 * a block-diagonal map of d/2 independent 2×2 blocks acting on consecutive coordinate pairs (x₂ᵢ, x₂ᵢ₊₁),
 *
 *   G⁺(θ) = [cos θ  −sin θ; sin θ  cos θ]  (rotation)     G⁻(θ) = [cos θ  sin θ; sin θ  −cos θ]  (reflection)
 *
 * with (cos θ, sin θ) obtained by normalising the relation's 2-vector (r₂ᵢ, r₂ᵢ₊₁), so r needs no constraint.
 * Both are Euclidean isometries fixing 0, hence also isometries of every Poincaré ball. A zero pair
 * (‖(r₂ᵢ, r₂ᵢ₊₁)‖ < MIN_NORM) gives a degenerate block that maps the pair towards 0 instead of NaN.
 * The reflection follows the paper's G⁻ (an involution); KGEmb's code once computed (c x₀ + s x₁, s x₀ − c x₀),
 * which is neither an involution nor norm-preserving (HazyResearch/KGEmb issue #3).
 */
import * as tf from '@tensorflow/tfjs-core';
import { safeNorm } from './guards.js';
import { checkSameShape } from './shapes.js';

/** Splits r and x [B, d] into (cos, sin, x₀, x₁), each [B, d/2, 1]; checks d is even. */
function pairs(fn: string, r: tf.Tensor, x: tf.Tensor): tf.Tensor[] {
  checkSameShape(fn, r, x);
  if (x.rank !== 2) throw new Error(`${fn}: expected [B, d], got [${x.shape.join(', ')}]`);
  const [rows, dim] = x.shape as [number, number];
  if (dim % 2 !== 0) throw new Error(`${fn}: dimension must be even, got ${dim}`);
  const rr = tf.reshape(r, [rows, dim / 2, 2]);
  const [cos, sin] = tf.split(tf.div(rr, safeNorm(rr, -1, true)), 2, 2);
  const [x0, x1] = tf.split(tf.reshape(x, [rows, dim / 2, 2]), 2, 2);
  return [cos!, sin!, x0!, x1!];
}

/** Applies G⁺(θᵢ) of r [B, d] to each coordinate pair of x [B, d] (Chami et al. 2020 eq. (3)). */
export function givensRotation(r: tf.Tensor, x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const [cos, sin, x0, x1] = pairs('givensRotation', r, x) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    const y0 = tf.sub(tf.mul(cos, x0), tf.mul(sin, x1));
    const y1 = tf.add(tf.mul(sin, x0), tf.mul(cos, x1));
    return tf.reshape(tf.concat([y0, y1], 2), x.shape);
  });
}

/** Applies G⁻(θᵢ) of r [B, d] to each coordinate pair of x [B, d] (Chami et al. 2020 eq. (4)). */
export function givensReflection(r: tf.Tensor, x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const [cos, sin, x0, x1] = pairs('givensReflection', r, x) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    const y0 = tf.add(tf.mul(cos, x0), tf.mul(sin, x1));
    const y1 = tf.sub(tf.mul(sin, x0), tf.mul(cos, x1));
    return tf.reshape(tf.concat([y0, y1], 2), x.shape);
  });
}
