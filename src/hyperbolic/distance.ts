/**
 * Hyperbolic distance on the Poincaré ball of curvature −c (Chami et al., ACL 2020, eq. (2)):
 *
 *   d_c(x, y) = (2/√c) · artanh(√c ‖(−x) ⊕ᶜ y‖)
 *
 * Expanding the Möbius sum (Ganea et al., NeurIPS 2018) in ‖x‖², ‖y‖², ⟨x,y⟩ gives, with D = ‖x − y‖²,
 * a = 1 − c‖x‖², b = 1 − c‖y‖²:
 *
 *   ‖(−x) ⊕ᶜ y‖² = D / (1 − 2c⟨x,y⟩ + c²‖x‖²‖y‖²) = D / (a b + c D).
 *
 * So with w = c D / (a b):  tanh²(√c d/2) = w/(1 + w), i.e. sinh²(√c d/2) = w (equivalently the classical
 * cosh(√c d) = 1 + 2w), and
 *
 *   d_c² = (4/c) · asinh(√w)² = 4 (D / (a b)) · asinhSqRatio(w).
 *
 * This form has no 1/c (c → 0 gives d → 2‖x − y‖: the factor 2 is the conformal factor λ₀ = 2 of the ball
 * metric, which survives the Euclidean limit), is smooth at x = y (d² is; d is not), needs no artanh clamp, so
 * far pairs do not saturate (two projected points can be 24.4/√c apart, where artanh(1 − 1e-5) would cap every
 * distance at 12.2/√c), and avoids the cancellation in 1 − 2c⟨x,y⟩ + c²‖x‖²‖y‖² (KGEmb's denominator), which
 * in float32 is pure rounding noise for nearby points near the boundary. Row-wise, D is summed from x − y
 * directly, so d(x, x) = 0 exactly. For all pairs, D = ‖x‖² + ‖y‖² − 2⟨x,y⟩ comes from one matMul; its rounding
 * error ~1e-7·(‖x‖² + ‖y‖²) is the usual one of that expansion, amplified by 4/(ab) in d². Measured (d = 32,
 * c = 1, float64 reference): for √c‖x‖ ≤ 0.996 (KGEmb's float32 ball) the all-pairs d² is as accurate as the
 * row-wise one; for close pairs it is off by up to ~0.1 absolute at 0.999 and up to ~50 at 1 − 1e-5, where the
 * row-wise d² stays within ~0.1. Rescore the top candidates with sqPoincareDistance when the order among
 * near-boundary neighbours matters.
 */
import * as tf from '@tensorflow/tfjs-core';
import { MIN_CONFORMAL, clampCurvature, safeSqrt } from './guards.js';
import { asinhSqRatio } from './ratios.js';
import { checkRowsAndCurvature, checkSameShape } from './shapes.js';

/** 4 (D/(ab)) · asinhSqRatio(c D/(ab)) — the squared distance from its Euclidean and conformal parts. */
function sqDistanceFromParts(D: tf.Tensor, a: tf.Tensor, b: tf.Tensor, c: tf.Tensor): tf.Tensor {
  const r = tf.div(D, tf.mul(a, b));
  return tf.mul(tf.mul(r, 4), asinhSqRatio(tf.mul(c, r)));
}

/** 1 − c‖x‖² per row, floored at MIN_CONFORMAL; sq is ‖x‖² (any shape broadcasting with c). */
function conformal(c: tf.Tensor, sq: tf.Tensor): tf.Tensor {
  return tf.maximum(tf.sub(1, tf.mul(c, sq)), MIN_CONFORMAL);
}

/** d_c(x, y)² row-wise for x, y [B, d], c [B, 1]; returns [B, 1] (Chami et al. 2020 eq. (2), squared). */
export function sqPoincareDistance(x: tf.Tensor, y: tf.Tensor, curvature: tf.Tensor): tf.Tensor {
  checkSameShape('sqPoincareDistance', x, y);
  checkRowsAndCurvature('sqPoincareDistance', x, curvature);
  return tf.tidy(() => {
    const c = clampCurvature(curvature);
    const D = tf.sum(tf.square(tf.sub(x, y)), -1, true);
    const a = conformal(c, tf.sum(tf.square(x), -1, true));
    const b = conformal(c, tf.sum(tf.square(y), -1, true));
    return sqDistanceFromParts(D, a, b, c);
  });
}

/** d_c(x, y) row-wise for x, y [B, d], c [B, 1]; returns [B, 1] (Chami et al. 2020 eq. (2)); d(x, x) = 0. */
export function poincareDistance(x: tf.Tensor, y: tf.Tensor, c: tf.Tensor): tf.Tensor {
  return tf.tidy(() => safeSqrt(sqPoincareDistance(x, y, c)));
}

/** Options of sqPoincareDistanceAll. */
export interface AllPairsOptions {
  /** points are given as [d, N] (columns) instead of [N, d]; avoids a transposed matMul (slow on wasm). */
  pointsTransposed?: boolean;
}

/**
 * d_c(qᵢ, pⱼ)² for all pairs: q [B, d], points [N, d] (or [d, N]), c [B, 1] (row i uses cᵢ); returns [B, N].
 * One matMul plus elementwise work (Chami et al. 2020 eq. (2), expanded as in the file header).
 */
export function sqPoincareDistanceAll(
  q: tf.Tensor,
  points: tf.Tensor,
  curvature: tf.Tensor,
  options: AllPairsOptions = {},
): tf.Tensor {
  checkRowsAndCurvature('sqPoincareDistanceAll', q, curvature);
  const transposed = options.pointsTransposed === true;
  const dim = points.shape[transposed ? 0 : 1];
  if (points.rank !== 2 || dim !== q.shape[1]) {
    const want = transposed ? `[${q.shape[1]}, N]` : `[N, ${q.shape[1]}]`;
    throw new Error(`sqPoincareDistanceAll: points must be ${want}, got [${points.shape.join(', ')}]`);
  }
  return tf.tidy(() => {
    const c = clampCurvature(curvature);
    const n = points.shape[transposed ? 1 : 0]!;
    const q2 = tf.sum(tf.square(q), -1, true); // [B, 1]
    const p2 = tf.reshape(tf.sum(tf.square(points), transposed ? 0 : 1), [1, n]); // [1, N]
    const qp = tf.matMul(q, points, false, !transposed); // [B, N]
    const D = tf.relu(tf.sub(tf.add(q2, p2), tf.mul(qp, 2)));
    return sqDistanceFromParts(D, conformal(c, q2), conformal(c, p2), c);
  });
}
