// Table constraints (f32x4 in, f64x2 sums). The readable twin is projectUnitRows in src/core/table-constraints.ts,
// which sums in the same lane order, so both give the same bits.

/** Floor of the norm a row is divided by (torch.nn.functional.normalize's eps). */
const UNIT_NORM_EPS: f64 = 1e-12;

/**
 * Projects each of the n rows of d floats (d % 4 == 0) at `param` onto the unit L2 sphere: e ← e / max(‖e‖₂, 1e-12)
 * (Bordes et al. 2013, Algorithm 1, line 5). The squares are exact in f64; lane j of four sums the coordinates
 * k ≡ j (mod 4) in order, the row's sum is (s0 + s1) + (s2 + s3), and each coordinate is divided in f64 and rounded once.
 */
export function unitNormRows(n: i32, d: i32, param: usize): void {
  const bytes = <usize>d << 2;
  for (let i = 0; i < n; i++) unitNormRow(param + <usize>i * bytes, bytes);
}

/** Projects the row of `bytes` bytes (a multiple of 16) at `o` onto the unit L2 sphere, as unitNormRows. */
@inline export function unitNormRow(o: usize, bytes: usize): void {
  let s01 = f64x2.splat(0); // lanes 0 and 1
  let s23 = f64x2.splat(0); // lanes 2 and 3
  for (let k: usize = 0; k < bytes; k += 16) {
    const x = v128.load(o + k);
    const lo = f64x2.promote_low_f32x4(x);
    const hi = f64x2.promote_low_f32x4(i8x16.shuffle(x, x, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7));
    s01 = f64x2.add(s01, f64x2.mul(lo, lo));
    s23 = f64x2.add(s23, f64x2.mul(hi, hi));
  }
  const sum = (f64x2.extract_lane(s01, 0) + f64x2.extract_lane(s01, 1)) + (f64x2.extract_lane(s23, 0) + f64x2.extract_lane(s23, 1));
  const norm = f64x2.splat(Math.max(Math.sqrt(sum), UNIT_NORM_EPS));
  for (let k: usize = 0; k < bytes; k += 16) {
    const x = v128.load(o + k);
    const lo = f32x4.demote_f64x2_zero(f64x2.div(f64x2.promote_low_f32x4(x), norm));
    const hi = f32x4.demote_f64x2_zero(f64x2.div(
      f64x2.promote_low_f32x4(i8x16.shuffle(x, x, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7)), norm));
    v128.store(o + k, i8x16.shuffle(lo, hi, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23));
  }
}
