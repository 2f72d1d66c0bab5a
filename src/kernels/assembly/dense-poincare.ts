// Softmax (or binary) cross-entropy over all N entities for Poincaré scores (1-N training of RotH, RefH, AttH, MuRP),
// forward and hand-written VJP, in the two phases and run layout of dense-softmax.ts, whose dot-product tiles and
// gradient passes it reuses.
//
// For a query point q_b (curvature c_b, X_b = ‖q_b‖²) with gold answer g_b, entity rows v_j (tangent space at 0,
// V_j = ‖v_j‖²) and tail biases β_j:
//   P_bj = q_b·v_j,   s_bj = −d_c(q_b, exp₀(v_j))² + β_j = poincare4(X_b, c_b, V_j, P_bj) + β_j   (poincare.ts;
//   Chami et al. 2020, eqs. (1)–(3)),   L_b = log Σ_j exp s_bj − s_{b,g_b}.
// With G_bj = dL/ds_bj = scale·(softmax(s_b)_j − [j = g_b]) and the partials of poincare4 (s_X, s_V, s_P, s_c),
//   dq_b = Σ_j A_bj v_j + 2·(Σ_j G_bj s_X,bj)·q_b,     A_bj = G_bj·s_P,bj,
//   dc_b = Σ_j G_bj s_c,bj,
//   dv_j += Σ_b A_bj q_b + 2·(Σ_b C_bj)·v_j,            C_bj = G_bj·s_V,bj,
//   dβ_j += Σ_b G_bj.
// A query's own offset (a head bias) shifts its row of scores and leaves the softmax unchanged: its gradient is zero.
// Beside the softmax, the binary cross-entropy against every entity (`sigmoid`; PyKEEN's LCWA with BCE): L_b =
// Σ_j softplus(s_bj) − s_{b,g_b} with G_bj = scale·(σ(s_bj) − [j = g_b]); there the offset o_b counts (s_bj + o_b)
// and takes the gradient Σ_j G_bj.
//
// Phase 1 (`densePoincareRows`), runs of U rows taken from a shared counter (dense-softmax.ts's layout, [Np/4][U][4]
// per run): P by the 4×8 tiles (`forwardScores`, factor 1, no bias) into `dots`; per row the scores into `part`
// (pass a), their max, exp(s − m) and Z (pass b; bce: σ(s) and Σ softplus), the loss, then per entity block G,
// poincare4's partials again from P, A into `dots`, C into `part`, G into `gs` (only with a bias gradient), and the
// row sums Σ G s_X, Σ G s_c and (bce) Σ G (pass c);
// then dq = Σ_j A_bj v_j by dense-softmax.ts's `queryGradient` (its plain sums: no row weights, no gold term) plus
// 2·(Σ G s_X)·q.
// Phase 2 (`densePoincareEntities`), runs of entities once every row is through phase 1: Σ_b A_bj q_b by
// `tableGradient`, then the column sums of C and G, in row order. Every run writes only its own outputs and every
// sum runs in a fixed order, so the result is the same bits on one thread or two.
import { forwardScores, queryGradient, sigmoidsAndSoftplus, tableGradient } from './dense-softmax';
import { paddedEntities } from './dense-tiles';
import { poincare4, pS_c, pS_v2, pS_x2, pS_xv } from './poincare';
import { laneOf } from './ball-math';
import { dot, hmax, hsum, madd } from './simd';
import { vexp } from './vmath';

/**
 * Phase 1 for B query points q [B×d] with curvatures c [B] and gold answers `gold` [B] against the table [N×d]
 * (row-major `table`, blocked copy `blocked`, ‖v‖² `v2` padded to Np floats, tail biases `bias` padded to Np or 0):
 * runs of `unit` rows (a multiple of 4) from the shared int32 `counter` (0 = every run in order). Writes `dots`,
 * `part` and, with biases, `gs` (⌈B/U⌉·U·Np floats each, the run layout), `sx` [B] (Σ_j G s_X), `rowLoss` [B] (f64), dq [B×d] and dc [B]. With `sigmoid` ≠ 0 the loss is
 * the binary cross-entropy, the rows' offsets `offset` [B] (or 0) are added to their scores and their gradients
 * written to `doffset` [B] (or 0).
 */
export function densePoincareRows(B: i32, N: i32, d: i32, unit: i32, counter: usize, q: usize, c: usize, table: usize,
  blocked: usize, v2: usize, bias: usize, gold: usize, scale: f32, dots: usize, part: usize, gs: usize, sx: usize,
  rowLoss: usize, dq: usize, dc: usize, sigmoid: i32, offset: usize, doffset: usize): void {
  const Np = paddedEntities(N);
  const rowBytes = <usize>d << 2, runBytes = <usize>Np * <usize>unit << 2;
  let next = 0;
  for (;;) {
    const r0 = counter != 0 ? atomic.add<i32>(counter, unit) : next;
    next += unit;
    if (r0 >= B) return;
    const rc = min(unit, B - r0);
    const qc = q + <usize>r0 * rowBytes, run = <usize>(r0 / unit) * runBytes;
    forwardScores(rc, unit, Np, d, qc, blocked, 0, dots + run, 1);
    for (let i = 0; i < rc; i++) {
      const b = r0 + i;
      poincareRow(sigmoid != 0, i, unit, N, Np, qc + <usize>i * rowBytes, rowBytes, load<f32>(c + (<usize>b << 2)),
        offset != 0 ? load<f32>(offset + (<usize>b << 2)) : 0, load<i32>(gold + (<usize>b << 2)), v2, bias, scale,
        dots + run, part + run, gs != 0 ? gs + run : 0, sx + (<usize>b << 2),
        rowLoss + (<usize>b << 3), dc + (<usize>b << 2), doffset != 0 ? doffset + (<usize>b << 2) : 0);
    }
    const dqc = dq + <usize>r0 * rowBytes;
    queryGradient(rc, unit, N, d, table, gold + (<usize>r0 << 2), 0, dots + run, 0, dqc);
    for (let i = 0; i < rc; i++) { // dq_b += 2·(Σ_j G s_X)·q_b
      const a = f32x4.splat(2 * load<f32>(sx + (<usize>(r0 + i) << 2)));
      const qp = qc + <usize>i * rowBytes, o = dqc + <usize>i * rowBytes;
      for (let k: usize = 0; k < rowBytes; k += 16) v128.store(o + k, madd(a, v128.load(qp + k), v128.load(o + k)));
    }
  }
}

/**
 * Passes a–c of row i of a run (the file comment), its P in `D`, its scores in `Pt`, its G in `Gt` (or 0); with
 * `sigmoid` the binary cross-entropy's pass b and the row's offset `off` (its gradient Σ_j G to `doffOut`, or 0).
 */
function poincareRow(sigmoid: bool, i: i32, U: i32, N: i32, Np: i32, qp: usize, rowBytes: usize, cb: f32, off: f32, g: i32,
  v2: usize, bias: usize, scale: f32, D: usize, Pt: usize, Gt: usize, sxOut: usize, lossOut: usize,
  dcOut: usize, doffOut: usize): void {
  const blk = <usize>U << 4, row = <usize>i << 4;
  const blocks = Np >> 2;
  const X = dot(qp, qp, rowBytes);
  const Xv = f32x4.splat(X), omcx = f32x4.splat(1 - cb * X), cv = f32x4.splat(cb), ccv = f32x4.splat(cb * cb);
  const m4c = f32x4.splat(-4 / cb), offv = f32x4.splat(off);
  const lane = i32x4(0, 1, 2, 3), Nv = i32x4.splat(N), gv = i32x4.splat(g);
  let m4 = f32x4.splat(-Infinity);
  for (let k = 0; k < blocks; k++) { // a: scores, and their max over the real entities
    const o = row + <usize>k * blk;
    let s = poincare4(Xv, omcx, cv, ccv, m4c, v128.load(v2 + (<usize>k << 4)), v128.load(D + o), false);
    if (bias != 0) s = f32x4.add(s, v128.load(bias + (<usize>k << 4)));
    if (off != 0) s = f32x4.add(s, offv);
    v128.store(Pt + o, s);
    m4 = f32x4.pmax(m4, v128.bitselect(s, m4, i32x4.lt_s(i32x4.add(lane, i32x4.splat(k << 2)), Nv)));
  }
  const sGold = load<f32>(Pt + row + <usize>(g >> 2) * blk + (<usize>(g & 3) << 2));
  const w = sigmoid ? sigmoidRow(Pt + row, blk, blocks, N, scale, sGold, lossOut) : softmaxRow(Pt + row, blk, blocks, N, m4, scale, sGold, lossOut);
  const W = f32x4.splat(w), S = f32x4.splat(scale);
  let sx4 = f32x4.splat(0), sc4 = sx4, so4 = sx4;
  for (let k = 0; k < blocks; k++) { // c: G, the partials, A, C and the row sums
    const o = row + <usize>k * blk;
    const isGold = i32x4.eq(i32x4.add(lane, i32x4.splat(k << 2)), gv);
    const G = f32x4.sub(f32x4.mul(W, v128.load(Pt + o)), v128.and(S, isGold));
    const P = v128.load(D + o);
    poincare4(Xv, omcx, cv, ccv, m4c, v128.load(v2 + (<usize>k << 4)), P, true);
    v128.store(D + o, f32x4.mul(G, pS_xv));
    v128.store(Pt + o, f32x4.mul(G, pS_v2));
    if (Gt != 0) v128.store(Gt + o, G);
    sx4 = madd(G, pS_x2, sx4);
    sc4 = madd(G, pS_c, sc4);
    so4 = f32x4.add(so4, G);
  }
  store<f32>(sxOut, hsum(sx4));
  store<f32>(dcOut, hsum(sc4));
  if (doffOut != 0) store<f32>(doffOut, hsum(so4));
}

/**
 * Pass b of the softmax for one row (scores at `p`, blocks `blk` bytes apart; m4: the lanes' maxima over j < N):
 * e = exp(s − m) in place (zero past N), the loss m + log Z − s_g to `lossOut` (f64); returns the row weight scale/Z.
 */
function softmaxRow(p: usize, blk: usize, blocks: i32, N: i32, m4: v128, scale: f32, sGold: f32, lossOut: usize): f32 {
  const m = hmax(m4);
  const M = f32x4.splat(m), lane = i32x4(0, 1, 2, 3), Nv = i32x4.splat(N);
  let z4 = f32x4.splat(0);
  for (let k = 0; k < blocks; k++) {
    const o = p + <usize>k * blk;
    const valid = i32x4.lt_s(i32x4.add(lane, i32x4.splat(k << 2)), Nv);
    const e = v128.and(vexp(f32x4.sub(v128.load(o), M)), valid);
    v128.store(o, e);
    z4 = f32x4.add(z4, e);
  }
  const Z = hsum(z4);
  store<f64>(lossOut, <f64>m + Math.log(<f64>Z) - <f64>sGold);
  return scale / Z;
}

/**
 * Pass b of the binary cross-entropy against every entity for one row (dense-softmax.ts `sigmoidsAndSoftplus`, in base
 * e): σ(s) in place (zero past N), the loss Σ_{j<N} softplus(s_j) − s_g to `lossOut` (f64); returns the row weight, scale.
 */
function sigmoidRow(p: usize, blk: usize, blocks: i32, N: i32, scale: f32, sGold: f32, lossOut: usize): f32 {
  store<f64>(lossOut, sigmoidsAndSoftplus(p, blk, blocks, N, false) - <f64>sGold);
  return scale;
}

/**
 * Phase 2, after phase 1 has finished for all B rows (same `unit`, `dots`, `part`, `gs`): runs of `entityUnit`
 * entities (a multiple of 4) from the shared int32 `counter` (0 = none): gTable_j += Σ_b A_bj q_b + 2·(Σ_b C_bj)·v_j
 * and, with gBias ≠ 0, gBias_j += Σ_b G_bj.
 */
export function densePoincareEntities(B: i32, N: i32, d: i32, unit: i32, entityUnit: i32, counter: usize, q: usize,
  table: usize, dots: usize, part: usize, gs: usize, gTable: usize, gBias: usize): void {
  const Np = paddedEntities(N);
  const rowBytes = <usize>d << 2, blk = <usize>unit << 4, runBytes = <usize>Np * <usize>unit << 2;
  let next = 0;
  for (;;) {
    const j0 = counter != 0 ? atomic.add<i32>(counter, entityUnit) : next;
    next += entityUnit;
    if (j0 >= N) return;
    const j1 = min(j0 + entityUnit, N);
    tableGradient(B, unit, j0, j1, Np, d, q, dots, 0, gTable, 0);
    for (let j = j0; j < j1; j += 4) {
      let c4 = f32x4.splat(0), g4 = c4;
      const col = <usize>(j >> 2) * blk;
      for (let r0 = 0, run: usize = 0; r0 < B; r0 += unit, run += runBytes) {
        const rc = min(unit, B - r0);
        for (let i = 0; i < rc; i++) {
          const o = run + col + (<usize>i << 4);
          c4 = f32x4.add(c4, v128.load(part + o));
          if (gBias != 0) g4 = f32x4.add(g4, v128.load(gs + o));
        }
      }
      const nv = min(4, j1 - j);
      for (let l = 0; l < nv; l++) {
        const a = f32x4.splat(<f32>2 * laneOf(c4, l));
        const vp = table + <usize>(j + l) * rowBytes, gp = gTable + <usize>(j + l) * rowBytes;
        for (let k: usize = 0; k < rowBytes; k += 16) v128.store(gp + k, madd(a, v128.load(vp + k), v128.load(gp + k)));
        if (gBias != 0) {
          const bp = gBias + (<usize>(j + l) << 2);
          store<f32>(bp, load<f32>(bp) + laneOf(g4, l));
        }
      }
    }
  }
}
