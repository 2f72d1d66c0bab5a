// The negative sum of complex moduli, similarity kind 5 (negModulusL1): rows are d/2 complex numbers laid out as
// [Re | Im] (RotatE's layout: models/complex-ops.ts, the fused program's complexMul), and
//   s(q, v) = −Σ_i |q_i − v_i| = −Σ_i √((q_re,i − v_re,i)² + (q_im,i − v_im,i)²),   i < d/2,
// the distance of RotatE with the L1 norm over complex coordinates (Sun et al. 2019, eq. (2), as the authors' code
// computes it: the sum of the moduli, not the L2 norm of the real difference vector).
// Each modulus is floored as negEuclidean's distance is: |Δ_i| = √max(Δre_i² + Δim_i², EUC_EPS), so the gradient is
// finite where q_i = v_i. VJP (the true gradient for |Δ_i|² > EUC_EPS; below it that of the linear continuation,
// → 0 as Δ_i → 0, as in similarity.ts):
//   ∂s/∂q_re,i = −Δre_i/|Δ_i|,  ∂s/∂q_im,i = −Δim_i/|Δ_i|,  ∂s/∂v = −∂s/∂q.
// Here: the floored moduli of four coordinates (used by l1.ts's all-entity loops), the distance and VJP of one
// sampled pair (called from similarity.ts's pair loops). A row's d/2 real parts are a whole number of f32x4 lanes or
// two floats more (d % 4 == 0): those last two complex coordinates are read and written with 64-bit lanes.
import { hsum, madd, EUC_EPS } from './simd';


/** √max(dr² + di², EUC_EPS) per lane: the floored moduli of four complex differences dr + i·di. */
@inline export function modulusLanes(dr: v128, di: v128): v128 {
  return f32x4.sqrt(f32x4.pmax(madd(dr, dr, f32x4.mul(di, di)), f32x4.splat(EUC_EPS)));
}

/** Four floats at p, or (tail) two with lanes 2 and 3 zero. */
@inline function loadPart(p: usize, tail: bool): v128 {
  return tail ? v128.load64_zero(p) : v128.load(p);
}

/** Stores the four lanes of x at p, or (tail) lanes 0 and 1. */
@inline function storePart(p: usize, x: v128, tail: bool): void {
  if (tail) v128.store64_lane(p, x, 0);
  else v128.store(p, x);
}

/** |a_i − b_i| of the complex coordinates whose real parts are at a, b (imaginary parts `half` bytes on); tail: two. */
@inline function moduliAt(a: usize, b: usize, half: usize, tail: bool): v128 {
  const m = modulusLanes(f32x4.sub(loadPart(a, tail), loadPart(b, tail)), f32x4.sub(loadPart(a + half, tail), loadPart(b + half, tail)));
  return tail ? v128.and(m, i32x4(-1, -1, 0, 0)) : m; // the tail's lanes 2 and 3 hold √EUC_EPS
}

/** Σ_i |a_i − b_i| over the complex coordinates of two rows of `bytes` bytes ([Re | Im]). */
@inline export function modulusDist(a: usize, b: usize, bytes: usize): f32 {
  const half = bytes >> 1;
  let acc = f32x4.splat(0);
  let k: usize = 0;
  for (; k + 16 <= half; k += 16) acc = f32x4.add(acc, moduliAt(a + k, b + k, half, false));
  if (k < half) acc = f32x4.add(acc, moduliAt(a + k, b + k, half, true));
  return hsum(acc);
}

/** The VJP of four (tail: two) complex coordinates of a pair, q, v, dq, gv at their real parts; Gv = dL/ds. */
@inline function modulusStep(q: usize, v: usize, Gv: v128, dq: usize, gv: usize, half: usize, tail: bool): void {
  const dr = f32x4.sub(loadPart(q, tail), loadPart(v, tail));
  const di = f32x4.sub(loadPart(q + half, tail), loadPart(v + half, tail));
  const w = f32x4.div(Gv, modulusLanes(dr, di)); // G/|Δ_i|: then ∂/∂q = −w·Δ, ∂/∂v = +w·Δ
  const gr = f32x4.mul(w, dr), gi = f32x4.mul(w, di);
  storePart(dq, f32x4.sub(loadPart(dq, tail), gr), tail);
  storePart(dq + half, f32x4.sub(loadPart(dq + half, tail), gi), tail);
  storePart(gv, f32x4.add(loadPart(gv, tail), gr), tail);
  storePart(gv + half, f32x4.add(loadPart(gv + half, tail), gi), tail);
}

/**
 * The VJP of one scored pair s = −Σ_i |q_i − v_i| with dL/ds = G: dq += G·∂s/∂q, gv += G·∂s/∂v (both accumulated:
 * a candidate drawn twice adds up).
 */
@inline export function modulusPairBackward(q: usize, v: usize, G: f32, dq: usize, gv: usize, bytes: usize): void {
  const half = bytes >> 1;
  const Gv = f32x4.splat(G);
  let k: usize = 0;
  for (; k + 16 <= half; k += 16) modulusStep(q + k, v + k, Gv, dq + k, gv + k, half, false);
  if (k < half) modulusStep(q + k, v + k, Gv, dq + k, gv + k, half, true);
}
