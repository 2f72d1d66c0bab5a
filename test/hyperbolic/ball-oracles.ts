/**
 * tfjs test oracles of Poincaré-ball formulas that no production path uses (docs/ARCHITECTURE.md: one home per
 * formula; float64 and tfjs copies only as test oracles). Built on the production pieces of src/hyperbolic
 * (curvature clamp, conformal floor, ratio builder, shape checks), so the tests of these exercise those too:
 *
 * - guarded scalars: artanh (clamped at ±(1 − ARTANH_EPS)), tanh, acosh, safeSqrt;
 * - the ratios artanh(√t)/√t and asinh(√w)²/w (ratios.ts's `makeRatio`);
 * - the log map at the origin, log₀ᶜ(y) = artanh(√c‖y‖) · y/(√c‖y‖) (Chami et al., ACL 2020, eq. (1));
 * - the Poincaré distance row-wise and for all pairs, in an uncapped asinh form (below).
 *
 * Production's Poincaré score −d_c(q, exp₀(v))² lives in src/kernels/assembly/poincare.ts (tfjs path
 * src/core/similarity-tf.ts, float64 oracle src/kernels/reference.ts), which caps artanh at 1 − 1e-5 as KGEmb does.
 * The distance here has no cap, so it equals production only inside it (oracle-vs-production.test.ts).
 *
 * ARTANH_EPS = 5e-6: artanh clamps its argument to ±(1 − 5e-6). That is strictly outside the projected ball
 * (√c‖x‖ ≤ 1 − BALL_EPS = 1 − 1e-5), with ~84 ulps of margin, so no point of the ball is ever clipped, and still ~84
 * ulps below 1, so 1 − x is non-zero and meaningful and artanh' = 1/(1 − x²) ≤ 1e5 stays finite.
 *
 * The distance (Chami et al. 2020, eq. (2)):
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
 * far pairs do not saturate (two projected points can be 24.4/√c apart, where artanh(1 − 1e-5) caps every
 * distance at 12.2/√c), and avoids the cancellation in 1 − 2c⟨x,y⟩ + c²‖x‖²‖y‖² (KGEmb's denominator), which
 * in float32 is pure rounding noise for nearby points near the boundary. Row-wise, D is summed from x − y
 * directly, so d(x, x) = 0 exactly. For all pairs, D = ‖x‖² + ‖y‖² − 2⟨x,y⟩ comes from one matMul; its rounding
 * error ~1e-7·(‖x‖² + ‖y‖²) is the usual one of that expansion, amplified by 4/(ab) in d². Measured (d = 32,
 * c = 1, float64 reference): for √c‖x‖ ≤ 0.996 (KGEmb's float32 ball) the all-pairs d² is as accurate as the
 * row-wise one; for close pairs it is off by up to ~0.1 absolute at 0.999 and up to ~50 at 1 − 1e-5, where the
 * row-wise d² stays within ~0.1.
 */
import * as tf from '@tensorflow/tfjs-core';
import { MIN_CONFORMAL, MIN_SQ_NORM, TANH_MAX, clampCurvature } from '../../src/hyperbolic/guards.js';
import { TINY_T, makeRatio } from '../../src/hyperbolic/ratios.js';
import { checkRowsAndCurvature, checkSameShape } from '../../src/hyperbolic/shapes.js';

/** artanh clamps its argument to [−1 + ARTANH_EPS, 1 − ARTANH_EPS]. */
export const ARTANH_EPS = 5e-6;
/** Largest argument of artanhRatio: (1 − ARTANH_EPS)², i.e. √t clamped as in artanh. */
export const ARTANH_T_MAX = (1 - ARTANH_EPS) * (1 - ARTANH_EPS);

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

/** tanh(x) with x clamped to ±TANH_MAX. */
export function tanh(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.tanh(tf.clipByValue(x, -TANH_MAX, TANH_MAX)));
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

/** Taylor coefficients in t of artanh(√t)/√t: 1/(2k+1). */
const ARTANH_RATIO_SERIES = Array.from({ length: 8 }, (_, k) => 1 / (2 * k + 1));
/** Taylor coefficients in w of asinh(√w)²/w: (−1)^k 2^(2k+1) (k!)² / (2k+2)!. */
const ASINH_SQ_RATIO_SERIES = Array.from({ length: 8 }, (_, k) => {
  let a = 1; // a_k = 2^(2k+1) (k!)² / (2k+2)!, built by a_k = a_{k-1} · 4k² / ((2k+1)(2k+2))
  for (let j = 1; j <= k; j++) a *= (4 * j * j) / ((2 * j + 1) * (2 * j + 2));
  return (k % 2 === 0 ? 1 : -1) * a;
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

/** artanh(√t)/√t for 0 ≤ t ≤ ARTANH_T_MAX, clamped above (the logmap0 factor, eq. (1)); gradient 0 when clamped. */
export function artanhRatio(t: tf.Tensor): tf.Tensor {
  return tf.tidy(() => artanhRatioOp(tf.minimum(t, ARTANH_T_MAX)));
}

/** asinh(√w)²/w for w ≥ 0 (the distance factor, see the header); smooth at 0, first-order gradient. */
export function asinhSqRatio(w: tf.Tensor): tf.Tensor {
  return asinhSqRatioOp(w);
}

/**
 * log₀ᶜ(y) for ball points y [B, d], curvature c [B, 1] (Chami et al. 2020 eq. (1)); returns tangent vectors.
 * √c‖y‖ is clamped at 1 − ARTANH_EPS, so a point at the projection radius is never clipped.
 */
export function logmap0(y: tf.Tensor, c: tf.Tensor): tf.Tensor {
  checkRowsAndCurvature('logmap0', y, c);
  return tf.tidy(() => {
    const t = tf.mul(clampCurvature(c), tf.sum(tf.square(y), -1, true));
    return tf.mul(y, artanhRatio(t));
  });
}

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
