// Scalar part of the squared Poincaré distance as a function of three dot products, evaluated for four
// candidates at once (one per f32x4 lane; vector exp/log below).
//
// Notation: q = query point in the Poincaré ball of curvature −c (c > 0), v = candidate row stored in the tangent
// space at 0, X = ‖q‖², V = ‖v‖², P = q·v. The candidate point is y = expmap0(v, c) = g·v with
//   t = √(c·V),  g(t) = tanh(t)/t            (Ganea et al. 2018, §2.4; Chami et al. 2020, eq. (1)),
// so Y = ‖y‖² = g²·V and p = q·y = g·P. Möbius addition has the closed-form norm (Ungar's gyrodistance)
//   ‖(−q) ⊕_c y‖² = A / D,   A = X + Y − 2p = ‖q − y‖²,   D = 1 − 2c·p + c²·X·Y
// (Chami et al. 2020, eq. (2): its numerator simplifies to A·D). With w = c·A/D and z = √w,
//   d_c(q, y) = (2/√c)·artanh(z)     (Chami et al. 2020, eq. (3)),     s = −d_c² = −(4/c)·artanh(z)².
// Float32 accuracy near the boundary: D − cA = (1 − cX)(1 − cY), so 1 − w = (1 − cX)·sech²t / D with no
// cancellation (1 − cY = 1 − tanh²t = sech²t = 4e/(1 + e)², e = e^{−2t}), and
//   artanh z = ½·log((1 + z)/(1 − z)) = ½·log((1 + z)²/(1 − w)).
// For z < 0.3 (w < 0.09) artanh z = z·R(w) with R(w) = Σ_k w^k/(2k + 1) (series, no log).
//
// Derivatives (hand-derived; tested against central finite differences of src/kernels/reference.ts):
//   s_w = ∂s/∂w = −(4/c)·2·artanh(z)·(1/(1 − z²))·(1/(2z)) = −(4/c)·R/(1 − w),   R = artanh(z)/z → 1 as z → 0.
//   s_A = s_w·c/D,   s_D = −s_w·w/D.
//   Through A(X, Y, p), D(X, Y, p):   s_X = s_A + s_D·c²·Y,   s_Y = s_A + s_D·c²·X,   s_p = −2·s_A − 2c·s_D.
//   g depends on V and c only through t² = cV:  dg/dV = (c/2)·h,  dg/dc = (V/2)·h,  h(t) = g'(t)/t
//     = (t·sech²t − tanh t)/t³ = −2/3 + 8t²/15 − 34t⁴/105 + …   (finite at t = 0, so v = 0 is safe).
//   Hence   s_x2 = s_X,   s_xv = s_p·g,   s_v2 = s_Y·(g² + c·g·V·h) + s_p·P·(c/2)·h,   (g² + c·g·V·h = dY/dV)
//           s_c  = −s/c + s_w·A/D + s_D·(2c·X·Y − 2p) + s_Y·g·V²·h + s_p·P·(V/2)·h,
//   and ds/dq = 2·s_x2·q + s_xv·v,  ds/dv = 2·s_v2·v + s_xv·q (assembled in poincare-rows.ts).
// In float32 these are evaluated in cancellation-free forms: with 1 − w = omw, s_X = s_A·(omw + w·sech²t),
//   s_Y = s_A·(omw + w·(1 − cX)), s_p = −2·s_A·omw, and dY/dV = g² + c·g·V·h = tanh t·sech²t/t for t ≥ 0.3.
//   s_c stays a sum of terms that cancel when s hardly depends on c (q ≈ 0 with y near the boundary, where
//   d = 2‖v‖ for every c): its float32 error there is ~1e-7 of the largest term, not of s_c.
//
// Guards (finite values and gradients for v = 0, q = 0, q = y and q on or past the boundary):
//   Z_MAX = f32(1 − 1e-5) = 1 − 1.0014e-5 clamps z (as KGEmb's Artanh); at the clamp the gradient is KGEmb's
//     straight-through one, artanh'(Z_MAX) times the true dz, so a pair pushed apart still gets a pull.
//   D is floored at D_MIN = 1e-12 and 1 − w at OMW_MIN = 1e-30 (both only reachable with q outside the ball);
//   A is floored at 0. Series (7 terms, Estrin) below t = 0.3 for g and h and below z = 0.3 for R.

import { K, poly6, vadd, vdiv, vexp, vlog, vmul, vsel, vsub } from './vmath';

/** artanh clamp, f32(1 − 1e-5) as KGEmb's `Artanh`. */
export const Z_MAX: f32 = 0.99999;
export const RATIO_MAX: f32 = <f32>((1.0 + <f64>Z_MAX) / (1.0 - <f64>Z_MAX)); // (1 + z)/(1 − z) at the clamp
const INV_OMW_CLAMP: f32 = <f32>(1.0 / (1.0 - <f64>Z_MAX * <f64>Z_MAX)); // 1/(1 − z²) at the clamp
/** Floor of the Möbius denominator D. */
export const D_MIN: f32 = 1e-12;
const OMW_MIN: f32 = 1e-30;

/** Partials of the last `poincare4(…, true)` call, one lane per candidate: ∂s/∂x2, ∂s/∂v2, ∂s/∂xv, ∂s/∂c. */
export let pS_x2: v128 = f32x4(0, 0, 0, 0);
export let pS_v2: v128 = f32x4(0, 0, 0, 0);
export let pS_xv: v128 = f32x4(0, 0, 0, 0);
export let pS_c: v128 = f32x4(0, 0, 0, 0);

/**
 * s = −d_c(q, expmap0(v))² for four candidates (lanes of V, P) of one query; per-query splats: X = ‖q‖²,
 * omcx = 1 − c·X, c, cc = c², m4c = −4/c. With `grad` also sets pS_x2, pS_v2, pS_xv, pS_c (derivation above).
 */
@inline export function poincare4(X: v128, omcx: v128, c: v128, cc: v128, m4c: v128, V: v128, P: v128,
  grad: bool): v128 {
  const u = vmul(c, V); // t²
  const u2 = vmul(u, u), u4 = vmul(u2, u2);
  const t = f32x4.sqrt(u);
  const invT = vdiv(K(1.0), t);
  const small = f32x4.lt(t, K(0.3));
  const e = vexp(vmul(t, K(-2.0)));
  const invOpe = vdiv(K(1.0), vadd(K(1.0), e));
  const th = vmul(vsub(K(1.0), e), invOpe);
  // g = tanh(t)/t = Σ a_k t^{2k}, a = 1, −1/3, 2/15, −17/315, 62/2835, −1382/155925, 21844/6081075
  const gs = poly6(u, u2, u4, 1.0, <f32>(-1.0 / 3.0), <f32>(2.0 / 15.0), <f32>(-17.0 / 315.0),
    <f32>(62.0 / 2835.0), <f32>(-1382.0 / 155925.0), <f32>(21844.0 / 6081075.0));
  const g = vsel(gs, vmul(th, invT), small);
  const sech2 = vsel(vsub(K(1.0), vmul(u, vmul(gs, gs))), vmul(vmul(K(4.0), e), vmul(invOpe, invOpe)), small); // 1 − cY
  const Y = vmul(vmul(g, g), V);
  const p = vmul(g, P);
  const A = f32x4.pmax(vsub(vadd(X, Y), vadd(p, p)), K(0.0));
  const D = f32x4.pmax(vadd(vsub(K(1.0), vmul(K(2.0), vmul(c, p))), vmul(cc, vmul(X, Y))), K(D_MIN));
  const invD = vdiv(K(1.0), D);
  const w = vmul(vmul(c, A), invD);
  const omw = f32x4.pmax(vmul(vmul(omcx, sech2), invD), K(OMW_MIN)); // 1 − w = 1 − z²
  const z = f32x4.sqrt(w);
  const smallZ = f32x4.lt(w, K(0.09));
  const w2 = vmul(w, w), w4 = vmul(w2, w2);
  // R(w) = artanh(√w)/√w = Σ w^k/(2k + 1)
  const rs = poly6(w, w2, w4, 1.0, <f32>(1.0 / 3.0), 0.2, <f32>(1.0 / 7.0), <f32>(1.0 / 9.0), <f32>(1.0 / 11.0),
    <f32>(1.0 / 13.0));
  const opz = vadd(K(1.0), z);
  const ratio = vdiv(vmul(opz, opz), omw); // (1 + z)/(1 − z)
  const atBig = vmul(K(0.5), vlog(f32x4.pmin(ratio, K(RATIO_MAX))));
  const at = vsel(vmul(z, rs), atBig, smallZ);
  const s = vmul(m4c, vmul(at, at));
  if (grad) {
    // h = g'(t)/t = Σ 2k·a_k t^{2k−2}
    const hs = poly6(u, u2, u4, <f32>(-2.0 / 3.0), <f32>(8.0 / 15.0), <f32>(-34.0 / 105.0), <f32>(496.0 / 2835.0),
      <f32>(-2764.0 / 31185.0), <f32>(87376.0 / 2027025.0), <f32>(-1859138.0 / 91216125.0));
    const h = vsel(hs, vmul(vsub(vmul(t, sech2), th), vmul(invT, vmul(invT, invT))), small);
    const R = vsel(rs, vdiv(atBig, z), smallZ);
    const invOmw = vsel(K(INV_OMW_CLAMP), vdiv(K(1.0), omw), f32x4.gt(ratio, K(RATIO_MAX)));
    const sw = vmul(m4c, vmul(R, invOmw));
    const sA = vmul(vmul(sw, c), invD);
    const sD = vmul(vmul(f32x4.neg(sw), w), invD);
    // cancellation-free forms (1 − w = omw): s_X = s_A·(1 − w·cY) = s_A·(omw + w·sech²t),
    // s_Y = s_A·(1 − w·cX) = s_A·(omw + w·(1 − cX)), s_p = −2·s_A·(1 − w); dY/dV = g² + c·g·V·h = tanh t·sech²t/t
    const sY = vmul(sA, vadd(omw, vmul(w, omcx)));
    const sp = vmul(K(-2.0), vmul(sA, omw));
    const gh = vmul(g, h);
    const dYdV = vsel(vadd(vmul(gs, gs), vmul(u, vmul(gs, hs))), vmul(vmul(th, sech2), invT), small);
    const halfSpPh = vmul(K(0.5), vmul(sp, vmul(P, h)));
    pS_x2 = vmul(sA, vadd(omw, vmul(w, sech2)));
    pS_xv = vmul(sp, g);
    pS_v2 = vadd(vmul(sY, dYdV), vmul(halfSpPh, c));
    // −s/c = (4/c²)·artanh² = −m4c·at²/c … written as s·m4c/4
    let sc = vadd(vmul(sw, vmul(A, invD)), vmul(s, vmul(m4c, K(0.25))));
    sc = vadd(sc, vmul(sD, vmul(K(2.0), vsub(vmul(c, vmul(X, Y)), p))));
    sc = vadd(sc, vmul(sY, vmul(gh, vmul(V, V))));
    pS_c = vadd(sc, vmul(halfSpPh, V));
  }
  return s;
}
