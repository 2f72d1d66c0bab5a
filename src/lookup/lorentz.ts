/**
 * Poincaré ball → Lorentz hyperboloid, in float64, for nearest-neighbour search by hyperbolic distance.
 *
 * Ball of curvature −c: points x with c‖x‖² < 1. Hyperboloid: X = (X₀, X⃗) with ⟨X, X⟩_L = −1/c, X₀ > 0, where
 * ⟨X, Y⟩_L = −X₀Y₀ + X⃗·Y⃗ is the Minkowski product. The isometry ball → hyperboloid is
 *
 *   X(x) = ( (1 + c‖x‖²) / √c ,  2x ) / (1 − c‖x‖²),
 *
 * and −c⟨X, Y⟩_L = cosh(√c·d_c(x, y)): the distance is a monotone (decreasing) function of the Minkowski product.
 * Expanding, −c⟨X, Y⟩_L = 1 + 2c‖x − y‖² / ((1 − c‖x‖²)(1 − c‖y‖²)), the classical cosh form of d_c
 * (src/hyperbolic/distance.ts derives the same from the Möbius sum).
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
 * the Euclidean limit is regular. The distance back: d_c² = arccosh(1 + cΔ)²/c = 2Δ·asinh(√w)²/w with w = cΔ/2.
 *
 * Entity rows are tangent vectors v at 0 (the point is exp₀ᶜ(v)); with s = √c‖v‖ the same coordinates are
 * S = v·sinh(2s)/s and T = 2‖v‖²·(sinh(s)/s)², which stay finite right up to where float64 overflows, and the
 * point lies at geodesic distance 2‖v‖ from 0 whatever c is.
 */

/** Largest s = √c‖v‖ used (sinh(2s) stays finite in float64; tanh(s) is 1 to machine precision long before). */
const MAX_S = 300;
/** Floor of 1 − c‖x‖² for ball points given directly (a query projected onto the float32 boundary). */
const MIN_CONFORMAL = 1e-15;

/** sinh(s)/s, with its limit 1 at s = 0. */
function sinhc(s: number): number {
  return s < 1e-8 ? 1 + (s * s) / 6 : Math.sinh(s) / s;
}

/** tanh(s)/s, with its limit 1 at s = 0. */
function tanhc(s: number): number {
  return s < 1e-8 ? 1 - (s * s) / 3 : Math.tanh(s) / s;
}

/** asinh(√w)²/w, with its limit 1 at w = 0 (series below 1e-6). */
function asinhSqRatio(w: number): number {
  if (w < 1e-6) return 1 - w / 3 + (8 * w * w) / 45;
  const a = Math.asinh(Math.sqrt(w));
  return (a * a) / w;
}

/** Squared Euclidean norm of a row. */
export function squaredNorm(v: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  return sum;
}

/** The ball point exp₀ᶜ(v) = tanh(√c‖v‖)·v/(√c‖v‖) of a tangent vector (float64), and its 1 − c‖x‖² = sech²(s). */
export function ballFromTangent(v: ArrayLike<number>, c: number): { x: Float64Array; conformal: number } {
  const s = Math.min(Math.sqrt(c * squaredNorm(v)), MAX_S);
  const ratio = tanhc(s);
  const x = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) x[i] = v[i]! * ratio;
  const cosh = Math.cosh(s);
  return { x, conformal: 1 / (cosh * cosh) };
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

/** Hyperboloid coordinates (S, T) of a ball point x; S is written into `outS`. */
export function lorentzFromBall(x: ArrayLike<number>, c: number, outS: Float64Array | number[]): number {
  const x2 = squaredNorm(x);
  const conformal = Math.max(1 - c * x2, MIN_CONFORMAL);
  for (let i = 0; i < x.length; i++) outS[i] = (2 * x[i]!) / conformal;
  return (2 * x2) / conformal;
}

/** The Minkowski product ⟨X, Y⟩_L of the hyperboloid points with coordinates (S, T) at curvature c. */
export function minkowskiProduct(sx: ArrayLike<number>, tx: number, sy: ArrayLike<number>, ty: number, c: number): number {
  let dot = 0;
  for (let i = 0; i < sx.length; i++) dot += sx[i]! * sy[i]!;
  return dot - ((1 + c * tx) * (1 + c * ty)) / c;
}

/** Δ = (cosh(√c·d) − 1)/c from two ball points given with their conformal factors 1 − c‖·‖² (exact for close pairs). */
export function deltaFromBall(x: ArrayLike<number>, conformalX: number, y: ArrayLike<number>, conformalY: number): number {
  let d2 = 0;
  for (let i = 0; i < x.length; i++) {
    const t = x[i]! - y[i]!;
    d2 += t * t;
  }
  return (2 * d2) / (Math.max(conformalX, MIN_CONFORMAL) * Math.max(conformalY, MIN_CONFORMAL));
}

/** d_c² from Δ = (cosh(√c·d) − 1)/c:  d² = arccosh(1 + cΔ)²/c, written so that c → 0 gives 2Δ. */
export function sqDistanceFromDelta(delta: number, c: number): number {
  return 2 * delta * asinhSqRatio((c * Math.max(delta, 0)) / 2);
}

/** d_c(x, y)² between two ball points (float64). */
export function sqPoincareDistance64(x: ArrayLike<number>, y: ArrayLike<number>, c: number): number {
  const cx = 1 - c * squaredNorm(x);
  const cy = 1 - c * squaredNorm(y);
  return sqDistanceFromDelta(deltaFromBall(x, cx, y, cy), c);
}

/** Geodesic distance of a ball point from 0: (2/√c)·artanh(√c‖x‖) (limit 2‖x‖ as c → 0). */
export function geodesicRadius(x: ArrayLike<number>, c: number): number {
  const n = Math.sqrt(squaredNorm(x));
  const t = Math.min(Math.sqrt(c) * n, 1 - 1e-16);
  return t < 1e-8 ? 2 * n : (2 * Math.atanh(t)) / Math.sqrt(c);
}

/**
 * Slope λ of the chord of d² = g(Δ) from 0 to the largest possible Δ, when every distance is at most `maxDistance`.
 * g is concave (dg/dΔ = 2y/sinh(y) with y = √c·d decreases), so g(Δ) ≥ λΔ on that range: −d² ≤ −λΔ. With
 * u = √c·maxDistance/2, λ = 2(u/sinh u)² (→ 2 as c → 0).
 */
export function chordSlope(c: number, maxDistance: number): number {
  const u = (Math.sqrt(c) * maxDistance) / 2;
  const r = 1 / sinhc(u);
  return 2 * r * r;
}
