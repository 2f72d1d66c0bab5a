// Row movement, index helpers and the negative-sampling loss.
import { K, vadd, vdiv, vexp, vlog, vmul, vsel } from './vmath';

/** dst[i] = src[rows[i]] for i < n (rows of d floats). */
export function gatherRows(n: i32, d: i32, rows: usize, src: usize, dst: usize): void {
  const bytes = <usize>d << 2;
  for (let i = 0; i < n; i++) {
    const s = src + <usize>load<i32>(rows + (<usize>i << 2)) * bytes;
    const t = dst + <usize>i * bytes;
    for (let k: usize = 0; k < bytes; k += 16) v128.store(t + k, v128.load(s + k));
  }
}

/** dst[rows[i]] += src[i] for i < n (repeated rows accumulate). */
export function scatterAddRows(n: i32, d: i32, rows: usize, src: usize, dst: usize): void {
  const bytes = <usize>d << 2;
  for (let i = 0; i < n; i++) {
    const s = src + <usize>i * bytes;
    const t = dst + <usize>load<i32>(rows + (<usize>i << 2)) * bytes;
    for (let k: usize = 0; k < bytes; k += 16) v128.store(t + k, f32x4.add(v128.load(t + k), v128.load(s + k)));
  }
}

/**
 * dst[r] += src[r] then src[r] = 0 for the n rows r of `rows` (distinct; d floats a row): folds a second gradient
 * accumulator (a worker thread's) into the first and clears it for the next step.
 */
export function addRowsAndClear(n: i32, d: i32, rows: usize, src: usize, dst: usize): void {
  const bytes = <usize>d << 2;
  const vec = bytes & ~(<usize>15);
  const zero = f32x4.splat(0);
  for (let i = 0; i < n; i++) {
    const at = <usize>load<i32>(rows + (<usize>i << 2)) * bytes;
    const s = src + at;
    const t = dst + at;
    let k: usize = 0;
    for (; k < vec; k += 16) {
      v128.store(t + k, f32x4.add(v128.load(t + k), v128.load(s + k)));
      v128.store(s + k, zero);
    }
    for (; k < bytes; k += 4) {
      store<f32>(t + k, load<f32>(t + k) + load<f32>(s + k));
      store<f32>(s + k, 0);
    }
  }
}

/** Index of the first of n i32 ids outside [0, limit), or −1 when all are inside. */
export function firstOutOfRange(ids: usize, n: i32, limit: i32): i32 {
  const lim = i32x4.splat(limit);
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    // unsigned compare: negative ids become huge and fail too
    if (v128.any_true(i32x4.ge_u(v128.load(ids + (<usize>i << 2)), lim))) break;
  }
  for (; i < n; i++) {
    if (<u32>load<i32>(ids + (<usize>i << 2)) >= <u32>limit) return i;
  }
  return -1;
}

/**
 * Appends the distinct ids among ids[0..n) to out (first-occurrence order) and returns their count. `mark` is an
 * i32 array over the id range that must be all 0 on entry; it is all 0 again on return.
 */
export function uniqueRows(ids: usize, n: i32, mark: usize, out: usize): i32 {
  let u = 0;
  for (let i = 0; i < n; i++) {
    const id = load<i32>(ids + (<usize>i << 2));
    const mp = mark + (<usize>id << 2);
    if (load<i32>(mp) == 0) {
      store<i32>(mp, 1);
      store<i32>(out + (<usize>u << 2), id);
      u++;
    }
  }
  for (let i = 0; i < u; i++) store<i32>(mark + (<usize>load<i32>(out + (<usize>i << 2)) << 2), 0);
  return u;
}

/** Last σ(x) computed by `softplusSig`. */
let lastSigmoid: f64 = 0;

/** softplus(x) = log(1 + eˣ), overflow-free; leaves σ(x) in lastSigmoid (one exp for both). */
@inline function softplusSig(x: f64): f64 {
  const e = Math.exp(-Math.abs(x));
  lastSigmoid = x >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
  return Math.max(x, 0.0) + Math.log1p(e);
}

/**
 * Negative-sampling loss of Chami et al. 2020 as KGEmb codes it (`KGOptimizer.neg_sampling_loss`): scores are
 * [B×M] with the gold candidate in column 0; L = (1/(B·M))·Σ_b [softplus(−s_b0) + Σ_{j≥1} softplus(s_bj)] (the mean
 * over all B·M terms, i.e. −mean(log σ(s⁺) ∪ log σ(−s⁻))). Writes dL/ds to dscore and returns L. Negatives go
 * four at a time through f32x4 exp/log (absolute error per term ≲ 1e-7); gold and leftover columns in float64.
 */
export function softplusLoss(B: i32, M: i32, scores: usize, dscore: usize): f64 {
  const inv = 1.0 / (<f64>B * <f64>M);
  const invv = f32x4.splat(<f32>inv);
  let loss: f64 = 0;
  for (let b = 0; b < B; b++) {
    const row = <usize>b * <usize>M;
    const s0 = <f64>load<f32>(scores + (row << 2));
    loss += softplusSig(-s0); // gold: dL/ds = −σ(−s)/(B·M)
    store<f32>(dscore + (row << 2), <f32>(-lastSigmoid * inv));
    let acc = f32x4.splat(0);
    let j = 1;
    for (; j + 4 <= M; j += 4) { // negatives: dL/ds = σ(s)/(B·M)
      const o = (row + <usize>j) << 2;
      const x = v128.load(scores + o);
      const e = vexp(f32x4.neg(f32x4.abs(x)));
      const ope = vadd(K(1.0), e);
      acc = vadd(acc, vadd(f32x4.pmax(x, K(0.0)), vlog(ope)));
      const sig = vdiv(vsel(K(1.0), e, f32x4.ge(x, K(0.0))), ope);
      v128.store(dscore + o, vmul(sig, invv));
    }
    for (; j < M; j++) {
      const o = (row + <usize>j) << 2;
      loss += softplusSig(<f64>load<f32>(scores + o));
      store<f32>(dscore + o, <f32>(lastSigmoid * inv));
    }
    loss += <f64>(f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) +
      <f64>(f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
  }
  return loss * inv;
}
