// Table constraints (f32x4). The readable twin is projectUnitRows in src/core/table-constraints.ts, which rounds
// every operation to float32 in the same order, so both give the same bits.

/** Floor of the norm a row is divided by (torch.nn.functional.normalize's eps). */
const UNIT_NORM_EPS: f32 = 1e-12;

/**
 * Projects each of the n rows of d floats (d % 4 == 0) at `param` onto the unit L2 sphere: e ← e / max(‖e‖₂, 1e-12)
 * (Bordes et al. 2013, Algorithm 1, line 5), in float32 as PyTorch normalises a float32 table: lane j of four sums
 * the squares of the coordinates k ≡ j (mod 4) in order, the row's sum is (s0 + s1) + (s2 + s3), its square root is
 * rounded once, and each coordinate is divided by it once.
 */
export function unitNormRows(n: i32, d: i32, param: usize): void {
  const bytes = <usize>d << 2;
  const eps = f32x4.splat(UNIT_NORM_EPS);
  for (let i = 0; i < n; i++) {
    const o = param + <usize>i * bytes;
    let s = f32x4.splat(0);
    for (let k: usize = 0; k < bytes; k += 16) {
      const x = v128.load(o + k);
      s = f32x4.add(s, f32x4.mul(x, x));
    }
    const sum = (f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1)) + (f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3));
    const norm = f32x4.pmax(f32x4.splat(Mathf.sqrt(sum)), eps);
    for (let k: usize = 0; k < bytes; k += 16) v128.store(o + k, f32x4.div(v128.load(o + k), norm));
  }
}
