// Scalar pieces of the Poincaré-ball row primitives (ball-rows.ts), float32 forms of src/hyperbolic/guards.ts,
// ratios.ts and ball.ts, so that values and gradients agree with the tfjs functions:
// - curvature clamp c ↦ min(max(c, MIN_CURVATURE), MAX_CURVATURE), gradient passed only inside [min, max];
// - tanhRatio(t) = tanh(√t)/√t (the exp₀ factor, Chami et al. 2020 eq. (1); Ganea et al. 2018 §2.4) with its
//   derivative from the Taylor series below SERIES_T and the closed form ((1 − tanh²z) − tanh z/z)/(2t) above;
// - projection scale s = min((1 − BALL_EPS)/√max(T, 1/4), 1) of T = c‖x‖² (as KGEmb's `project`); tfjs's
//   minimum sends the gradient to its first argument on ties, so "projected" means (1 − BALL_EPS)/√… ≤ 1.
// Projection VJP, for out = s·m with s = k·T^{−1/2}, T = c‖m‖² (k = 1 − BALL_EPS) and G = g·m:
//   ∂L/∂m = s·g − τ·m with τ = G·s·c/T,   ∂L/∂c = −½·G·s/c     (and ∂L/∂m = g when not projected).
import { K, poly6, vadd, vdiv, vexp, vmul, vsel, vsub } from './vmath';

/** Smallest curvature the ball functions use (guards.ts). */
export const MIN_CURVATURE: f32 = 1e-7;
/** Largest curvature the ball functions use (guards.ts). */
export const MAX_CURVATURE: f32 = 1e8;
/** Projection margin: √c‖x‖ ≤ 1 − BALL_EPS. */
export const BALL_K: f32 = <f32>(1.0 - 1e-5);
/** Floor of the conformal factors 1 − c‖x‖² in Möbius addition (guards.ts MIN_CONFORMAL). */
export const MIN_CONFORMAL: f32 = 1e-6;
/** Cap on t = c‖u‖² in expmap0 (exp-log.ts EXP_T_MAX). */
export const EXP_T_MAX: f32 = 1e30;
/** tanh input clamp (guards.ts TANH_MAX). */
export const TANH_MAX: f32 = 15;
/** Below this t the derivative of tanhRatio uses its Taylor series (ratios.ts SERIES_T). */
export const SERIES_T: f32 = 0.05;

/** c clamped to [MIN_CURVATURE, MAX_CURVATURE]. */
@inline export function clampC(c: f32): f32 {
  return Mathf.min(Mathf.max(c, MIN_CURVATURE), MAX_CURVATURE);
}

/** 1 when the clamp passes the gradient (MIN_CURVATURE ≤ c ≤ MAX_CURVATURE), else 0. */
@inline export function cPass(c: f32): f32 {
  return c >= MIN_CURVATURE && c <= MAX_CURVATURE ? 1 : 0;
}

/** tanh z for z ≥ 0 via e = e^{−2z}: (1 − e)/(1 + e); z is clamped at TANH_MAX. */
@inline export function tanhPos(z: f32): f32 {
  const e = Mathf.exp(-2 * Mathf.min(z, TANH_MAX));
  return (1 - e) / (1 + e);
}

/** Derivative of tanhRatio from the last `tanhRatio` call. */
export let tanhRatioDeriv: f32 = 0;

/** tanhRatio(t) = tanh(√t)/√t for t ≥ 0; leaves d/dt in tanhRatioDeriv. Series a = 1, −1/3, 2/15, −17/315, … */
@inline export function tanhRatio(t: f32): f32 {
  if (t < SERIES_T) {
    // Σ a_k t^k (k ≤ 6) and its derivative Σ k·a_k t^{k−1}
    tanhRatioDeriv = <f32>(-1.0 / 3.0) + t * (<f32>(4.0 / 15.0) + t * (<f32>(-51.0 / 315.0) + t * (<f32>(248.0 / 2835.0) +
      t * (<f32>(-6910.0 / 155925.0) + t * <f32>(131064.0 / 6081075.0)))));
    return 1 + t * (<f32>(-1.0 / 3.0) + t * (<f32>(2.0 / 15.0) + t * (<f32>(-17.0 / 315.0) + t * (<f32>(62.0 / 2835.0) +
      t * (<f32>(-1382.0 / 155925.0) + t * <f32>(21844.0 / 6081075.0))))));
  }
  const z = Mathf.sqrt(t);
  const th = tanhPos(z);
  const ratio = th / z;
  tanhRatioDeriv = ((1 - th) * (1 + th) - ratio) / (2 * t);
  return ratio;
}

/** Whether the last `projectScale` call projected (its gradient flows through the scale). */
export let projected: bool = false;

/** s = min((1 − BALL_EPS)/√max(T, 1/4), 1) for T = c‖x‖²; sets `projected`. */
@inline export function projectScale(T: f32): f32 {
  const a = BALL_K / Mathf.sqrt(Mathf.max(T, 0.25));
  projected = a <= 1;
  return Mathf.min(a, 1);
}

// Four rows at a time: the same scalar pieces with one row per f32x4 lane (vexp for e^{−2z}), so the latency of
// sqrt, exp and divisions is paid once per four rows.

/** v with lane l (0..3) set to x. */
@inline export function withLane(v: v128, l: i32, x: f32): v128 {
  if (l == 0) return f32x4.replace_lane(v, 0, x);
  if (l == 1) return f32x4.replace_lane(v, 1, x);
  if (l == 2) return f32x4.replace_lane(v, 2, x);
  return f32x4.replace_lane(v, 3, x);
}

/** Lane l (0..3) of v. */
@inline export function laneOf(v: v128, l: i32): f32 {
  if (l == 0) return f32x4.extract_lane(v, 0);
  if (l == 1) return f32x4.extract_lane(v, 1);
  if (l == 2) return f32x4.extract_lane(v, 2);
  return f32x4.extract_lane(v, 3);
}

/** clampC per lane. */
@inline export function clampC4(c: v128): v128 {
  return f32x4.min(f32x4.max(c, K(MIN_CURVATURE)), K(MAX_CURVATURE));
}

/** cPass per lane, as a mask: all ones where MIN_CURVATURE ≤ c ≤ MAX_CURVATURE, else zero. */
@inline export function cPassMask4(c: v128): v128 {
  return v128.and(f32x4.ge(c, K(MIN_CURVATURE)), f32x4.le(c, K(MAX_CURVATURE)));
}

/** Derivative of tanhRatio per lane from the last `tanhRatio4` call. */
export let tanhRatioDeriv4: v128 = f32x4(0, 0, 0, 0);

/** tanhRatio per lane (series below SERIES_T, closed form above); leaves d/dt in tanhRatioDeriv4. */
@inline export function tanhRatio4(t: v128): v128 {
  const t2 = vmul(t, t), t4 = vmul(t2, t2);
  const rs = poly6(t, t2, t4, 1, <f32>(-1.0 / 3.0), <f32>(2.0 / 15.0), <f32>(-17.0 / 315.0), <f32>(62.0 / 2835.0),
    <f32>(-1382.0 / 155925.0), <f32>(21844.0 / 6081075.0));
  const ds = poly6(t, t2, t4, <f32>(-1.0 / 3.0), <f32>(4.0 / 15.0), <f32>(-51.0 / 315.0), <f32>(248.0 / 2835.0),
    <f32>(-6910.0 / 155925.0), <f32>(131064.0 / 6081075.0), 0);
  const z = f32x4.sqrt(t);
  const e = vexp(vmul(K(-2.0), f32x4.min(z, K(TANH_MAX))));
  const th = vdiv(vsub(K(1.0), e), vadd(K(1.0), e));
  const ratio = vdiv(th, z);
  const deriv = vdiv(vsub(vmul(vsub(K(1.0), th), vadd(K(1.0), th)), ratio), vadd(t, t));
  const small = f32x4.lt(t, K(SERIES_T));
  tanhRatioDeriv4 = vsel(ds, deriv, small);
  return vsel(rs, ratio, small);
}

/** Lanes projected by the last `projectScale4` call (all ones) or not (zero). */
export let projected4: v128 = f32x4(0, 0, 0, 0);

/** projectScale per lane; sets projected4. */
@inline export function projectScale4(T: v128): v128 {
  const a = vdiv(K(BALL_K), f32x4.sqrt(f32x4.max(T, K(0.25))));
  projected4 = f32x4.le(a, K(1.0));
  return f32x4.min(a, K(1.0));
}
