// Möbius addition over n rows of d floats (d % 4 == 0) with one curvature per row, forward and VJP (accumulating
// into the input gradients), as src/hyperbolic/mobius.ts computes it (Ganea et al. 2018, eq. (4)) in the
// cancellation-free form
//   x ⊕ y = (a(x + y) + c‖x + y‖²·x)/(ab + c‖x + y‖²),  a = max(1 − c‖x‖², MIN_CONFORMAL), b likewise for y,
// followed by the projection of ball.ts. (Evaluating the per-row scalars four rows per f32x4, as expmap0Forward
// does, measured slower here: the lane packing costs more than the latency it hides.)
import { cPass, clampC, MIN_CONFORMAL, projected, projectScale } from './ball-math';
import { scaleRow } from './ball-rows';
import { dot, hsum, madd } from './simd';

/** Floats of `aux` per row written by mobiusAddForward. */
export const MOBIUS_AUX = 8;

/** Second to fourth results of `dots4`: ‖y‖², x·y, ‖x + y‖². */
let d4Y: f32 = 0, d4P: f32 = 0, d4S: f32 = 0;

/** One pass over rows x, y: returns ‖x‖² and leaves ‖y‖², x·y, ‖x + y‖² in d4Y, d4P, d4S. */
@inline function dots4(x: usize, y: usize, bytes: usize): f32 {
  let ax = f32x4.splat(0), ay = ax, axy = ax, as = ax;
  for (let k: usize = 0; k < bytes; k += 16) {
    const xv = v128.load(x + k), yv = v128.load(y + k), sv = f32x4.add(xv, yv);
    ax = madd(xv, xv, ax);
    ay = madd(yv, yv, ay);
    axy = madd(xv, yv, axy);
    as = madd(sv, sv, as);
  }
  d4Y = hsum(ay);
  d4P = hsum(axy);
  d4S = hsum(as);
  return hsum(ax);
}

/**
 * out = project(x ⊕ᶜ y, c); aux = [‖x‖², ‖y‖², x·y, ‖x + y‖², den, s, ‖m‖², projected] per row, where m is the
 * sum before the projection and s the projection's scale.
 */
export function mobiusAddForward(n: i32, d: i32, x: usize, y: usize, c: usize, out: usize, aux: usize): void {
  const bytes = <usize>d << 2;
  for (let i = 0; i < n; i++) {
    const xp = x + <usize>i * bytes, yp = y + <usize>i * bytes, op = out + <usize>i * bytes;
    const cc = clampC(load<f32>(c + (<usize>i << 2)));
    const X = dots4(xp, yp, bytes);
    const a = Mathf.max(1 - cc * X, MIN_CONFORMAL), b = Mathf.max(1 - cc * d4Y, MIN_CONFORMAL);
    const cs = cc * d4S;
    const den = a * b + cs;
    const inv: f32 = 1 / den;
    const av = f32x4.splat(a * inv), csv = f32x4.splat(cs * inv);
    let m2 = f32x4.splat(0);
    for (let k: usize = 0; k < bytes; k += 16) {
      const xv = v128.load(xp + k);
      const m = madd(csv, xv, f32x4.mul(av, f32x4.add(xv, v128.load(yp + k))));
      m2 = madd(m, m, m2);
      v128.store(op + k, m);
    }
    const M2 = hsum(m2);
    const s = projectScale(cc * M2);
    if (s < 1) scaleRow(op, op, s, bytes);
    const ap = aux + <usize>i * (MOBIUS_AUX << 2);
    store<f32>(ap, X);
    store<f32>(ap, d4Y, 4);
    store<f32>(ap, d4P, 8);
    store<f32>(ap, d4S, 12);
    store<f32>(ap, den, 16);
    store<f32>(ap, s, 20);
    store<f32>(ap, M2, 24);
    store<f32>(ap, projected ? 1 : 0, 28);
  }
}

/** dst += α·a + β·b + γ·c. */
@inline function axpy3(dst: usize, a: usize, alpha: f32, b: usize, beta: f32, c: usize, gamma: f32,
  bytes: usize): void {
  const av = f32x4.splat(alpha), bv = f32x4.splat(beta), cv = f32x4.splat(gamma);
  for (let k: usize = 0; k < bytes; k += 16) {
    const t = madd(bv, v128.load(b + k), f32x4.mul(av, v128.load(a + k)));
    v128.store(dst + k, f32x4.add(v128.load(dst + k), madd(cv, v128.load(c + k), t)));
  }
}

/**
 * VJP of mobiusAddForward (gx += ∂L/∂x, gy += ∂L/∂y, gc += ∂L/∂c). With m = ((a + cs)x + a·y)/den and
 * ∂L/∂m = σg − τm (projection, ball-math.ts): g_den = −(∂L/∂m·m)/den, g_a = ∂L/∂m·(x + y)/den + g_den·b,
 * g_cs = ∂L/∂m·x/den + g_den, g_b = g_den·a; cs = c‖x + y‖², a = 1 − c‖x‖² and b = 1 − c‖y‖² (where not floored)
 * then give the x, y and c terms. Every term is a multiple of g, x or y: g·x and g·y, then one pass per
 * gradient (gx before gy, so they may be the same block).
 */
export function mobiusAddBackward(n: i32, d: i32, x: usize, y: usize, c: usize, aux: usize, g: usize, gx: usize,
  gy: usize, gc: usize): void {
  const bytes = <usize>d << 2;
  for (let i = 0; i < n; i++) {
    const o = <usize>i * bytes;
    const xp = x + o, yp = y + o, gp = g + o;
    const c0 = load<f32>(c + (<usize>i << 2));
    const cc = clampC(c0);
    const ap = aux + <usize>i * (MOBIUS_AUX << 2);
    const X = load<f32>(ap), Y = load<f32>(ap, 4), P = load<f32>(ap, 8), S2 = load<f32>(ap, 12);
    const den = load<f32>(ap, 16), s = load<f32>(ap, 20), M2 = load<f32>(ap, 24);
    const at: f32 = 1 - cc * X, bt: f32 = 1 - cc * Y;
    const a = Mathf.max(at, MIN_CONFORMAL), b = Mathf.max(bt, MIN_CONFORMAL);
    const cs = cc * S2, am = a + cs, inv: f32 = 1 / den;
    const gdx = dot(gp, xp, bytes), gdy = dot(gp, yp, bytes); // two passes measured faster than one fused
    const Gm = (am * gdx + a * gdy) * inv; // g·m
    let sigma: f32 = 1, tau: f32 = 0, gcc: f32 = 0;
    if (load<f32>(ap, 28) != 0) {
      sigma = s;
      tau = (Gm * s) / M2; // G·s·c/T with T = c‖m‖²
      gcc = (-0.5 * Gm * s) / cc;
    }
    const gmx = sigma * gdx - tau * (am * X + a * P) * inv; // (∂L/∂m)·x
    const gmy = sigma * gdy - tau * (am * P + a * Y) * inv; // (∂L/∂m)·y
    const gden = -(sigma * Gm - tau * M2) * inv;
    const ga = (gmx + gmy) * inv + gden * b;
    const gcs = gmx * inv + gden;
    const gb = gden * a;
    const gs2 = gcs * cc;
    const ia: f32 = at >= MIN_CONFORMAL ? 1 : 0, ib: f32 = bt >= MIN_CONFORMAL ? 1 : 0;
    gcc += gcs * S2 - ia * ga * X - ib * gb * Y;
    const ti = tau * inv * inv;
    axpy3(gx + o, gp, am * sigma * inv, xp, 2 * gs2 - am * am * ti - 2 * ia * ga * cc, yp, 2 * gs2 - am * a * ti, bytes);
    axpy3(gy + o, gp, a * sigma * inv, xp, 2 * gs2 - a * am * ti, yp, 2 * gs2 - a * a * ti - 2 * ib * gb * cc, bytes);
    const cp = gc + (<usize>i << 2);
    store<f32>(cp, load<f32>(cp) + cPass(c0) * gcc);
  }
}
