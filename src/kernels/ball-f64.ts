// Float64 Poincaré-ball maps on plain arrays (Ganea et al., NeurIPS 2018; Chami et al., ACL 2020), with the kernels'
// guards: the readable definitions behind the kernels' float64 oracle (reference.ts) and the explorer's projection of
// a few hundred shown points (src/lookup/projection.ts), where float64 and no tensors are what is wanted.

/** A read-only numeric vector. */
export type Vec = ArrayLike<number>;

/** artanh clamp of the kernels: KGEmb's 1 − 1e-5 rounded to float32 (= 1 − 1.0014e-5). */
export const Z_MAX = Math.fround(1 - 1e-5);
/** Floor of the Möbius denominator. */
export const D_MIN = 1e-12;

/** Σ a[ao + k]·b[bo + k] for k < d. */
export function dotv(a: Vec, ao: number, b: Vec, bo: number, d: number): number {
  let s = 0;
  for (let k = 0; k < d; k++) s += a[ao + k]! * b[bo + k]!;
  return s;
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

/**
 * The log map at q of the unit ball (c = 1) scaled to the distance: u = (−q) ⊕ x stretched to ‖u‖ = d(q, x) =
 * 2·artanh(min(‖(−q) ⊕ x‖, Z_MAX)) (Chami et al. 2020, eq. (2)), and that distance.
 */
export function logMapAt(q: Vec, x: Vec): { u: Float64Array; distance: number } {
  const m = mobiusAdd(Float64Array.from(q, (v) => -v), x, 1);
  const norm = Math.sqrt(dotv(m, 0, m, 0, m.length));
  const distance = 2 * Math.atanh(Math.min(norm, Z_MAX));
  const scale = norm > 1e-300 ? distance / norm : 0;
  return { u: Float64Array.from(m, (v) => v * scale), distance };
}
