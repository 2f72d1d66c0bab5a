// f32x4 building blocks shared by the kernels. Rows are d floats with d % 4 == 0, so a row is `bytes = 4·d`
// bytes, a whole number of v128 lanes. Two accumulators break the add dependency chain when d % 8 == 0.

/** Floor under a squared distance or modulus before its square root (negEuclidean, negModulusL1), so gradients stay finite. */
export const EUC_EPS: f32 = 1e-12;

/**
 * a·b + c per lane: one fused multiply-add in the build with relaxed SIMD (build/kernels-fma.wasm, where the host
 * has it: one rounding instead of two, half the instructions of the dense products), a multiply and an add in the
 * portable build/kernels.wasm. The choice is made when the module is compiled (ASC_FEATURE_RELAXED_SIMD).
 */
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** Horizontal sum of the four lanes of an f32x4. */
@inline export function hsum(a: v128): f32 {
  return f32x4.extract_lane(a, 0) + f32x4.extract_lane(a, 1) + f32x4.extract_lane(a, 2) + f32x4.extract_lane(a, 3);
}

/** Largest lane of v. */
@inline export function hmax(v: v128): f32 {
  return Mathf.max(Mathf.max(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)),
    Mathf.max(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
}

/** Dot product a·b of two rows of `bytes` bytes (bytes % 16 == 0). */
@inline export function dot(a: usize, b: usize, bytes: usize): f32 {
  let acc0 = f32x4.splat(0);
  let acc1 = f32x4.splat(0);
  let k: usize = 0;
  for (; k + 32 <= bytes; k += 32) {
    acc0 = madd(v128.load(a + k), v128.load(b + k), acc0);
    acc1 = madd(v128.load(a + k, 16), v128.load(b + k, 16), acc1);
  }
  if (k < bytes) acc0 = madd(v128.load(a + k), v128.load(b + k), acc0);
  return hsum(f32x4.add(acc0, acc1));
}

/** Squared Euclidean distance ‖a − b‖² of two rows, computed from the difference (no cancellation). */
@inline export function sqDist(a: usize, b: usize, bytes: usize): f32 {
  let acc0 = f32x4.splat(0);
  let acc1 = f32x4.splat(0);
  let k: usize = 0;
  for (; k + 32 <= bytes; k += 32) {
    const e0 = f32x4.sub(v128.load(a + k), v128.load(b + k));
    const e1 = f32x4.sub(v128.load(a + k, 16), v128.load(b + k, 16));
    acc0 = madd(e0, e0, acc0);
    acc1 = madd(e1, e1, acc1);
  }
  if (k < bytes) {
    const e = f32x4.sub(v128.load(a + k), v128.load(b + k));
    acc0 = madd(e, e, acc0);
  }
  return hsum(f32x4.add(acc0, acc1));
}

/** Second result of `dot2` (the wasm ABI has one return value). */
export let dot2Second: f32 = 0;

/** One pass over row v: returns v·v and leaves v·q in `dot2Second`. */
@inline export function dot2(v: usize, q: usize, bytes: usize): f32 {
  let vv0 = f32x4.splat(0);
  let vv1 = f32x4.splat(0);
  let vq0 = f32x4.splat(0);
  let vq1 = f32x4.splat(0);
  let k: usize = 0;
  for (; k + 32 <= bytes; k += 32) {
    const a0 = v128.load(v + k);
    const a1 = v128.load(v + k, 16);
    vv0 = madd(a0, a0, vv0);
    vv1 = madd(a1, a1, vv1);
    vq0 = madd(a0, v128.load(q + k), vq0);
    vq1 = madd(a1, v128.load(q + k, 16), vq1);
  }
  if (k < bytes) {
    const a0 = v128.load(v + k);
    vv0 = madd(a0, a0, vv0);
    vq0 = madd(a0, v128.load(q + k), vq0);
  }
  dot2Second = hsum(f32x4.add(vq0, vq1));
  return hsum(f32x4.add(vv0, vv1));
}

/** Sets `bytes` bytes at p to zero (bytes % 16 == 0). */
@inline export function zeroRow(p: usize, bytes: usize): void {
  const z = f32x4.splat(0);
  for (let k: usize = 0; k < bytes; k += 16) v128.store(p + k, z);
}
