// Vector (f32x4) maths shared by the kernels: short names for lane-wise arithmetic, and exp/log per lane
// (Cephes expf/logf, Moshier 1984–1992, with Estrin evaluation of their polynomials), about 1 ulp in [−87, 88] and
// for normal positive inputs respectively.

/** x in all four lanes. */
@inline export function K(x: f32): v128 { return f32x4.splat(x); }
/** a + b per lane. */
@inline export function vadd(a: v128, b: v128): v128 { return f32x4.add(a, b); }
/** a − b per lane. */
@inline export function vsub(a: v128, b: v128): v128 { return f32x4.sub(a, b); }
/** a·b per lane. */
@inline export function vmul(a: v128, b: v128): v128 { return f32x4.mul(a, b); }
/** a/b per lane. */
@inline export function vdiv(a: v128, b: v128): v128 { return f32x4.div(a, b); }
/** a where mask lanes are set, else b. */
@inline export function vsel(a: v128, b: v128, mask: v128): v128 { return v128.bitselect(a, b, mask); }

/** eˣ per lane for x ≤ 88 (x < −87 gives ≈ 0): Cephes expf (range reduction by ln 2), Estrin evaluation. */
@inline export function vexp(x0: v128): v128 {
  const x = f32x4.pmax(x0, K(-87.0));
  const n = f32x4.nearest(vmul(x, K(1.44269504088896341)));
  const r = vsub(vsub(x, vmul(n, K(0.693359375))), vmul(n, K(-2.12194440e-4)));
  const r2 = vmul(r, r), r4 = vmul(r2, r2);
  const p01 = vadd(K(5.0000001201e-1), vmul(K(1.6666665459e-1), r));
  const p23 = vadd(K(4.1665795894e-2), vmul(K(8.3334519073e-3), r));
  const p45 = vadd(K(1.3981999507e-3), vmul(K(1.9875691500e-4), r));
  const y = vadd(vmul(vadd(vadd(p01, vmul(r2, p23)), vmul(r4, p45)), r2), vadd(r, K(1.0)));
  return vmul(y, i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23));
}

/** log x per lane for normal x > 0: Cephes logf (mantissa in [√½, √2)), Estrin evaluation. */
@inline export function vlog(x: v128): v128 {
  let e = i32x4.sub(i32x4.shr_u(x, 23), i32x4.splat(126));
  let m = v128.or(v128.and(x, i32x4.splat(0x007fffff)), i32x4.splat(0x3f000000)); // in [0.5, 1)
  const low = f32x4.lt(m, K(0.707106781186547524));
  e = i32x4.add(e, low); // mask lanes are −1
  m = vsub(vadd(m, v128.and(m, low)), K(1.0));
  const m2 = vmul(m, m), m4 = vmul(m2, m2);
  const q01 = vadd(K(3.3333331174e-1), vmul(K(-2.4999993993e-1), m));
  const q23 = vadd(K(2.0000714765e-1), vmul(K(-1.6668057665e-1), m));
  const q45 = vadd(K(1.4249322787e-1), vmul(K(-1.2420140846e-1), m));
  const q67 = vadd(K(1.1676998740e-1), vmul(K(-1.1514610310e-1), m));
  const q = vadd(vadd(q01, vmul(m2, q23)), vmul(m4, vadd(vadd(q45, vmul(m2, q67)), vmul(m4, K(7.0376836292e-2)))));
  const fe = f32x4.convert_i32x4_s(e);
  const y = vsub(vadd(vmul(q, vmul(m, m2)), vmul(fe, K(-2.12194440e-4))), vmul(m2, K(0.5)));
  return vadd(vadd(m, y), vmul(fe, K(0.693359375)));
}

/** a0 + a1·x + … + a6·x⁶ by Estrin's scheme (x2 = x², x4 = x⁴): short dependency chains. */
@inline export function poly6(x: v128, x2: v128, x4: v128, a0: f32, a1: f32, a2: f32, a3: f32, a4: f32, a5: f32,
  a6: f32): v128 {
  const p01 = vadd(K(a0), vmul(K(a1), x));
  const p23 = vadd(K(a2), vmul(K(a3), x));
  const p45 = vadd(K(a4), vmul(K(a5), x));
  return vadd(vadd(p01, vmul(x2, p23)), vmul(x4, vadd(p45, vmul(x2, K(a6)))));
}
