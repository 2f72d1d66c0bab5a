// The Poincaré similarity (kind 3) for a training step that needs scores and then their gradient: the forward
// also stores the partials ∂s/∂x2, ∂s/∂v2, ∂s/∂xv, ∂s/∂c of every (query, candidate) pair (poincare.ts), so the
// backward only forms dL/dq, dL/dv, dL/dc from them (similarity.ts: ds/dq = 2s_x2·q + s_xv·v, ds/dv = 2s_v2·v +
// s_xv·q) instead of recomputing the dot products and poincare4 as poincareBackward does.
// Layouts: with M > 1, four candidates of one query per f32x4 (poincare-rows.ts); with M = 1 (KGEmb's
// --double_neg: one candidate per query) four queries per f32x4, so no lane computes the same pair twice.
// `partials` holds four planes of B·M floats: s_x2, s_v2, s_xv, s_c. Results equal similarityForward/Backward.
import { dot, dot2, dot2Second, madd } from './simd';
import { poincare4, pS_c, pS_v2, pS_x2, pS_xv } from './poincare';
import { axpyPair, gatherDots4, gP, storeLanes } from './poincare-rows';

/** Lane inputs of the last `queryLanes` call: ‖q‖², ‖v‖², q·v and c of four (query, candidate) pairs. */
let lX: v128 = f32x4(0, 0, 0, 0);
let lV: v128 = f32x4(0, 0, 0, 0);
let lP: v128 = f32x4(0, 0, 0, 0);
let lC: v128 = f32x4(0, 0, 0, 0);

/** Fills lX, lV, lP, lC for the one-candidate queries i..i+3 (padding lanes repeat query n − 1). */
@inline function queryLanes(i: i32, n: i32, d: i32, q: usize, cand: usize, table: usize, c: usize): void {
  const bytes = <usize>d << 2;
  for (let l = 0; l < 4; l++) {
    const b = i + l < n ? i + l : n - 1;
    const qp = q + <usize>b * bytes;
    const X = dot(qp, qp, bytes);
    const V = dot2(table + <usize>load<i32>(cand + (<usize>b << 2)) * bytes, qp, bytes);
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

/** Stores the first min(n, 4) lanes of s and of the four partials at pair index i. */
@inline function storePair4(out: usize, partials: usize, plane: usize, i: usize, s: v128, n: i32): void {
  const o = i << 2;
  storeLanes(out + o, s, n);
  storeLanes(partials + o, pS_x2, n);
  storeLanes(partials + plane + o, pS_v2, n);
  storeLanes(partials + 2 * plane + o, pS_xv, n);
  storeLanes(partials + 3 * plane + o, pS_c, n);
}

/** out[b·M + j] = −d_c(q_b, expmap0(table[cand[b·M + j]]))², and the partials of each score in `partials`. */
export function poincareScores(B: i32, M: i32, d: i32, q: usize, cand: usize, table: usize, c: usize, out: usize,
  partials: usize): void {
  const plane = (<usize>B * <usize>M) << 2;
  if (M == 1) {
    const one = f32x4.splat(1), m4 = f32x4.splat(-4);
    for (let i = 0; i < B; i += 4) {
      queryLanes(i, B, d, q, cand, table, c);
      const s = poincare4(lX, f32x4.sub(one, f32x4.mul(lC, lX)), lC, f32x4.mul(lC, lC), f32x4.div(m4, lC), lV, lP, true);
      storePair4(out, partials, plane, <usize>i, s, B - i);
    }
    return;
  }
  const bytes = <usize>d << 2;
  for (let b = 0; b < B; b++) {
    const qp = q + <usize>b * bytes;
    const base = <usize>b * <usize>M;
    const cb = load<f32>(c + (<usize>b << 2));
    const X = dot(qp, qp, bytes);
    const Xv = f32x4.splat(X), cv = f32x4.splat(cb), omcx = f32x4.splat(1 - cb * X);
    const ccv = f32x4.splat(cb * cb), m4c = f32x4.splat(-4 / cb);
    for (let j = 0; j < M; j += 4) {
      const V = gatherDots4(qp, table, cand, base, j, M, bytes);
      const s = poincare4(Xv, omcx, cv, ccv, m4c, V, gP, true);
      storePair4(out, partials, plane, base + <usize>j, s, M - j);
    }
  }
}

/** VJP from the stored partials: dq ← Σ_j G·ds/dq, dc ← Σ_j G·ds/dc (overwritten), gtable[cand] += G·ds/dv. */
export function poincareScoresBackward(B: i32, M: i32, d: i32, q: usize, cand: usize, table: usize, dscore: usize,
  partials: usize, dq: usize, gtable: usize, dc: usize): void {
  const bytes = <usize>d << 2;
  const plane = (<usize>B * <usize>M) << 2;
  for (let b = 0; b < B; b++) {
    const qp = q + <usize>b * bytes, dqp = dq + <usize>b * bytes;
    const base = <usize>b * <usize>M;
    let aq: f32 = 0, dcb: f32 = 0;
    for (let j = 0; j < M; j++) {
      const o = (base + <usize>j) << 2;
      const G = load<f32>(dscore + o);
      const sx2 = load<f32>(partials + o), sv2 = load<f32>(partials + plane + o);
      const sxv = load<f32>(partials + 2 * plane + o), sc = load<f32>(partials + 3 * plane + o);
      aq += G * sx2;
      dcb += G * sc;
      const rowOff = <usize>load<i32>(cand + o) * bytes;
      const bv = G * sxv;
      if (j == 0) { // first candidate: dq = bv·v (overwrite), gtable += (2G·s_v2)·v + bv·q
        const bvv = f32x4.splat(bv), cvv = f32x4.splat(2 * G * sv2);
        const vp = table + rowOff, gp = gtable + rowOff;
        for (let k: usize = 0; k < bytes; k += 16) {
          const vk = v128.load(vp + k);
          v128.store(dqp + k, f32x4.mul(bvv, vk));
          v128.store(gp + k, f32x4.add(v128.load(gp + k), madd(bvv, v128.load(qp + k), f32x4.mul(cvv, vk))));
        }
      } else {
        axpyPair(qp, dqp, table + rowOff, gtable + rowOff, bytes, bv, 2 * G * sv2, bv);
      }
    }
    const av = f32x4.splat(2 * aq);
    for (let k: usize = 0; k < bytes; k += 16) {
      v128.store(dqp + k, madd(av, v128.load(qp + k), v128.load(dqp + k)));
    }
    if (dc != 0) store<f32>(dc + (<usize>b << 2), dcb);
  }
}
