// The K best entities of a batch of queries of any curvatures under s = −d_c(q, y)² + b_y + b_q (RotH, RefH, AttH,
// MuRP; poincare-top-k.ts has the closed form and the pruning by descending bias), in one pass over the table for
// the whole batch, with the dot products first taken in 16-bit integers and every entity that may still enter a
// heap scored again exactly.
//
// Screening. `quantizeBlocked` keeps a copy of the blocked table in int16, entity j as s_j·ṽ_j with |ṽ_jk| ≤ M,
// laid out by pairs of coordinates ([block][d/2][4 entities × 2 coordinates]) so that i32x4.dot_i16x8_s gives four
// entities' partial dot products in one instruction; each query is quantized the same way (s_q, q̃). Then
//   |q·v_j − s_q·s_j·(q̃·ṽ_j)| ≤ ‖q‖·E_j + F_q·W_j,  E_j = ‖v_j − s_j ṽ_j‖, W_j = ‖s_j ṽ_j‖, F_q = ‖q − s_q q̃‖,
// and the integer sums are exact (d·M² < 2³¹). With P⁺ ≥ q·v_j from that bound (E_j widened by ρ‖v_j‖ for the
// float32 rounding of the exact product), L⁻ = (αX + αY)(1 − ρ) − 2αg·P⁺ is at most the exact α‖q − y‖² of
// poincare-top-k.ts, so a block none of whose lanes has L⁻ ≤ limit (the group's threshold, widened by 2⁻¹⁰) holds
// no entity that can enter the heap; the others get their float32 dot products and exact scores.
//
// The batch is swept in chunks of CHUNK_BLOCKS blocks (the chunk stays in cache for every query), queries in tiles
// of four (a register tile of 4 queries × 8 entities per pair of coordinates). Each query has its own curvature:
// `terms` holds per query the offsets of its α, α·Y and 2α·g (poincareEntityTerms of its curvature). Ties are
// broken by entity id (the lower wins), whatever the visiting order: each query's K best are the first K of all
// entities ordered by (score descending, id ascending) — the same for a query alone or in any batch, and for any
// split of the entity range [blockStart, blockEnd) between threads (the caller merges the halves).
import { K as splat, vadd, vmul, vsub } from './vmath';
import { heapSortDescending, siftDown, siftUp } from './top-k';
import { acoshSq, blockDots } from './poincare-top-k';

/** Blocks per pruning group (as in poincare-top-k.ts): the threshold is recomputed once per group and query. */
const GROUP: i32 = 32;
/** Blocks per chunk of the sweep, a multiple of GROUP. */
const CHUNK_BLOCKS: i32 = 16 * GROUP;
/** Floats of a query's slot in `work`. */
const SLOT: i32 = 16;
// slot fields (floats): scale s_q, ‖q‖ (rounded up), F_q (rounded up), 2c·α_q, X, b_q, 1/c, limit, c
const S_SCALE = 0, S_QNORM = 1, S_FERR = 2, S_COEF = 3, S_X = 4, S_OFF = 5, S_INVC = 6, S_LIMIT = 7, S_C = 8;

/** Largest |ṽ| of the int16 copies for rows of d floats: d·M² < 2³¹ keeps the int32 sums exact. */
export function quantLimit(d: i32): i32 {
  return min(32767, <i32>Math.floor(Math.sqrt(2147483647.0 / <f64>d)));
}

/**
 * out16 (int16, ⌈N/4⌉ rounded up to even blocks × d) ← the blocked table `blocked` ([⌈N/4⌉][d][4], blockTable's
 * layout) quantized per entity, by pairs of coordinates; info [3 × padded] ← per entity (padded lanes 0): s_j,
 * (E_j + rho·‖v_j‖)·(1 + 2⁻²⁰) and W_j·(1 + 2⁻²⁰), padded = ⌈N/4⌉·4. d is even.
 */
export function quantizeBlocked(N: i32, d: i32, blocked: usize, rho: f64, out16: usize, info: usize): void {
  const blocks = (N + 3) >> 2;
  const padded = <usize>blocks << 2;
  const M = <f64>quantLimit(d);
  const half = d >> 1;
  memory.fill(out16, 0, <usize>((blocks + 1) & ~1) * <usize>d * 8);
  memory.fill(info, 0, padded * 12);
  for (let j = 0; j < (blocks << 2); j++) {
    const blk = j >> 2, lane = j & 3;
    const src = blocked + ((<usize>blk * <usize>d) << 4) + (<usize>lane << 2);
    if (j >= N) continue;
    let m: f64 = 0;
    for (let k = 0; k < d; k++) m = Math.max(m, Math.abs(<f64>load<f32>(src + (<usize>k << 4))));
    const s: f32 = m > 0 ? <f32>(m / M) : 1;
    let e2: f64 = 0, w2: f64 = 0, v2: f64 = 0;
    for (let k = 0; k < d; k++) {
      const v = <f64>load<f32>(src + (<usize>k << 4));
      let n = Math.round(v / <f64>s);
      n = Math.max(-M, Math.min(M, n));
      const back = <f64>s * n;
      e2 += (v - back) * (v - back);
      w2 += back * back;
      v2 += v * v;
      const dst = out16 + ((<usize>(blk * half + (k >> 1)) << 4) + (<usize>lane << 2) + (<usize>(k & 1) << 1));
      store<i16>(dst, <i16>(<i32>n));
    }
    const up: f64 = 1 + 1.0 / 1048576.0;
    store<f32>(info + (<usize>j << 2), s);
    store<f32>(info + ((padded + <usize>j) << 2), <f32>((Math.sqrt(e2) + rho * Math.sqrt(v2)) * up));
    store<f32>(info + ((2 * padded + <usize>j) << 2), <f32>(Math.sqrt(w2) * up));
  }
}

/** Offers score v of entity `id` to a heap of `size` of K slots (worst at the root; ties: the lower id wins). */
@inline function offer(v: f32, id: i32, hs: usize, hi: usize, size: i32, K: i32): i32 {
  if (size < K) {
    store<f32>(hs + (<usize>size << 2), v);
    store<i32>(hi + (<usize>size << 2), id);
    siftUp(hs, hi, size);
    return size + 1;
  }
  const w = load<f32>(hs);
  if (v > w || (v == w && id < load<i32>(hi))) {
    store<f32>(hs, v);
    store<i32>(hi, id);
    siftDown(hs, hi, 0, K);
  }
  return size;
}

/** Query b's screen of block `blk` (acc: its four integer dot products): exact scores when the bound lets any lane pass. */
@inline function screenBlock(acc: v128, b: i32, blk: i32, N: i32, d: i32, K: i32, q: usize, work: usize,
  terms: usize, blocked: usize, info: usize, padded: usize, perm: usize, bias: usize, outIds: usize, outScores: usize,
  state: usize): void {
  if (load<i32>(state + (<usize>b << 2)) < 0) return;
  const slot = work + ((<usize>b * <usize>SLOT) << 2);
  const o = <usize>blk << 4;
  const tp = terms + (<usize>b * 12);
  const A = vadd(vmul(v128.load(<usize>load<i32>(tp) + o), splat(load<f32>(slot, S_X << 2))), v128.load(<usize>load<i32>(tp, 4) + o));
  const T = v128.load(<usize>load<i32>(tp, 8) + o);
  const P = vmul(f32x4.convert_i32x4_s(acc), vmul(splat(load<f32>(slot, S_SCALE << 2)), v128.load(info + o)));
  const err = vadd(vmul(splat(load<f32>(slot, S_QNORM << 2)), v128.load(info + (padded << 2) + o)),
    vmul(splat(load<f32>(slot, S_FERR << 2)), v128.load(info + (padded << 3) + o)));
  const lower = vsub(vmul(A, splat(<f32>(1.0 - 1.0 / 65536.0))), vmul(T, vadd(P, err)));
  // a lane passes unless its bound is above the limit (NaN passes: the exact score decides)
  if (v128.any_true(v128.not(f32x4.gt(lower, splat(load<f32>(slot, S_LIMIT << 2)))))) {
    exactBlock(A, T, b, blk, N, d, K, q, slot, blocked, perm, bias, outIds, outScores, state);
  }
}

/** Exact scores of block `blk` for query b (poincare-top-k.ts's formulas; A = αX + αY, T = 2αg), offered to its heap. */
function exactBlock(A: v128, T: v128, b: i32, blk: i32, N: i32, d: i32, K: i32, q: usize, slot: usize, blocked: usize,
  perm: usize, bias: usize, outIds: usize, outScores: usize, state: usize): void {
  const o = <usize>blk << 4;
  const P = blockDots(q + ((<usize>b * <usize>d) << 2), blocked + ((<usize>blk * <usize>d) << 4), d);
  const Lq = f32x4.pmax(vsub(A, vmul(T, P)), splat(0.0));
  const L = vmul(splat(load<f32>(slot, S_COEF << 2)), Lq);
  const dc2 = acoshSq(L);
  let s = vadd(vsub(v128.load(bias + o), vmul(dc2, splat(load<f32>(slot, S_INVC << 2)))), splat(load<f32>(slot, S_OFF << 2)));
  const lane = f32x4(0, 1, 2, 3);
  s = v128.bitselect(s, splat(-Infinity), v128.and(f32x4.eq(s, s), f32x4.lt(lane, splat(<f32>(N - (blk << 2)))))); // NaN, padding → −∞
  const hs = outScores + ((<usize>b * <usize>K) << 2), hi = outIds + ((<usize>b * <usize>K) << 2);
  const sp = state + (<usize>b << 2);
  let size = load<i32>(sp);
  for (let l = 0; l < 4; l++) {
    const i = (blk << 2) + l;
    if (i >= N) break;
    const v = f32x4.extract_lane(s, 0);
    s = v128.shuffle<f32>(s, s, 1, 2, 3, 0);
    size = offer(v, load<i32>(perm + (<usize>i << 2)), hs, hi, size, K);
  }
  store<i32>(sp, size);
}

/**
 * Query b's threshold for the group starting at block `blk`: limit on α‖q − y‖² (+∞ while its heap is not full),
 * or its state set to −1 (stopped: b_y + b_q < worst for every later entity).
 */
@inline function groupLimit(b: i32, blk: i32, K: i32, work: usize, bias: usize, outScores: usize, state: usize): void {
  const sp = state + (<usize>b << 2);
  const size = load<i32>(sp);
  if (size < 0) return;
  const slot = work + ((<usize>b * <usize>SLOT) << 2);
  if (size < K) {
    store<f32>(slot, <f32>Infinity, S_LIMIT << 2);
    return;
  }
  const worst = <f64>load<f32>(outScores + ((<usize>b * <usize>K) << 2));
  const margin = <f64>load<f32>(bias + (<usize>blk << 4)) + <f64>load<f32>(slot, S_OFF << 2) - worst;
  if (margin < 0) {
    store<i32>(sp, -1);
    return;
  }
  const c = <f64>load<f32>(slot, S_C << 2);
  const limit = (Math.cosh(Math.sqrt(c * margin)) - 1) / <f64>load<f32>(slot, S_COEF << 2);
  store<f32>(slot, <f32>(limit * (1 + 1.0 / 1024.0) + 1e-30), S_LIMIT << 2);
}

/** Quantizes query b (q̃ into qq as int16) and fills its slot of `work`. */
function prepareQuery(b: i32, d: i32, q: usize, x2: usize, c: usize, rowBias: usize, qq: usize, work: usize): void {
  const qp = q + ((<usize>b * <usize>d) << 2);
  const M = <f64>quantLimit(d);
  let m: f64 = 0, n2: f64 = 0;
  for (let k = 0; k < d; k++) {
    const v = <f64>load<f32>(qp + (<usize>k << 2));
    m = Math.max(m, Math.abs(v));
    n2 += v * v;
  }
  const s: f32 = m > 0 ? <f32>(m / M) : 1;
  let f2: f64 = 0;
  for (let k = 0; k < d; k++) {
    const v = <f64>load<f32>(qp + (<usize>k << 2));
    const n = Math.max(-M, Math.min(M, Math.round(v / <f64>s)));
    f2 += (v - <f64>s * n) * (v - <f64>s * n);
    store<i16>(qq + ((<usize>b * <usize>d + <usize>k) << 1), <i16>(<i32>n));
  }
  const up: f64 = 1 + 1.0 / 1048576.0;
  const cb = load<f32>(c + (<usize>b << 2));
  const X = load<f32>(x2 + (<usize>b << 2));
  const slot = work + ((<usize>b * <usize>SLOT) << 2);
  store<f32>(slot, s, S_SCALE << 2);
  store<f32>(slot, <f32>(Math.sqrt(n2) * up), S_QNORM << 2);
  store<f32>(slot, <f32>(Math.sqrt(f2) * up), S_FERR << 2);
  store<f32>(slot, 2 * cb / Mathf.max(1 - cb * X, 1e-12), S_COEF << 2);
  store<f32>(slot, X, S_X << 2);
  store<f32>(slot, rowBias != 0 ? load<f32>(rowBias + (<usize>b << 2)) : 0, S_OFF << 2);
  store<f32>(slot, 1 / cb, S_INVC << 2);
  store<f32>(slot, <f32>Infinity, S_LIMIT << 2);
  store<f32>(slot, cb, S_C << 2);
}

/**
 * For each query b < B over the entities of blocks [blockStart, blockEnd) (multiples of GROUP, or the end):
 * outIds/outScores[b·K, …) ← its best entities, sorted by descending score (ties: lower id first), and state[b] ←
 * how many (K, or fewer when the range holds fewer entities). q [B×d] ball points, x2 = ‖q‖², c per query, rowBias
 * (0 = none); terms [B×3] int32 byte offsets of each query's α, α·Y, 2α·g; blocked, out16/info (quantizeBlocked),
 * perm, bias in visiting order (descending bias). Scratch: qq (B·d int16), work (B·16 floats).
 */
export function poincareTopKBatch(B: i32, N: i32, d: i32, K: i32, q: usize, x2: usize, c: usize, rowBias: usize,
  terms: usize, blocked: usize, q16: usize, info: usize, perm: usize, bias: usize, blockStart: i32, blockEnd: i32,
  qq: usize, work: usize, outIds: usize, outScores: usize, state: usize): void {
  const blocks = (N + 3) >> 2;
  const padded = <usize>blocks << 2;
  const half = d >> 1;
  const pairBytes = <usize>half << 4; // one block of the int16 copy
  const end = min(blockEnd, blocks);
  memory.fill(state, 0, <usize>B << 2);
  for (let b = 0; b < B; b++) prepareQuery(b, d, q, x2, c, rowBias, qq, work);
  for (let chunk = blockStart; chunk < end; chunk += CHUNK_BLOCKS) {
    const chunkEnd = min(end, chunk + CHUNK_BLOCKS);
    for (let t = 0; t < B; t += 4) {
      const b0 = t, b1 = min(t + 1, B - 1), b2 = min(t + 2, B - 1), b3 = min(t + 3, B - 1); // a short tile repeats its last query
      const q0 = qq + ((<usize>b0 * <usize>d) << 1), q1 = qq + ((<usize>b1 * <usize>d) << 1);
      const q2 = qq + ((<usize>b2 * <usize>d) << 1), q3 = qq + ((<usize>b3 * <usize>d) << 1);
      const dup1 = b1 == b0, dup2 = b2 == b1, dup3 = b3 == b2;
      for (let blk = chunk; blk < chunkEnd; blk += 2) {
        if ((blk - blockStart) % GROUP == 0) {
          groupLimit(b0, blk, K, work, bias, outScores, state);
          if (!dup1) groupLimit(b1, blk, K, work, bias, outScores, state);
          if (!dup2) groupLimit(b2, blk, K, work, bias, outScores, state);
          if (!dup3) groupLimit(b3, blk, K, work, bias, outScores, state);
          if ((load<i32>(state + (<usize>b0 << 2)) & load<i32>(state + (<usize>b1 << 2)) & load<i32>(state + (<usize>b2 << 2)) &
            load<i32>(state + (<usize>b3 << 2))) < 0) break; // all four stopped
        }
        const e0 = q16 + <usize>blk * pairBytes, e1 = e0 + pairBytes;
        let a00 = i32x4.splat(0), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        for (let p = 0; p < half; p++) {
          const po = <usize>p << 4, pq = <usize>p << 2;
          const x0 = v128.load(e0 + po), x1 = v128.load(e1 + po);
          let s = v128.load32_splat(q0 + pq);
          a00 = i32x4.add(a00, i32x4.dot_i16x8_s(s, x0));
          a01 = i32x4.add(a01, i32x4.dot_i16x8_s(s, x1));
          s = v128.load32_splat(q1 + pq);
          a10 = i32x4.add(a10, i32x4.dot_i16x8_s(s, x0));
          a11 = i32x4.add(a11, i32x4.dot_i16x8_s(s, x1));
          s = v128.load32_splat(q2 + pq);
          a20 = i32x4.add(a20, i32x4.dot_i16x8_s(s, x0));
          a21 = i32x4.add(a21, i32x4.dot_i16x8_s(s, x1));
          s = v128.load32_splat(q3 + pq);
          a30 = i32x4.add(a30, i32x4.dot_i16x8_s(s, x0));
          a31 = i32x4.add(a31, i32x4.dot_i16x8_s(s, x1));
        }
        const second = blk + 1 < chunkEnd;
        screenBlock(a00, b0, blk, N, d, K, q, work, terms, blocked, info, padded, perm, bias, outIds, outScores, state);
        if (second) screenBlock(a01, b0, blk + 1, N, d, K, q, work, terms, blocked, info, padded, perm, bias, outIds, outScores, state);
        if (!dup1) {
          screenBlock(a10, b1, blk, N, d, K, q, work, terms, blocked, info, padded, perm, bias, outIds, outScores, state);
          if (second) screenBlock(a11, b1, blk + 1, N, d, K, q, work, terms, blocked, info, padded, perm, bias, outIds, outScores, state);
        }
        if (!dup2) {
          screenBlock(a20, b2, blk, N, d, K, q, work, terms, blocked, info, padded, perm, bias, outIds, outScores, state);
          if (second) screenBlock(a21, b2, blk + 1, N, d, K, q, work, terms, blocked, info, padded, perm, bias, outIds, outScores, state);
        }
        if (!dup3) {
          screenBlock(a30, b3, blk, N, d, K, q, work, terms, blocked, info, padded, perm, bias, outIds, outScores, state);
          if (second) screenBlock(a31, b3, blk + 1, N, d, K, q, work, terms, blocked, info, padded, perm, bias, outIds, outScores, state);
        }
      }
    }
  }
  for (let b = 0; b < B; b++) {
    const sp = state + (<usize>b << 2);
    const size = load<i32>(sp) < 0 ? K : load<i32>(sp);
    heapSortDescending(outScores + ((<usize>b * <usize>K) << 2), outIds + ((<usize>b * <usize>K) << 2), size);
    store<i32>(sp, size);
  }
}
