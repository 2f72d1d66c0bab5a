/**
 * Poincaré ball → Lorentz hyperboloid, in float64, for the HNSW index of nearest neighbours by hyperbolic distance
 * (vector-space.ts). Only the mapping lives here: distances themselves are computed by the kernels
 * (src/kernels/assembly/poincare.ts, poincare-top-k.ts; see kernel-search.ts).
 *
 * Ball of curvature −c: points x with c‖x‖² < 1. Hyperboloid: X = (X₀, X⃗) with ⟨X, X⟩_L = −1/c, X₀ > 0, where
 * ⟨X, Y⟩_L = −X₀Y₀ + X⃗·Y⃗ is the Minkowski product. The isometry ball → hyperboloid is
 *
 *   X(x) = ( (1 + c‖x‖²) / √c ,  2x ) / (1 − c‖x‖²),
 *
 * and −c⟨X, Y⟩_L = cosh(√c·d_c(x, y)): the distance is a monotone (decreasing) function of the Minkowski product.
 * Expanding, −c⟨X, Y⟩_L = 1 + 2c‖x − y‖² / ((1 − c‖x‖²)(1 − c‖y‖²)), the classical cosh form of d_c
 * (src/kernels/ball-f64.ts poincareDistance derives the same from the Möbius sum).
 *
 * For numerical work the 1/√c part of X₀ is split off (X₀ → ∞ as c → 0, and −X₀Y₀ + X⃗·Y⃗ would then cancel
 * catastrophically). With
 *
 *   S(x) = X⃗ = 2x / (1 − c‖x‖²)   and   T(x) = (√c·X₀ − 1)/c = 2‖x‖² / (1 − c‖x‖²),
 *
 * X₀ = (1 + cT)/√c and  Δ(x, y) := −⟨X, Y⟩_L − 1/c = (cosh(√c·d) − 1)/c = T_x + T_y + c·T_x·T_y − S_x·S_y ≥ 0.
 * For a fixed query x, maximising the ordinary inner product
 *
 *   κ(y) = ⟨P(x), D(y)⟩,   D(y) = (S_y, T_y),   P(x) = (S_x, −(1 + c·T_x))   ("the query's time coordinate negated")
 *
 * is minimising the distance, since κ(y) = T_x − Δ(x, y) exactly. As c → 0, S → 2x, T → 2‖x‖² and Δ → 2‖x − y‖²:
 * the Euclidean limit is regular.
 *
 * Entity rows are tangent vectors v at 0 (the point is exp₀ᶜ(v)); with s = √c‖v‖ the same coordinates are
 * S = v·sinh(2s)/s and T = 2‖v‖²·(sinh(s)/s)², which stay finite right up to where float64 overflows, and the
 * point lies at geodesic distance 2‖v‖ from 0 whatever c is.
 */

/** Largest s = √c‖v‖ used (sinh(2s) stays finite in float64). */
const MAX_S = 300;

/** sinh(s)/s, with its limit 1 at s = 0. */
function sinhc(s: number): number {
  return s < 1e-8 ? 1 + (s * s) / 6 : Math.sinh(s) / s;
}

/** Squared Euclidean norm of a row. */
export function squaredNorm(v: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  return sum;
}

/** Hyperboloid coordinates (S, T) of a tangent vector v at 0 (its point exp₀ᶜ(v)); S is written into `outS`. */
export function lorentzFromTangent(v: ArrayLike<number>, c: number, outS: Float64Array | number[]): number {
  const n2 = squaredNorm(v);
  const s = Math.min(Math.sqrt(c * n2), MAX_S);
  const scaleS = 2 * sinhc(2 * s); // sinh(2s)/s = 2·sinhc(2s)
  for (let i = 0; i < v.length; i++) outS[i] = v[i]! * scaleS;
  const sc = sinhc(s);
  return 2 * n2 * sc * sc;
}
