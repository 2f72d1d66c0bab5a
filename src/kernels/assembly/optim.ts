// Optimiser kernels (f32x4). Adam's lr and betas are f64 so that 1 − β is formed before rounding to f32
// (f32(0.999) would make 1 − β2 wrong by 1.3e-5 relative). Row-sparse variants update only the listed rows of an N×d table and zero their
// gradient rows; `rows` must be distinct for adamRows (a repeated row would decay its moments twice), while for
// adagradRows and sgdRows a repeat is a no-op because the first visit zeroes the gradient row. With `compact` ≠ 0 the
// gradient is not a table but a block of nRows rows, the i-th for rows[i] (a step's compact working set,
// core/fused-compact-step.ts); its rows are zeroed the same way.
// Adam's moments below the smallest normal float32 are flushed to zero: WebAssembly has no flush-to-zero mode, and a
// row whose gradient is exactly zero for a while (a margin loss whose margins hold) decays its first moment through
// the subnormal range, where every operation costs ~100× (an epoch grew from 1.4 to 15 s); the update such a moment
// makes is below 1e-30 of the weight.
import { madd } from './simd';

/** The smallest normal float32; moments below it are flushed to zero. */
const MIN_NORMAL: f32 = 1.1754943508222875e-38;

/** x, or 0 where |x| is below the smallest normal float32 (lane-wise). */
@inline function flushSubnormal(x: v128, minNormal: v128): v128 {
  return v128.and(x, f32x4.ge(f32x4.abs(x), minNormal));
}

/** x, or 0 when |x| is below the smallest normal float32. */
@inline function flushSubnormal1(x: f32): f32 {
  return Mathf.abs(x) < MIN_NORMAL ? 0 : x;
}

/** Byte offset of the gradient of the i-th listed row: its table offset `o`, or row i of a compact block. */
@inline function gradOffset(compact: i32, i: i32, o: usize, bytes: usize): usize {
  return compact != 0 ? <usize>i * bytes : o;
}

/** Adagrad (PyTorch torch.optim.Adagrad, lr_decay 0): accum += g²; param −= lr·g/(√accum + eps); grad ← 0 (listed rows). */
export function adagradRows(rows: usize, nRows: i32, d: i32, param: usize, grad: usize, accum: usize, lr: f32,
  eps: f32, compact: i32): void {
  const bytes = <usize>d << 2;
  const lrv = f32x4.splat(lr);
  const epsv = f32x4.splat(eps);
  const zero = f32x4.splat(0);
  for (let i = 0; i < nRows; i++) {
    const o = <usize>load<i32>(rows + (<usize>i << 2)) * bytes;
    const gr = grad + gradOffset(compact, i, o, bytes);
    for (let k: usize = 0; k < bytes; k += 16) {
      const g = v128.load(gr + k);
      const a = madd(g, g, v128.load(accum + o + k));
      v128.store(accum + o + k, a);
      const upd = f32x4.mul(lrv, f32x4.div(g, f32x4.add(f32x4.sqrt(a), epsv)));
      v128.store(param + o + k, f32x4.sub(v128.load(param + o + k), upd));
      v128.store(gr + k, zero);
    }
  }
}

/**
 * Lazy Adam on the listed rows (PyTorch torch.optim.SparseAdam): m += (1−β1)(g − m); v += (1−β2)(g² − v);
 * param −= lr·√(1−β2^t)/(1−β1^t) · m/(√v + eps) with the global step t ≥ 1 (Kingma & Ba 2015, Alg. 1); grad ← 0.
 */
export function adamRows(rows: usize, nRows: i32, d: i32, param: usize, grad: usize, m: usize, v: usize, lr: f64,
  beta1: f64, beta2: f64, eps: f32, step: i32, compact: i32): void {
  const bytes = <usize>d << 2;
  const bc1 = 1.0 - Math.pow(beta1, <f64>step);
  const bc2 = 1.0 - Math.pow(beta2, <f64>step);
  const stepSize = f32x4.splat(<f32>((lr * Math.sqrt(bc2)) / bc1));
  const omb1 = f32x4.splat(<f32>(1.0 - beta1));
  const omb2 = f32x4.splat(<f32>(1.0 - beta2));
  const epsv = f32x4.splat(eps);
  const zero = f32x4.splat(0);
  const minNormal = f32x4.splat(MIN_NORMAL);
  for (let i = 0; i < nRows; i++) {
    const o = <usize>load<i32>(rows + (<usize>i << 2)) * bytes;
    const gr = grad + gradOffset(compact, i, o, bytes);
    for (let k: usize = 0; k < bytes; k += 16) {
      const g = v128.load(gr + k);
      const m0 = v128.load(m + o + k);
      const v0 = v128.load(v + o + k);
      const m1 = flushSubnormal(madd(omb1, f32x4.sub(g, m0), m0), minNormal);
      const v1 = flushSubnormal(madd(omb2, f32x4.sub(f32x4.mul(g, g), v0), v0), minNormal);
      v128.store(m + o + k, m1);
      v128.store(v + o + k, v1);
      const upd = f32x4.mul(stepSize, f32x4.div(m1, f32x4.add(f32x4.sqrt(v1), epsv)));
      v128.store(param + o + k, f32x4.sub(v128.load(param + o + k), upd));
      v128.store(gr + k, zero);
    }
  }
}

/**
 * Dense Adam over n floats (PyTorch torch.optim.Adam, no weight decay): m ← m + (1−β1)(g − m); v ← β2·v + (1−β2)g²;
 * param −= lr/(1−β1^t) · m/(√v/√(1−β2^t) + eps) (Kingma & Ba 2015, Alg. 1); grad ← 0. With `shadow` ≠ 0 the
 * gradient is grad + shadow (a second thread's accumulator, added as a fold would) and shadow ← 0 too.
 */
export function adamDense(n: i32, param: usize, grad: usize, m: usize, v: usize, lr: f64, beta1: f64, beta2: f64,
  eps: f32, step: i32, shadow: usize): void {
  const bc1 = 1.0 - Math.pow(beta1, <f64>step);
  const bc2 = 1.0 - Math.pow(beta2, <f64>step);
  const stepSize: f32 = <f32>(lr / bc1);
  const invSqrtBc2: f32 = <f32>(1.0 / Math.sqrt(bc2));
  const omb1: f32 = <f32>(1.0 - beta1);
  const omb2: f32 = <f32>(1.0 - beta2);
  const b2: f32 = <f32>beta2;
  const vecEnd = (<usize>n & ~(<usize>3)) << 2;
  adamVectors(0, vecEnd, param, grad, m, v, shadow, stepSize, invSqrtBc2, omb1, omb2, b2, eps);
  for (let k = vecEnd; k < (<usize>n << 2); k += 4) {
    let g = load<f32>(grad + k);
    if (shadow != 0) {
      g += load<f32>(shadow + k);
      store<f32>(shadow + k, 0);
    }
    const m1 = flushSubnormal1(load<f32>(m + k) + omb1 * (g - load<f32>(m + k)));
    const v1 = flushSubnormal1(b2 * load<f32>(v + k) + omb2 * g * g);
    store<f32>(m + k, m1);
    store<f32>(v + k, v1);
    store<f32>(param + k, load<f32>(param + k) - stepSize * (m1 / (Mathf.sqrt(v1) * invSqrtBc2 + eps)));
    store<f32>(grad + k, 0);
  }
}

/** adamDense's update of the floats at byte offsets [from, to) (multiples of 16), four at a time. */
@inline function adamVectors(from: usize, to: usize, param: usize, grad: usize, m: usize, v: usize, shadow: usize,
  stepSize: f32, invSqrtBc2: f32, omb1: f32, omb2: f32, b2: f32, eps: f32): void {
  const stepv = f32x4.splat(stepSize);
  const ibv = f32x4.splat(invSqrtBc2);
  const omb1v = f32x4.splat(omb1);
  const omb2v = f32x4.splat(omb2);
  const b2v = f32x4.splat(b2);
  const epsv = f32x4.splat(eps);
  const zero = f32x4.splat(0);
  const minNormal = f32x4.splat(MIN_NORMAL);
  for (let k = from; k < to; k += 16) {
    let g = v128.load(grad + k);
    if (shadow != 0) {
      g = f32x4.add(g, v128.load(shadow + k));
      v128.store(shadow + k, zero);
    }
    const m0 = v128.load(m + k);
    const m1 = flushSubnormal(madd(omb1v, f32x4.sub(g, m0), m0), minNormal);
    const v1 = flushSubnormal(madd(omb2v, f32x4.mul(g, g), f32x4.mul(b2v, v128.load(v + k))), minNormal);
    v128.store(m + k, m1);
    v128.store(v + k, v1);
    const denom = madd(f32x4.sqrt(v1), ibv, epsv);
    v128.store(param + k, f32x4.sub(v128.load(param + k), f32x4.mul(stepv, f32x4.div(m1, denom))));
    v128.store(grad + k, zero);
  }
}

/** Plain SGD on the listed rows: param −= lr·g; grad ← 0. */
export function sgdRows(rows: usize, nRows: i32, d: i32, param: usize, grad: usize, lr: f32, compact: i32): void {
  const bytes = <usize>d << 2;
  const lrv = f32x4.splat(lr);
  const zero = f32x4.splat(0);
  for (let i = 0; i < nRows; i++) {
    const o = <usize>load<i32>(rows + (<usize>i << 2)) * bytes;
    const gr = grad + gradOffset(compact, i, o, bytes);
    for (let k: usize = 0; k < bytes; k += 16) {
      v128.store(param + o + k, f32x4.sub(v128.load(param + o + k), f32x4.mul(lrv, v128.load(gr + k))));
      v128.store(gr + k, zero);
    }
  }
}
