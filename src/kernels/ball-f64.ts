// Float64 Poincaré-ball maps and distances on plain arrays (Ganea et al., NeurIPS 2018; Chami et al., ACL 2020), and
// the two L1 distances of the flat models, with the kernels' guards: the readable definitions behind the kernels'
// float64 oracle (reference.ts) and the explorer's projection of a few hundred shown points
// (src/lookup/projection.ts), where float64 and no tensors are what is wanted.

/** A read-only numeric vector. */
export type Vec = ArrayLike<number>;

/** artanh clamp of the kernels: KGEmb's 1 − 1e-5 rounded to float32 (= 1 − 1.0014e-5). */
export const Z_MAX = Math.fround(1 - 1e-5);
/** Floor of the Möbius denominator. */
export const D_MIN = 1e-12;
/** Floor of a squared distance under a square root (negEuclidean's ‖q − v‖², each complex modulus of negModulusL1). */
export const EUC_EPS = 1e-12;

/** Σ a[ao + k]·b[bo + k] for k < d. */
export function dotv(a: Vec, ao: number, b: Vec, bo: number, d: number): number {
  let s = 0;
  for (let k = 0; k < d; k++) s += a[ao + k]! * b[bo + k]!;
  return s;
}

/** −‖q − v‖₁ = −Σ_i |q_i − v_i| (Bordes et al. 2013, eq. (1) with the L1 dissimilarity). */
export function negL1(q: Vec, v: Vec): number {
  let s = 0;
  for (let k = 0; k < q.length; k++) s += Math.abs(q[k]! - v[k]!);
  return -s;
}

/**
 * −Σ_i |q_i − v_i| over the d/2 complex coordinates of [Re | Im] rows, |Δ_i| = √max(Δre_i² + Δim_i², floor) (RotatE's
 * distance with the L1 norm over complex moduli, Sun et al. 2019, eq. (2)); the floor of the kernels (modulus-l1.ts)
 * unless given, 0 for the exact moduli.
 */
export function negModulusL1(q: Vec, v: Vec, floor = EUC_EPS): number {
  const h = q.length / 2;
  let s = 0;
  for (let i = 0; i < h; i++) s += Math.sqrt(Math.max((q[i]! - v[i]!) ** 2 + (q[h + i]! - v[h + i]!) ** 2, floor));
  return -s;
}

/** expmap0(v, c) = tanh(√c‖v‖)·v/(√c‖v‖) (Ganea et al. 2018, §2.4); ‖v‖ floored at 1e-15 as in KGEmb. */
export function expmap0(v: Vec, c: number): Float64Array {
  const n = Math.max(Math.sqrt(dotv(v, 0, v, 0, v.length)), 1e-15);
  const f = Math.tanh(Math.sqrt(c) * n) / (Math.sqrt(c) * n);
  return Float64Array.from(v, (x) => f * x);
}

/** Möbius addition x ⊕_c y (Ganea et al. 2018, §2.3; Chami et al. 2020, eq. (2)). */
export function mobiusAdd(x: Vec, y: Vec, c: number): Float64Array {
  const d = x.length;
  const x2 = dotv(x, 0, x, 0, d), y2 = dotv(y, 0, y, 0, d), xy = dotv(x, 0, y, 0, d);
  const a = 1 + 2 * c * xy + c * y2, b = 1 - c * x2;
  const den = Math.max(1 + 2 * c * xy + c * c * x2 * y2, D_MIN);
  const out = new Float64Array(d);
  for (let k = 0; k < d; k++) out[k] = (a * x[k]! + b * y[k]!) / den;
  return out;
}

/** d_c(0, m) = (2/√c)·artanh(min(√c‖m‖, Z_MAX)): the distance of a ball point from the origin, clamped as in the kernels. */
export function distanceFromOrigin(m: Vec, c: number): number {
  const z = Math.min(Math.sqrt(c * dotv(m, 0, m, 0, m.length)), Z_MAX);
  return (2 / Math.sqrt(c)) * Math.atanh(z);
}

/** d_c(q, x) = d_c(0, (−q) ⊕_c x) = (2/√c)·artanh(√c‖(−q) ⊕_c x‖) (Chami et al. 2020, eq. (3)), clamped as in the kernels. */
export function poincareDistance(q: Vec, x: Vec, c: number): number {
  return distanceFromOrigin(mobiusAdd(Float64Array.from(q, (v) => -v), x, c), c);
}

/**
 * The log map at q of the unit ball (c = 1) scaled to the distance: u = (−q) ⊕ x stretched to ‖u‖ = d(q, x) =
 * d(0, (−q) ⊕ x) (distanceFromOrigin at c = 1), and that distance.
 */
export function logMapAt(q: Vec, x: Vec): { u: Float64Array; distance: number } {
  const m = mobiusAdd(Float64Array.from(q, (v) => -v), x, 1);
  const norm = Math.sqrt(dotv(m, 0, m, 0, m.length));
  const distance = distanceFromOrigin(m, 1);
  const scale = norm > 1e-300 ? distance / norm : 0;
  return { u: Float64Array.from(m, (v) => v * scale), distance };
}
