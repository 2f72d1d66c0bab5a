// Elementwise primitives of the fused query programs over `count` floats (any width: curvatures and biases are
// rows of width 1), forward and VJP (accumulating), and moves of width-1 rows. Four floats per f32x4, then a
// scalar tail.
import { clampC, clampC4, cPass, cPassMask4 } from './ball-math';
import { madd } from './simd';
import { K, vadd, vdiv, vexp, vlog, vmul, vsel, vsub } from './vmath';

/** softplus(x) = max(x, 0) + log1p(e^{−|x|}) for four lanes; log1p(e) = log(u)·e/(u − 1), u = 1 + e (exact for u = 1). */
@inline function softplus4(x: v128): v128 {
  const e = vexp(f32x4.neg(f32x4.abs(x)));
  const u = vadd(K(1.0), e);
  const um1 = vsub(u, K(1.0));
  const l = vsel(e, vdiv(vmul(vlog(u), e), um1), f32x4.eq(um1, K(0.0)));
  return vadd(f32x4.pmax(x, K(0.0)), l);
}

/** σ(x) = 1/(1 + e^{−x}) for four lanes, from e = e^{−|x|} (no overflow). */
@inline function sigmoid4(x: v128): v128 {
  const e = vexp(f32x4.neg(f32x4.abs(x)));
  return vdiv(vsel(K(1.0), e, f32x4.ge(x, K(0.0))), vadd(K(1.0), e));
}

/** Scalar softplus (tail lanes). */
@inline function softplus1(x: f32): f32 {
  return Mathf.max(x, 0) + Mathf.log1p(Mathf.exp(-Mathf.abs(x)));
}

/** Scalar σ(x) (tail lanes). */
@inline function sigmoid1(x: f32): f32 {
  const e = Mathf.exp(-Mathf.abs(x));
  return (x >= 0 ? 1 : e) / (1 + e);
}

/** out = softplus(x) (the curvature c = softplus(c₀) of Chami et al. 2020, §3.1). */
export function softplusForward(count: i32, x: usize, out: usize): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) v128.store(out + (<usize>i << 2), softplus4(v128.load(x + (<usize>i << 2))));
  for (; i < count; i++) store<f32>(out + (<usize>i << 2), softplus1(load<f32>(x + (<usize>i << 2))));
}

/** VJP of softplusForward: gx += g·σ(x). */
export function softplusBackward(count: i32, x: usize, g: usize, gx: usize): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o = <usize>i << 2;
    v128.store(gx + o, vadd(v128.load(gx + o), vmul(v128.load(g + o), sigmoid4(v128.load(x + o)))));
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(gx + o, load<f32>(gx + o) + load<f32>(g + o) * sigmoid1(load<f32>(x + o)));
  }
}

/**
 * out = c clamped to [MIN_CURVATURE, MAX_CURVATURE] (ball-math.ts clampC, guards.ts clampCurvature): the query's
 * curvature c = clamp(softplus(c₀)) as the tfjs query forms it, so that a c₀ < −104 (softplus exactly 0 in the
 * scalar tail, about 1.6e-38 in the SIMD lanes) gives c = MIN_CURVATURE in every lane.
 */
export function clampCurvatureForward(count: i32, x: usize, out: usize): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) v128.store(out + (<usize>i << 2), clampC4(v128.load(x + (<usize>i << 2))));
  for (; i < count; i++) store<f32>(out + (<usize>i << 2), clampC(load<f32>(x + (<usize>i << 2))));
}

/** VJP of clampCurvatureForward: gx += g where MIN_CURVATURE ≤ x ≤ MAX_CURVATURE (tf.clipByValue's gradient). */
export function clampCurvatureBackward(count: i32, x: usize, g: usize, gx: usize): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o = <usize>i << 2;
    v128.store(gx + o, f32x4.add(v128.load(gx + o), v128.and(v128.load(g + o), cPassMask4(v128.load(x + o)))));
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(gx + o, load<f32>(gx + o) + load<f32>(g + o) * cPass(load<f32>(x + o)));
  }
}

/** out = x + y. */
export function addForward(count: i32, x: usize, y: usize, out: usize): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, f32x4.add(v128.load(x + o), v128.load(y + o)));
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, load<f32>(x + o) + load<f32>(y + o));
  }
}

/** dst += src (also the VJP of addForward, once per input). */
export function accumulate(count: i32, src: usize, dst: usize): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}

/** out = x ∘ y. */
export function mulForward(count: i32, x: usize, y: usize, out: usize): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, f32x4.mul(v128.load(x + o), v128.load(y + o)));
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, load<f32>(x + o) * load<f32>(y + o));
  }
}

/** VJP of mulForward: gx += g ∘ y, then gy += g ∘ x (sequential, so gx and gy may be the same block). */
export function mulBackward(count: i32, x: usize, y: usize, g: usize, gx: usize, gy: usize): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o = <usize>i << 2;
    const gv = v128.load(g + o);
    v128.store(gx + o, madd(gv, v128.load(y + o), v128.load(gx + o)));
    v128.store(gy + o, madd(gv, v128.load(x + o), v128.load(gy + o)));
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    const gv = load<f32>(g + o);
    store<f32>(gx + o, load<f32>(gx + o) + gv * load<f32>(y + o));
    store<f32>(gy + o, load<f32>(gy + o) + gv * load<f32>(x + o));
  }
}

/**
 * Complex product of rows in [Re | Im] layout (ComplEx, Trouillon et al. 2016, eq. (6)): for n rows of even
 * width d, out_k = x_k·y_k with x_k = x[k] + i·x[k + d/2]: (ac − be) + i(ae + bc).
 */
export function complexMulForward(n: i32, d: i32, x: usize, y: usize, out: usize): void {
  const h = d >> 1;
  for (let r = 0; r < n; r++) {
    const base = <usize>r * <usize>d;
    for (let k = 0; k < h; k++) {
      const re = (base + <usize>k) << 2, im = (base + <usize>(k + h)) << 2;
      const a = load<f32>(x + re), b = load<f32>(x + im), c = load<f32>(y + re), e = load<f32>(y + im);
      store<f32>(out + re, a * c - b * e);
      store<f32>(out + im, a * e + b * c);
    }
  }
}

/** VJP of complexMulForward (accumulating): gx += g·conj(y), then gy += g·conj(x), per complex coordinate. */
export function complexMulBackward(n: i32, d: i32, x: usize, y: usize, g: usize, gx: usize, gy: usize): void {
  const h = d >> 1;
  for (let r = 0; r < n; r++) {
    const base = <usize>r * <usize>d;
    for (let k = 0; k < h; k++) {
      const re = (base + <usize>k) << 2, im = (base + <usize>(k + h)) << 2;
      const a = load<f32>(x + re), b = load<f32>(x + im), c = load<f32>(y + re), e = load<f32>(y + im);
      const gr = load<f32>(g + re), gi = load<f32>(g + im);
      store<f32>(gx + re, load<f32>(gx + re) + gr * c + gi * e);
      store<f32>(gx + im, load<f32>(gx + im) - gr * e + gi * c);
      store<f32>(gy + re, load<f32>(gy + re) + gr * a + gi * b);
      store<f32>(gy + im, load<f32>(gy + im) - gr * b + gi * a);
    }
  }
}

/**
 * Unit complex numbers from phases (RotatE, Sun et al. 2019, eq. (1): r = e^{iθ}): for n rows of w phases,
 * out = [cos θ | sin θ] (rows of width 2w, [Re | Im] layout).
 */
export function phasorForward(n: i32, w: i32, theta: usize, out: usize): void {
  for (let r = 0; r < n; r++) {
    for (let k = 0; k < w; k++) {
      const t = load<f32>(theta + ((<usize>r * <usize>w + <usize>k) << 2));
      const o = out + ((<usize>r * <usize>(2 * w) + <usize>k) << 2);
      store<f32>(o, Mathf.cos(t));
      store<f32>(o + (<usize>w << 2), Mathf.sin(t));
    }
  }
}

/** VJP of phasorForward (accumulating): gθ += −sin θ · g_re + cos θ · g_im. */
export function phasorBackward(n: i32, w: i32, theta: usize, g: usize, gTheta: usize): void {
  for (let r = 0; r < n; r++) {
    for (let k = 0; k < w; k++) {
      const i = (<usize>r * <usize>w + <usize>k) << 2;
      const t = load<f32>(theta + i);
      const o = g + ((<usize>r * <usize>(2 * w) + <usize>k) << 2);
      store<f32>(gTheta + i, load<f32>(gTheta + i) - Mathf.sin(t) * load<f32>(o) + Mathf.cos(t) * load<f32>(o + (<usize>w << 2)));
    }
  }
}

/** p[0..count) = 0 (faster than a TypedArray fill, which V8 runs element by element on shared memory). */
export function zeroFloats(count: i32, p: usize): void {
  memory.fill(p, 0, <usize>count << 2);
}

/** dst[i] = src[ids[i]] for i < n (width-1 rows: biases, curvatures). */
export function gatherValues(n: i32, ids: usize, src: usize, dst: usize): void {
  for (let i = 0; i < n; i++) {
    store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>load<i32>(ids + (<usize>i << 2)) << 2)));
  }
}

/** dst[ids[i]] += src[i] for i < n (width-1 rows; repeats accumulate). */
export function scatterAddValues(n: i32, ids: usize, src: usize, dst: usize): void {
  for (let i = 0; i < n; i++) {
    const p = dst + (<usize>load<i32>(ids + (<usize>i << 2)) << 2);
    store<f32>(p, load<f32>(p) + load<f32>(src + (<usize>i << 2)));
  }
}
