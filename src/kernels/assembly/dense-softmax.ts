// Softmax cross-entropy over all N entities for dot-product scores (1-N training, Dettmers et al. 2018), forward
// and hand-written VJP, without a [B×N] matrix outside kernel memory; and beside it the binary cross-entropy over
// all N entities (`denseSigmoidRows`, see the end of this comment), which shares every pass but the second.
//
// For a query row q_b with gold answer g_b, entity rows e_j and tail biases β_j:
//   s_bj = q_b·e_j + β_j,   m_b = max_j s_bj,   Z_b = Σ_j exp(s_bj − m_b),   L_b = m_b + log Z_b − s_{b,g_b}.
// With the loss scaled by `scale` (1/B of the batch mean, times the upstream gradient), dL/ds_bj = G_bj with
//   G = scale·(P − onehot(g)),   P_bj = exp(s_bj − m_b)/Z_b,
// and the three products of the VJP are
//   dq_b = Σ_j G_bj e_j = w_b·Σ_j exp(s_bj − m_b)·e_j − scale·e_{g_b}           (w_b = scale/Z_b),
//   dE_j += Σ_b G_bj q_b = Σ_b exp(s_bj − m_b)·(w_b q_b) − scale·Σ_{b: g_b = j} q_b,
//   dβ_j += Σ_b G_bj     = Σ_b exp(s_bj − m_b)·w_b       − scale·#{b: g_b = j}.
// So P is never normalised in memory: the row weights w_b go into the query rows (q'_b = w_b q_b) and into dq_b.
//
// Two phases, each a loop over runs of work taken from a shared counter, so that the threads calling a phase
// together share it by how fast they go; every run writes only its own outputs and every sum runs in a fixed
// order, so the result is the same bits whoever runs which run (one thread, two, a busy core).
// Phase 1 (`denseSoftmaxRows`), runs of U = `unit` query rows whose scores (Np = N rounded up to 8 per row) stay in
// cache between the passes. A run's scores are stored entity block by entity block, [Np/4][U][4] (run u at
// u·U·Np floats; score (r, j) at ((j >> 2)·U + r)·4 + (j & 3)), so that the four rows of a dq tile share a cache line
// and phase 2 reads a block's rows of a run as one contiguous 16·U bytes. Scores are kept in base 2, s' = s·log₂e
// (the query rows and biases scaled by log₂e before the product), so that exp(s − m) = 2^(s' − m') needs no range
// reduction by ln 2:
//   1. s' by 4×8 register tiles against the blocked table (dense-tiles.ts), the biases as the tiles' start;
//   2. per row: the max m' (one read), L_b = ln2·(m' − s'_g) + ln Z, e = 2^(s' − m') in place (zero in the padding)
//      and Z, w_b, q'_b;
//   3. dq by 4-row × 8-coordinate tiles over the row-major table (broadcast e_bj, two row loads per entity), block by
//      block of DQ_BLOCK entities (L1-resident).
// Phase 2 (`denseSoftmaxEntities`), runs of entities, once every row is through phase 1:
//   4. dE and dβ by 4-entity × 8-coordinate tiles over all rows (broadcast e_bj, two q' loads per row), added into
//      the gradient rows; then the gold corrections of the run's entities, in row order.
//
// Binary cross-entropy over all entities (PyKEEN's LCWA with BCE; KGEmb's first commit, which switched to the softmax
// a commit later; one gold answer per query): L_b = Σ_j softplus(s_bj) − s_{b,g_b}, dL/ds_bj = scale·(σ(s_bj) −
// onehot(g)). It is the softmax's VJP with σ(s_bj) in place of exp(s_bj − m_b) and w_b = scale, so
// `denseSigmoidRows` runs passes 1 and 3 as above with pass 2 `rowSigmoid`, and phase 2 is `denseSoftmaxEntities`
// unchanged.
import { dotTile4x8, exp2Lanes, paddedEntities } from './dense-tiles';
import { hmax, madd } from './simd';
import { vexp, vlog } from './vmath';

/**
 * Phase 1 of a 1-N batch of B query rows q [B×d] with gold answers `gold` [B] against the table [N×d] (row-major
 * `table` and its blocked copy `blocked` of ⌈N/8⌉·2 blocks), tail biases `bias` padded to Np floats (0 = none):
 * runs of `unit` rows (a multiple of 4; passes 1–3 above) taken from the shared int32 `counter` (advanced
 * atomically; 0 = no counter, every run in order). Writes the scores' exponentials (`scores`, ⌈B/U⌉·U·Np floats in
 * the run layout above), w_b [B] (`stats`), q'_b [B×d] (`qs`), L_b [B] (`rowLoss`, f64) and dq [B×d].
 */
export function denseSoftmaxRows(B: i32, N: i32, d: i32, unit: i32, counter: usize, q: usize, table: usize,
  blocked: usize, bias: usize, gold: usize, scale: f32, scores: usize, stats: usize, qs: usize, rowLoss: usize,
  dq: usize): void {
  lossRows(false, B, N, d, unit, counter, q, table, blocked, bias, gold, scale, scores, stats, qs, rowLoss, dq);
}

/**
 * Phase 1 of the binary cross-entropy over all entities (the end of the file comment): as `denseSoftmaxRows`, with
 * the scores' sigmoids in `scores`, w_b = scale in `stats` and L_b = Σ_j softplus(s_bj) − s_{b,g_b} in `rowLoss`.
 */
export function denseSigmoidRows(B: i32, N: i32, d: i32, unit: i32, counter: usize, q: usize, table: usize,
  blocked: usize, bias: usize, gold: usize, scale: f32, scores: usize, stats: usize, qs: usize, rowLoss: usize,
  dq: usize): void {
  lossRows(true, B, N, d, unit, counter, q, table, blocked, bias, gold, scale, scores, stats, qs, rowLoss, dq);
}

/** Phase 1 of either loss (`sigmoid`: binary cross-entropy; else softmax): passes 1–3 run by run of rows. */
function lossRows(sigmoid: bool, B: i32, N: i32, d: i32, unit: i32, counter: usize, q: usize, table: usize,
  blocked: usize, bias: usize, gold: usize, scale: f32, scores: usize, stats: usize, qs: usize, rowLoss: usize,
  dq: usize): void {
  const Np = paddedEntities(N);
  const rowBytes = <usize>d << 2, runBytes = <usize>Np * <usize>unit << 2;
  const L = f32x4.splat(LOG2E);
  let next = 0;
  for (;;) {
    const r0 = counter != 0 ? atomic.add<i32>(counter, unit) : next;
    next += unit;
    if (r0 >= B) return;
    const rc = min(unit, B - r0);
    const qc = q + <usize>r0 * rowBytes, qo = qs + <usize>r0 * rowBytes, gc = gold + (<usize>r0 << 2);
    const Su = scores + <usize>(r0 / unit) * runBytes, st = stats + (<usize>r0 << 2);
    for (let k: usize = 0, n = <usize>rc * rowBytes; k < n; k += 16) v128.store(qo + k, f32x4.mul(L, v128.load(qc + k)));
    forwardScores(rc, unit, Np, d, qo, blocked, bias, Su, LOG2E);
    if (sigmoid) rowSigmoid(rc, unit, N, Np, d, qc, gc, scale, Su, st, qo, rowLoss + (<usize>r0 << 3));
    else rowSoftmax(rc, unit, N, Np, d, qc, gc, scale, Su, st, qo, rowLoss + (<usize>r0 << 3));
    queryGradient(rc, unit, N, d, table, gc, scale, Su, st, dq + <usize>r0 * rowBytes);
  }
}

/**
 * Phase 2, after phase 1 has finished for all B rows (same `unit` and `scores`): runs of `entityUnit` entities (a
 * multiple of 4) taken from the shared int32 `counter` (0 = no counter): gTable_j += Σ_b e_bj·q'_b and
 * gBias_j += Σ_b e_bj·w_b (pass 4), then the gold corrections of the run's entities, gTable_g −= scale·q_b and
 * gBias_g −= scale, in row order.
 */
export function denseSoftmaxEntities(B: i32, N: i32, d: i32, unit: i32, entityUnit: i32, counter: usize, q: usize,
  gold: usize, scale: f32, scores: usize, stats: usize, qs: usize, gTable: usize, gBias: usize): void {
  const Np = paddedEntities(N);
  const rowBytes = <usize>d << 2;
  const sv = f32x4.splat(scale);
  let next = 0;
  for (;;) {
    const j0 = counter != 0 ? atomic.add<i32>(counter, entityUnit) : next;
    next += entityUnit;
    if (j0 >= N) return;
    const j1 = min(j0 + entityUnit, N);
    tableGradient(B, unit, j0, j1, Np, d, qs, scores, stats, gTable, gBias);
    for (let b = 0; b < B; b++) {
      const g = load<i32>(gold + (<usize>b << 2));
      if (g < j0 || g >= j1) continue;
      const gp = gTable + <usize>g * rowBytes, qp = q + <usize>b * rowBytes;
      for (let k: usize = 0; k < rowBytes; k += 16) v128.store(gp + k, f32x4.sub(v128.load(gp + k), f32x4.mul(sv, v128.load(qp + k))));
      if (gBias != 0) store<f32>(gBias + (<usize>g << 2), load<f32>(gBias + (<usize>g << 2)) - scale);
    }
  }
}

/** log₂e, and ln 2 in f64. */
const LOG2E: f32 = 1.4426950408889634;
const LN2: f64 = 0.6931471805599453;
/** Blocks of four scores whose factors 1 + x ∈ (1, 2] are multiplied before one log (at most 2³² per lane). */
const LOG_RUN: i32 = 32;
/** Entities per block of the dq pass (a multiple of 4; table rows of 16 KiB at d = 32 stay in L1 for all row tiles). */
const DQ_BLOCK: i32 = 128;

/**
 * Pass 1: s'_ij ← q'_i·e_j + biasScale·β_j for the rc rows q' of a run (here q' = log₂e·q and biasScale = log₂e;
 * dense-poincare.ts: the plain dot products, no bias), in the run layout; the padding lanes j ≥ N hold anything.
 */
export function forwardScores(rc: i32, U: i32, Np: i32, d: i32, qc: usize, blocked: usize, bias: usize, Su: usize,
  biasScale: f32): void {
  const rowBytes = <usize>d << 2, blk = <usize>U << 4;
  const last = rc - 1;
  for (let jt = 0; jt < Np; jt += 8) {
    const e = blocked + ((<usize>(jt >> 2) * <usize>d) << 4);
    const init = bias != 0 ? bias + (<usize>jt << 2) : 0;
    const col = Su + <usize>(jt >> 2) * blk;
    for (let i = 0; i < rc; i += 4) { // rows past the run repeat its last row (same values, same place)
      const i1 = <usize>min(i + 1, last), i2 = <usize>min(i + 2, last), i3 = <usize>min(i + 3, last);
      dotTile4x8(qc + <usize>i * rowBytes, qc + i1 * rowBytes, qc + i2 * rowBytes, qc + i3 * rowBytes, e, d, init, biasScale,
        col + (<usize>i << 4), col + (i1 << 4), col + (i2 << 4), col + (i3 << 4), blk);
    }
  }
}

/**
 * Pass 2, per row i of a run (scores in base 2): m' = max_{j<N} s'_ij; loss[i] ← ln2·(m' − s'_{i,g}) + ln Z (f64);
 * s'_ij ← 2^(s'_ij − m') = exp(s_ij − m) (0 for j ≥ N); stats[i] ← w_i = scale/Z; qs_i ← w_i·q_i.
 */
function rowSoftmax(rc: i32, U: i32, N: i32, Np: i32, d: i32, qc: usize, gold: usize, scale: f32, Su: usize,
  stats: usize, qs: usize, loss: usize): void {
  const rowBytes = <usize>d << 2, blk = <usize>U << 4;
  const full = N >> 2, blocks = Np >> 2; // blocks of four real entities; all blocks
  const lane = f32x4(0, 1, 2, 3);
  for (let i = 0; i < rc; i++) {
    const row = Su + (<usize>i << 4);
    let m4 = f32x4.splat(-Infinity);
    for (let b = 0; b < full; b++) m4 = f32x4.pmax(m4, v128.load(row + <usize>b * blk));
    let m = hmax(m4);
    for (let j = full << 2; j < N; j++) m = Mathf.max(m, load<f32>(row + <usize>full * blk + (<usize>(j & 3) << 2)));
    const g = load<i32>(gold + (<usize>i << 2));
    const sGold = load<f32>(row + <usize>(g >> 2) * blk + (<usize>(g & 3) << 2));
    const M = f32x4.splat(m);
    let z0 = f32x4.splat(0), z1 = z0;
    let b = 0;
    for (; b + 2 <= full; b += 2) {
      const p = row + <usize>b * blk;
      const e0 = exp2Lanes(f32x4.sub(v128.load(p), M));
      const e1 = exp2Lanes(f32x4.sub(v128.load(p + blk), M));
      v128.store(p, e0);
      v128.store(p + blk, e1);
      z0 = f32x4.add(z0, e0);
      z1 = f32x4.add(z1, e1);
    }
    for (; b < blocks; b++) { // the last full block, the partial one (lanes ≥ N → 0), the padding
      const p = row + <usize>b * blk;
      const valid = f32x4.lt(f32x4.add(lane, f32x4.splat(<f32>(b << 2))), f32x4.splat(<f32>N));
      const e = v128.and(exp2Lanes(f32x4.sub(v128.load(p), M)), valid);
      v128.store(p, e);
      z0 = f32x4.add(z0, e);
    }
    const zv = f32x4.add(z0, z1);
    const Z = (f32x4.extract_lane(zv, 0) + f32x4.extract_lane(zv, 1)) + (f32x4.extract_lane(zv, 2) + f32x4.extract_lane(zv, 3));
    store<f64>(loss + (<usize>i << 3), LN2 * (<f64>m - <f64>sGold) + Math.log(<f64>Z));
    const w = scale / Z;
    store<f32>(stats + (<usize>i << 2), w);
    const W = f32x4.splat(w);
    const qp = qc + <usize>i * rowBytes, qo = qs + <usize>i * rowBytes;
    for (let k: usize = 0; k < rowBytes; k += 16) v128.store(qo + k, f32x4.mul(W, v128.load(qp + k)));
  }
}

/**
 * Pass 2 of the binary cross-entropy, per row i of a run (scores in base 2, s' = s·log₂e): s'_ij ← σ(s_ij) (0 for
 * j ≥ N) and loss[i] ← Σ_{j<N} softplus(s_ij) − s_{i,g} (`sigmoidsAndSoftplus`); stats[i] ← scale; qs_i ← scale·q_i.
 */
function rowSigmoid(rc: i32, U: i32, N: i32, Np: i32, d: i32, qc: usize, gold: usize, scale: f32, Su: usize,
  stats: usize, qs: usize, loss: usize): void {
  const rowBytes = <usize>d << 2, blk = <usize>U << 4;
  const blocks = Np >> 2;
  const W = f32x4.splat(scale);
  for (let i = 0; i < rc; i++) {
    const row = Su + (<usize>i << 4);
    const g = load<i32>(gold + (<usize>i << 2));
    const sGold = load<f32>(row + <usize>(g >> 2) * blk + (<usize>(g & 3) << 2));
    store<f64>(loss + (<usize>i << 3), sigmoidsAndSoftplus(row, blk, blocks, N, true) - LN2 * <f64>sGold);
    store<f32>(stats + (<usize>i << 2), scale);
    const qp = qc + <usize>i * rowBytes, qo = qs + <usize>i * rowBytes;
    for (let k: usize = 0; k < rowBytes; k += 16) v128.store(qo + k, f32x4.mul(W, v128.load(qp + k)));
  }
}

/**
 * The binary cross-entropy's pass over one row's scores (blocks of four, `blk` bytes apart from `row`; in base 2,
 * s' = s·log₂e, when `base2`): with x = e^(−|s|) ∈ (0, 1], σ(s) = 1/(1 + x) for s ≥ 0 and x/(1 + x) below (no
 * overflow either side) in place, 0 for j ≥ N; returns Σ_{j<N} softplus(s_j), softplus(s) = max(s, 0) + ln(1 + x), its
 * logs taken of products of LOG_RUN blocks' factors and the runs' sums added in f64 (dense-poincare.ts too, base e).
 */
@inline export function sigmoidsAndSoftplus(row: usize, blk: usize, blocks: i32, N: i32, base2: bool): f64 {
  const lane = i32x4(0, 1, 2, 3), Nv = i32x4.splat(N), zero = f32x4.splat(0), one = f32x4.splat(1);
  const ln2 = f32x4.splat(<f32>LN2);
  let lo = f64x2.splat(0), hi = lo;
  for (let b0 = 0; b0 < blocks; b0 += LOG_RUN) { // Σ ln(1 + x) as ln Π(1 + x) over runs of LOG_RUN blocks
    let product = one, positive = zero;
    for (let b = b0, b1 = min(b0 + LOG_RUN, blocks); b < b1; b++) {
      const p = row + <usize>b * blk;
      const s = v128.load(p);
      const x = base2 ? exp2Lanes(f32x4.neg(f32x4.abs(s))) : vexp(f32x4.neg(f32x4.abs(s)));
      const onePlus = f32x4.add(one, x), inv = f32x4.div(one, onePlus);
      const valid = i32x4.lt_s(i32x4.add(lane, i32x4.splat(b << 2)), Nv);
      v128.store(p, v128.and(v128.bitselect(inv, f32x4.mul(x, inv), f32x4.ge(s, zero)), valid));
      product = f32x4.mul(product, v128.bitselect(onePlus, one, valid));
      positive = f32x4.add(positive, v128.and(f32x4.pmax(s, zero), valid));
    }
    const softplus = f32x4.add(base2 ? f32x4.mul(ln2, positive) : positive, vlog(product));
    lo = f64x2.add(lo, f64x2.promote_low_f32x4(softplus));
    hi = f64x2.add(hi, f64x2.promote_low_f32x4(v128.shuffle<f32>(softplus, softplus, 2, 3, 0, 1)));
  }
  const sum = f64x2.add(lo, hi);
  return f64x2.extract_lane(sum, 0) + f64x2.extract_lane(sum, 1);
}

/**
 * Pass 3: dq_i ← w_i·Σ_{j<N} e_ij·e_j − scale·e_{g_i} (with stats = 0 the plain sums Σ_{j<N} e_ij·e_j), by tiles of
 * 4 rows × 8 (then 4) coordinates, entity block by entity block (the sums build up in dq itself); the four rows' e_ij
 * of an entity block share one cache line.
 */
export function queryGradient(rc: i32, U: i32, N: i32, d: i32, table: usize, gold: usize, scale: f32, Su: usize,
  stats: usize, dq: usize): void {
  const rowBytes = <usize>d << 2, blk = <usize>U << 4;
  const last = rc - 1;
  memory.fill(dq, 0, <usize>rc * rowBytes);
  for (let j0 = 0; j0 < N; j0 += DQ_BLOCK) {
    const j1 = min(j0 + DQ_BLOCK, N);
    for (let i = 0; i < rc; i += 4) { // rows past the run repeat its last row; only the real rows store
      const i1 = min(i + 1, last), i2 = min(i + 2, last), i3 = min(i + 3, last);
      const r0o = <usize>i << 4, r1o = <usize>i1 << 4, r2o = <usize>i2 << 4, r3o = <usize>i3 << 4;
      const o0 = dq + <usize>i * rowBytes, o1 = dq + <usize>i1 * rowBytes, o2 = dq + <usize>i2 * rowBytes,
        o3 = dq + <usize>i3 * rowBytes;
      const rows = min(4, rc - i);
      let kt: usize = 0;
      for (; kt + 32 <= rowBytes; kt += 32) {
        let a00 = v128.load(o0 + kt), a01 = v128.load(o0 + kt, 16), a10 = v128.load(o1 + kt), a11 = v128.load(o1 + kt, 16);
        let a20 = v128.load(o2 + kt), a21 = v128.load(o2 + kt, 16), a30 = v128.load(o3 + kt), a31 = v128.load(o3 + kt, 16);
        let ep = table + <usize>j0 * rowBytes + kt, pb = Su + <usize>(j0 >> 2) * blk;
        for (let j = j0; j < j1; j += 4, pb += blk) {
          const n = min(4, j1 - j); // the table's last block may be partial: rows past N do not exist
          for (let l = 0; l < n; l++, ep += rowBytes) {
            const lo = pb + (<usize>l << 2);
            const x0 = v128.load(ep), x1 = v128.load(ep, 16);
            let g = v128.load32_splat(lo + r0o);
            a00 = madd(g, x0, a00);
            a01 = madd(g, x1, a01);
            g = v128.load32_splat(lo + r1o);
            a10 = madd(g, x0, a10);
            a11 = madd(g, x1, a11);
            g = v128.load32_splat(lo + r2o);
            a20 = madd(g, x0, a20);
            a21 = madd(g, x1, a21);
            g = v128.load32_splat(lo + r3o);
            a30 = madd(g, x0, a30);
            a31 = madd(g, x1, a31);
          }
        }
        if (rows > 3) { v128.store(o3 + kt, a30); v128.store(o3 + kt, a31, 16); }
        if (rows > 2) { v128.store(o2 + kt, a20); v128.store(o2 + kt, a21, 16); }
        if (rows > 1) { v128.store(o1 + kt, a10); v128.store(o1 + kt, a11, 16); }
        v128.store(o0 + kt, a00);
        v128.store(o0 + kt, a01, 16);
      }
      if (kt < rowBytes) { // d % 8 == 4: the last four coordinates
        let a0 = v128.load(o0 + kt), a1 = v128.load(o1 + kt), a2 = v128.load(o2 + kt), a3 = v128.load(o3 + kt);
        let ep = table + <usize>j0 * rowBytes + kt, pb = Su + <usize>(j0 >> 2) * blk;
        for (let j = j0; j < j1; j += 4, pb += blk) {
          const n = min(4, j1 - j); // the table's last block may be partial: rows past N do not exist
          for (let l = 0; l < n; l++, ep += rowBytes) {
            const lo = pb + (<usize>l << 2);
            const x0 = v128.load(ep);
            a0 = madd(v128.load32_splat(lo + r0o), x0, a0);
            a1 = madd(v128.load32_splat(lo + r1o), x0, a1);
            a2 = madd(v128.load32_splat(lo + r2o), x0, a2);
            a3 = madd(v128.load32_splat(lo + r3o), x0, a3);
          }
        }
        if (rows > 3) v128.store(o3 + kt, a3);
        if (rows > 2) v128.store(o2 + kt, a2);
        if (rows > 1) v128.store(o1 + kt, a1);
        v128.store(o0 + kt, a0);
      }
    }
  }
  if (stats == 0) return; // the plain sums Σ_j S_ij·e_j (dense-poincare.ts: S holds dL/ds, gold term included)
  const sv = f32x4.splat(scale);
  for (let i = 0; i < rc; i++) {
    const W = v128.load32_splat(stats + (<usize>i << 2));
    const gp = table + <usize>load<i32>(gold + (<usize>i << 2)) * rowBytes;
    const o = dq + <usize>i * rowBytes;
    for (let k: usize = 0; k < rowBytes; k += 16) v128.store(o + k, f32x4.sub(f32x4.mul(W, v128.load(o + k)), f32x4.mul(sv, v128.load(gp + k))));
  }
}

/**
 * Pass 4: gTable_j += Σ_b e_bj·qs_b and gBias_j += Σ_b e_bj·w_b for j0 ≤ j < j1 (j0 % 4 == 0) over the B rows, by
 * tiles of 4 entities × 8 (then 4) coordinates; a tile reads 16·U contiguous bytes of each run.
 */
export function tableGradient(B: i32, U: i32, j0: i32, j1: i32, Np: i32, d: i32, qs: usize, S: usize, stats: usize,
  gTable: usize, gBias: usize): void {
  const rowBytes = <usize>d << 2, blk = <usize>U << 4, runBytes = <usize>Np * <usize>U << 2;
  for (let j = j0; j < j1; j += 4) {
    const nv = min(4, j1 - j);
    const sj = S + <usize>(j >> 2) * blk;
    const g0 = gTable + <usize>j * rowBytes;
    let kt: usize = 0;
    for (; kt + 32 <= rowBytes; kt += 32) {
      let a00 = f32x4.splat(0), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
      let qp = qs + kt;
      for (let r0 = 0, run = sj; r0 < B; r0 += U, run += runBytes) {
        const rc = min(U, B - r0);
        let sp = run;
        for (let i = 0; i < rc; i++, sp += 16, qp += rowBytes) {
            const x0 = v128.load(qp), x1 = v128.load(qp, 16);
            let g = v128.load32_splat(sp);
            a00 = madd(g, x0, a00);
            a01 = madd(g, x1, a01);
            g = v128.load32_splat(sp, 4);
            a10 = madd(g, x0, a10);
            a11 = madd(g, x1, a11);
            g = v128.load32_splat(sp, 8);
            a20 = madd(g, x0, a20);
            a21 = madd(g, x1, a21);
            g = v128.load32_splat(sp, 12);
            a30 = madd(g, x0, a30);
            a31 = madd(g, x1, a31);
        }
      }
      const o = g0 + kt;
      addPair(o, a00, a01);
      if (nv > 1) addPair(o + rowBytes, a10, a11);
      if (nv > 2) addPair(o + 2 * rowBytes, a20, a21);
      if (nv > 3) addPair(o + 3 * rowBytes, a30, a31);
    }
    if (kt < rowBytes) { // d % 8 == 4
      let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
      let qp = qs + kt;
      for (let r0 = 0, run = sj; r0 < B; r0 += U, run += runBytes) {
        const rc = min(U, B - r0);
        let sp = run;
        for (let i = 0; i < rc; i++, sp += 16, qp += rowBytes) {
            const x0 = v128.load(qp);
            a0 = madd(v128.load32_splat(sp), x0, a0);
            a1 = madd(v128.load32_splat(sp, 4), x0, a1);
            a2 = madd(v128.load32_splat(sp, 8), x0, a2);
            a3 = madd(v128.load32_splat(sp, 12), x0, a3);
        }
      }
      const o = g0 + kt;
      v128.store(o, f32x4.add(v128.load(o), a0));
      if (nv > 1) v128.store(o + rowBytes, f32x4.add(v128.load(o + rowBytes), a1));
      if (nv > 2) v128.store(o + 2 * rowBytes, f32x4.add(v128.load(o + 2 * rowBytes), a2));
      if (nv > 3) v128.store(o + 3 * rowBytes, f32x4.add(v128.load(o + 3 * rowBytes), a3));
    }
    if (gBias != 0) {
      let b4 = f32x4.splat(0);
      let wp = stats;
      for (let r0 = 0, run = sj; r0 < B; r0 += U, run += runBytes) {
        const rc = min(U, B - r0);
        let sp = run;
        for (let i = 0; i < rc; i++, sp += 16, wp += 4) b4 = madd(v128.load32_splat(wp), v128.load(sp), b4);
      }
      const bp = gBias + (<usize>j << 2);
      store<f32>(bp, load<f32>(bp) + f32x4.extract_lane(b4, 0));
      if (nv > 1) store<f32>(bp, load<f32>(bp, 4) + f32x4.extract_lane(b4, 1), 4);
      if (nv > 2) store<f32>(bp, load<f32>(bp, 8) + f32x4.extract_lane(b4, 2), 8);
      if (nv > 3) store<f32>(bp, load<f32>(bp, 12) + f32x4.extract_lane(b4, 3), 12);
    }
  }
}

/** p[0..8) += (a0, a1). */
@inline function addPair(p: usize, a0: v128, a1: v128): void {
  v128.store(p, f32x4.add(v128.load(p), a0));
  v128.store(p, f32x4.add(v128.load(p, 16), a1), 16);
}
