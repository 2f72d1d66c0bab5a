// The Poincaré similarity (kind 3) over B queries × M candidates: per query, candidates go four at a time
// through poincare4 (one per f32x4 lane); a last group of fewer than four repeats its last candidate in the
// unused lanes (their results are dropped and their dscore is taken as 0).
import { dot, dot2, dot2Second, zeroRow, madd } from './simd';
import { poincare4, pS_c, pS_v2, pS_x2, pS_xv } from './poincare';

/** Second and later results of `gatherDots4`. */
export let gP: v128 = f32x4(0, 0, 0, 0);

/** Row offset (bytes) of candidate min(j, M − 1) of the query whose candidates start at index `base`. */
@inline export function rowOffset(cand: usize, base: usize, j: i32, M: i32, bytes: usize): usize {
  const jj = j < M ? j : M - 1;
  return <usize>load<i32>(cand + ((base + <usize>jj) << 2)) * bytes;
}

/** V = ‖v‖² of candidates j..j+3 (returned) and P = q·v (in gP), one lane each. */
@inline export function gatherDots4(qp: usize, table: usize, cand: usize, base: usize, j: i32, M: i32, bytes: usize): v128 {
  let V = f32x4.splat(dot2(table + rowOffset(cand, base, j, M, bytes), qp, bytes));
  let P = f32x4.splat(dot2Second);
  V = f32x4.replace_lane(V, 1, dot2(table + rowOffset(cand, base, j + 1, M, bytes), qp, bytes));
  P = f32x4.replace_lane(P, 1, dot2Second);
  V = f32x4.replace_lane(V, 2, dot2(table + rowOffset(cand, base, j + 2, M, bytes), qp, bytes));
  P = f32x4.replace_lane(P, 2, dot2Second);
  V = f32x4.replace_lane(V, 3, dot2(table + rowOffset(cand, base, j + 3, M, bytes), qp, bytes));
  gP = f32x4.replace_lane(P, 3, dot2Second);
  return V;
}

/** Poincaré forward: out[b·M + j] = −d_c(q_b, expmap0(v_j))². */
export function poincareForward(B: i32, M: i32, d: i32, q: usize, cand: usize, table: usize, c: usize,
  out: usize): void {
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
      storeLanes(out + ((base + <usize>j) << 2), poincare4(Xv, omcx, cv, ccv, m4c, V, gP, false), M - j);
    }
  }
}

/** Stores the first min(n, 4) lanes of s at o. */
@inline export function storeLanes(o: usize, s: v128, n: i32): void {
  if (n >= 4) {
    v128.store(o, s);
  } else {
    store<f32>(o, f32x4.extract_lane(s, 0));
    if (n > 1) store<f32>(o, f32x4.extract_lane(s, 1), 4);
    if (n > 2) store<f32>(o, f32x4.extract_lane(s, 2), 8);
  }
}

/** dL/dq += bv·v and dL/dv += cv·v + dqq·q for one candidate row. */
@inline export function axpyPair(qp: usize, dqp: usize, vp: usize, gp: usize, bytes: usize, bv: f32, cv: f32,
  dqq: f32): void {
  const bvv = f32x4.splat(bv), cvv = f32x4.splat(cv), dqv = f32x4.splat(dqq);
  for (let k: usize = 0; k < bytes; k += 16) {
    const vk = v128.load(vp + k);
    v128.store(dqp + k, madd(bvv, vk, v128.load(dqp + k)));
    v128.store(gp + k, f32x4.add(v128.load(gp + k), madd(dqv, v128.load(qp + k), f32x4.mul(cvv, vk))));
  }
}

/** Poincaré backward: dq ← Σ_j G·ds/dq, gtable[cand] += G·ds/dv, dc ← Σ_j G·ds/dc (G = dscore). */
export function poincareBackward(B: i32, M: i32, d: i32, q: usize, cand: usize, table: usize, c: usize,
  dscore: usize, dq: usize, gtable: usize, dc: usize): void {
  const bytes = <usize>d << 2;
  for (let b = 0; b < B; b++) {
    const qp = q + <usize>b * bytes;
    const dqp = dq + <usize>b * bytes;
    zeroRow(dqp, bytes);
    const base = <usize>b * <usize>M;
    const cb = load<f32>(c + (<usize>b << 2));
    const X = dot(qp, qp, bytes);
    const Xv = f32x4.splat(X), cv = f32x4.splat(cb), omcx = f32x4.splat(1 - cb * X);
    const ccv = f32x4.splat(cb * cb), m4c = f32x4.splat(-4 / cb);
    let aq = f32x4.splat(0), dcb = f32x4.splat(0);
    for (let j = 0; j < M; j += 4) {
      const V = gatherDots4(qp, table, cand, base, j, M, bytes);
      poincare4(Xv, omcx, cv, ccv, m4c, V, gP, true);
      const ds = dscore + ((base + <usize>j) << 2);
      let G: v128;
      if (j + 4 <= M) {
        G = v128.load(ds);
      } else {
        G = f32x4.splat(0);
        G = f32x4.replace_lane(G, 0, load<f32>(ds));
        if (j + 1 < M) G = f32x4.replace_lane(G, 1, load<f32>(ds, 4));
        if (j + 2 < M) G = f32x4.replace_lane(G, 2, load<f32>(ds, 8));
      }
      aq = madd(G, pS_x2, aq);
      dcb = madd(G, pS_c, dcb);
      const bv = f32x4.mul(G, pS_xv); // coefficient of v in dL/dq and of q in dL/dv
      const cvv = f32x4.mul(f32x4.add(G, G), pS_v2); // coefficient of v in dL/dv
      let o = rowOffset(cand, base, j, M, bytes);
      axpyPair(qp, dqp, table + o, gtable + o, bytes, f32x4.extract_lane(bv, 0), f32x4.extract_lane(cvv, 0),
        f32x4.extract_lane(bv, 0));
      if (j + 1 < M) {
        o = rowOffset(cand, base, j + 1, M, bytes);
        axpyPair(qp, dqp, table + o, gtable + o, bytes, f32x4.extract_lane(bv, 1), f32x4.extract_lane(cvv, 1),
          f32x4.extract_lane(bv, 1));
      }
      if (j + 2 < M) {
        o = rowOffset(cand, base, j + 2, M, bytes);
        axpyPair(qp, dqp, table + o, gtable + o, bytes, f32x4.extract_lane(bv, 2), f32x4.extract_lane(cvv, 2),
          f32x4.extract_lane(bv, 2));
      }
      if (j + 3 < M) {
        o = rowOffset(cand, base, j + 3, M, bytes);
        axpyPair(qp, dqp, table + o, gtable + o, bytes, f32x4.extract_lane(bv, 3), f32x4.extract_lane(cvv, 3),
          f32x4.extract_lane(bv, 3));
      }
    }
    // dL/dq += 2·Σ_j G·s_x2 · q
    const a: f32 = <f32>2 * (f32x4.extract_lane(aq, 0) + f32x4.extract_lane(aq, 1) + f32x4.extract_lane(aq, 2) +
      f32x4.extract_lane(aq, 3));
    const av = f32x4.splat(a);
    for (let k: usize = 0; k < bytes; k += 16) {
      v128.store(dqp + k, madd(av, v128.load(qp + k), v128.load(dqp + k)));
    }
    if (dc != 0) {
      store<f32>(dc + (<usize>b << 2), f32x4.extract_lane(dcb, 0) + f32x4.extract_lane(dcb, 1) +
        f32x4.extract_lane(dcb, 2) + f32x4.extract_lane(dcb, 3));
    }
  }
}
