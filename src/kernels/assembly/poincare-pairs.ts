// The Poincaré similarity (kind 3) of n queries with ONE candidate each (KGEmb's --double_neg layout): four
// queries per call of poincare4, one per f32x4 lane, instead of poincare-rows.ts's four candidates of one query
// (which, with a single candidate, would compute the same pair four times). The maths is poincare4's, lane by
// lane, so results equal similarityForward/similarityBackward with M = 1. A last group of fewer than four
// queries repeats its last query in the unused lanes (their results are dropped, their dscore taken as 0).
import { dot, dot2, dot2Second } from './simd';
import { poincare4, pS_c, pS_v2, pS_x2, pS_xv } from './poincare';

/** Lane inputs of the last `lanes4` call: ‖q‖², ‖v‖², q·v and c of four (query, candidate) pairs. */
let lX: v128 = f32x4(0, 0, 0, 0);
let lV: v128 = f32x4(0, 0, 0, 0);
let lP: v128 = f32x4(0, 0, 0, 0);
let lC: v128 = f32x4(0, 0, 0, 0);

/** The query of lane position i: i itself, or the last query n − 1 for padding lanes. */
@inline function pairIndex(i: i32, n: i32): i32 {
  return i < n ? i : n - 1;
}

/** Fills lX, lV, lP, lC for queries i..i+3 (clamped to n − 1). */
@inline function lanes4(i: i32, n: i32, d: i32, q: usize, cand: usize, table: usize, c: usize): void {
  const bytes = <usize>d << 2;
  for (let l = 0; l < 4; l++) {
    const b = pairIndex(i + l, n);
    const qp = q + <usize>b * bytes;
    const vp = table + <usize>load<i32>(cand + (<usize>b << 2)) * bytes;
    const X = dot(qp, qp, bytes);
    const V = dot2(vp, qp, bytes);
    const cb = load<f32>(c + (<usize>b << 2));
    if (l == 0) {
      lX = f32x4.splat(X); lV = f32x4.splat(V); lP = f32x4.splat(dot2Second); lC = f32x4.splat(cb);
    } else if (l == 1) {
      lX = f32x4.replace_lane(lX, 1, X); lV = f32x4.replace_lane(lV, 1, V);
      lP = f32x4.replace_lane(lP, 1, dot2Second); lC = f32x4.replace_lane(lC, 1, cb);
    } else if (l == 2) {
      lX = f32x4.replace_lane(lX, 2, X); lV = f32x4.replace_lane(lV, 2, V);
      lP = f32x4.replace_lane(lP, 2, dot2Second); lC = f32x4.replace_lane(lC, 2, cb);
    } else {
      lX = f32x4.replace_lane(lX, 3, X); lV = f32x4.replace_lane(lV, 3, V);
      lP = f32x4.replace_lane(lP, 3, dot2Second); lC = f32x4.replace_lane(lC, 3, cb);
    }
  }
}

/** s over the lanes of lanes4 (with the per-query splats of poincareForward formed per lane). */
@inline function score4(grad: bool): v128 {
  const one = f32x4.splat(1);
  const omcx = f32x4.sub(one, f32x4.mul(lC, lX));
  const m4c = f32x4.div(f32x4.splat(-4), lC);
  return poincare4(lX, omcx, lC, f32x4.mul(lC, lC), m4c, lV, lP, grad);
}

/** out[i] = −d_c(q_i, expmap0(table[cand[i]]))² for i < n (c per query). */
export function poincarePairsForward(n: i32, d: i32, q: usize, cand: usize, table: usize, c: usize, out: usize): void {
  for (let i = 0; i < n; i += 4) {
    lanes4(i, n, d, q, cand, table, c);
    const s = score4(false);
    const o = out + (<usize>i << 2);
    store<f32>(o, f32x4.extract_lane(s, 0));
    if (i + 1 < n) store<f32>(o, f32x4.extract_lane(s, 1), 4);
    if (i + 2 < n) store<f32>(o, f32x4.extract_lane(s, 2), 8);
    if (i + 3 < n) store<f32>(o, f32x4.extract_lane(s, 3), 12);
  }
}

/** dq_i ← G_i·ds/dq (overwritten), gtable[cand[i]] += G_i·ds/dv, dc_i ← G_i·ds/dc (overwritten), G = dscore. */
@inline function pairBackward(b: i32, d: i32, q: usize, cand: usize, table: usize, dq: usize, gtable: usize,
  dc: usize, G: f32, sx2: f32, sv2: f32, sxv: f32, sc: f32): void {
  const bytes = <usize>d << 2;
  const qp = q + <usize>b * bytes, dqp = dq + <usize>b * bytes;
  const rowOff = <usize>load<i32>(cand + (<usize>b << 2)) * bytes;
  const vp = table + rowOff, gp = gtable + rowOff;
  const aq = f32x4.splat(2 * G * sx2), bv = f32x4.splat(G * sxv), cv = f32x4.splat(2 * G * sv2);
  for (let k: usize = 0; k < bytes; k += 16) {
    const qk = v128.load(qp + k), vk = v128.load(vp + k);
    v128.store(dqp + k, f32x4.add(f32x4.mul(aq, qk), f32x4.mul(bv, vk)));
    v128.store(gp + k, f32x4.add(v128.load(gp + k), f32x4.add(f32x4.mul(cv, vk), f32x4.mul(bv, qk))));
  }
  if (dc != 0) store<f32>(dc + (<usize>b << 2), G * sc);
}

/** VJP of poincarePairsForward (ds/dq = 2s_x2·q + s_xv·v, ds/dv = 2s_v2·v + s_xv·q, as similarity.ts). */
export function poincarePairsBackward(n: i32, d: i32, q: usize, cand: usize, table: usize, c: usize, dscore: usize,
  dq: usize, gtable: usize, dc: usize): void {
  for (let i = 0; i < n; i += 4) {
    lanes4(i, n, d, q, cand, table, c);
    score4(true);
    const ds = dscore + (<usize>i << 2);
    pairBackward(i, d, q, cand, table, dq, gtable, dc, load<f32>(ds), f32x4.extract_lane(pS_x2, 0),
      f32x4.extract_lane(pS_v2, 0), f32x4.extract_lane(pS_xv, 0), f32x4.extract_lane(pS_c, 0));
    if (i + 1 < n) {
      pairBackward(i + 1, d, q, cand, table, dq, gtable, dc, load<f32>(ds, 4), f32x4.extract_lane(pS_x2, 1),
        f32x4.extract_lane(pS_v2, 1), f32x4.extract_lane(pS_xv, 1), f32x4.extract_lane(pS_c, 1));
    }
    if (i + 2 < n) {
      pairBackward(i + 2, d, q, cand, table, dq, gtable, dc, load<f32>(ds, 8), f32x4.extract_lane(pS_x2, 2),
        f32x4.extract_lane(pS_v2, 2), f32x4.extract_lane(pS_xv, 2), f32x4.extract_lane(pS_c, 2));
    }
    if (i + 3 < n) {
      pairBackward(i + 3, d, q, cand, table, dq, gtable, dc, load<f32>(ds, 12), f32x4.extract_lane(pS_x2, 3),
        f32x4.extract_lane(pS_v2, 3), f32x4.extract_lane(pS_xv, 3), f32x4.extract_lane(pS_c, 3));
    }
  }
}
