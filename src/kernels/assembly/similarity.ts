// Sampled similarity kernels: score each of B queries against its M candidate rows, and the vector-Jacobian
// product. Kinds 0–3 are scalar functions s(x2, v2, xv[, c]) of x2 = ‖q‖², v2 = ‖v‖², xv = q·v, so
//   ds/dq = 2·s_x2·q + s_xv·v,   ds/dv = 2·s_v2·v + s_xv·q.
// Per kind (derivations; the Poincaré one is in poincare.ts):
//   0 dot:            s = xv                          s_x2 = 0, s_v2 = 0, s_xv = 1.
//   1 negSqEuclidean: s = −A, A = x2 + v2 − 2xv        s_x2 = s_v2 = −1, s_xv = 2  ⇒ ds/dq = −2(q − v) = −ds/dv.
//   2 negEuclidean:   s = −√max(A, EUC_EPS)            s_A = −1/(2√max(A, EUC_EPS)), s_x2 = s_v2 = s_A, s_xv = −2s_A
//                     ⇒ ds/dq = 2·s_A·(q − v): the true gradient for A > EUC_EPS, and below it the gradient of the
//                     linear continuation (→ 0 as q → v), finite everywhere.
//   3 negSqPoincare:  s = −d_c(q, expmap0(v))²         see poincare.ts (maths) and poincare-rows.ts (loops).
//   4 negL1:          s = −Σ|q_i − v_i|                not a function of (x2, v2, xv): the pair's distance and VJP
//                     are l1.ts's (`l1Dist`, `l1PairBackward`), called from the loops below.
//   5 negModulusL1:   s = −Σ_i |q_i − v_i| over d/2 complex coordinates [Re | Im]: likewise, modulus-l1.ts's
//                     (`modulusDist`, `modulusPairBackward`).
// For kinds 1 and 2, A is computed as Σ(q − v)² (one pass, no cancellation) rather than from x2 + v2 − 2xv.
import { dot, hsum, sqDist, zeroRow, madd, EUC_EPS } from './simd';
import { poincareBackward, poincareForward } from './poincare-rows';
import { l1Dist, l1PairBackward } from './l1';
import { modulusDist, modulusPairBackward } from './modulus-l1';

/** out[b·M + j] = s(q_b, table[cand[b·M + j]]) for the given kind; c (per query) is read only for kind 3. */
export function similarityForward(kind: i32, B: i32, M: i32, d: i32, q: usize, cand: usize, table: usize,
  c: usize, out: usize): void {
  if (kind == 3) {
    poincareForward(B, M, d, q, cand, table, c, out);
    return;
  }
  if (kind == 0) {
    dotForward(B, M, d, q, cand, table, out);
    return;
  }
  const bytes = <usize>d << 2;
  for (let b = 0; b < B; b++) {
    const qp = q + <usize>b * bytes;
    const base = <usize>b * <usize>M;
    for (let j = 0; j < M; j++) {
      const idx = base + <usize>j;
      const vp = table + <usize>load<i32>(cand + (idx << 2)) * bytes;
      let s: f32;
      if (kind == 0) {
        s = dot(qp, vp, bytes);
      } else if (kind == 1) {
        s = -sqDist(qp, vp, bytes);
      } else if (kind == 4) {
        s = -l1Dist(qp, vp, bytes);
      } else if (kind == 5) {
        s = -modulusDist(qp, vp, bytes);
      } else {
        s = -Mathf.sqrt(Mathf.max(sqDist(qp, vp, bytes), EUC_EPS));
      }
      store<f32>(out + (idx << 2), s);
    }
  }
}

/** Vector-Jacobian product of similarityForward: dq ← Σ_j dscore·ds/dq, gtable[cand] += dscore·ds/dv, dc ← Σ_j dscore·ds/dc. */
export function similarityBackward(kind: i32, B: i32, M: i32, d: i32, q: usize, cand: usize, table: usize,
  c: usize, dscore: usize, dq: usize, gtable: usize, dc: usize): void {
  if (kind == 3) {
    poincareBackward(B, M, d, q, cand, table, c, dscore, dq, gtable, dc);
    return;
  }
  if (kind == 0) {
    dotBackward(B, M, d, q, cand, table, dscore, dq, gtable);
    if (dc != 0) memory.fill(dc, 0, <usize>B << 2);
    return;
  }
  const bytes = <usize>d << 2;
  for (let b = 0; b < B; b++) {
    const qp = q + <usize>b * bytes;
    const dqp = dq + <usize>b * bytes;
    const base = <usize>b * <usize>M;
    zeroRow(dqp, bytes);
    let aq: f32 = 0; // Σ_j coefficient of q in dL/dq
    for (let j = 0; j < M; j++) {
      const idx = base + <usize>j;
      const G = load<f32>(dscore + (idx << 2));
      const rowOff = <usize>load<i32>(cand + (idx << 2)) * bytes;
      const vp = table + rowOff;
      const gp = gtable + rowOff;
      if (kind == 4 || kind == 5) { // not linear in q and v: their own VJPs (l1.ts, modulus-l1.ts)
        if (kind == 4) l1PairBackward(qp, vp, G, dqp, gp, bytes);
        else modulusPairBackward(qp, vp, G, dqp, gp, bytes);
        continue;
      }
      // dL/dq += a·q + bv·v ;  dL/dv += cv·v + dqq·q
      let a: f32, bv: f32, cv: f32, dqq: f32;
      if (kind == 0) {
        a = 0; bv = G; cv = 0; dqq = G;
      } else if (kind == 1) {
        a = -2 * G; bv = 2 * G; cv = -2 * G; dqq = 2 * G;
      } else {
        const sA: f32 = -0.5 / Mathf.sqrt(Mathf.max(sqDist(qp, vp, bytes), EUC_EPS));
        const e: f32 = 2 * G * sA;
        a = e; bv = -e; cv = e; dqq = -e; // ds/dq = 2s_A(q − v) = −ds/dv
      }
      aq += a;
      const bvv = f32x4.splat(bv);
      const cvv = f32x4.splat(cv);
      const dqv = f32x4.splat(dqq);
      for (let k: usize = 0; k < bytes; k += 16) {
        const vk = v128.load(vp + k);
        const qk = v128.load(qp + k);
        v128.store(dqp + k, madd(bvv, vk, v128.load(dqp + k)));
        v128.store(gp + k, f32x4.add(v128.load(gp + k), madd(dqv, qk, f32x4.mul(cvv, vk))));
      }
    }
    if (aq != 0) {
      const av = f32x4.splat(aq);
      for (let k: usize = 0; k < bytes; k += 16) {
        v128.store(dqp + k, madd(av, v128.load(qp + k), v128.load(dqp + k)));
      }
    }
    if (dc != 0) store<f32>(dc + (<usize>b << 2), 0);
  }
}

/**
 * similarityBackward of kind 0 (s = q·v): dq_b = Σ_j G_bj·v_j (in j order) and gtable[c_bj] += G_bj·q_b, by blocks
 * of 16 coordinates whose q and dq stay in registers across the M candidates (then 4 at a time for the rest).
 */
function dotBackward(B: i32, M: i32, d: i32, q: usize, cand: usize, table: usize, dscore: usize, dq: usize, gtable: usize): void {
  const bytes = <usize>d << 2;
  for (let b = 0; b < B; b++) {
    const qp = q + <usize>b * bytes, dqp = dq + <usize>b * bytes;
    const first = <usize>b * <usize>M, last = first + <usize>M;
    let k: usize = 0;
    for (; k + 64 <= bytes; k += 64) {
      const q0 = v128.load(qp + k), q1 = v128.load(qp + k, 16), q2 = v128.load(qp + k, 32), q3 = v128.load(qp + k, 48);
      let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
      for (let idx = first; idx < last; idx++) {
        const g = v128.load32_splat(dscore + (idx << 2));
        const off = <usize>load<i32>(cand + (idx << 2)) * bytes + k;
        const vp = table + off, gp = gtable + off;
        a0 = madd(g, v128.load(vp), a0);
        a1 = madd(g, v128.load(vp, 16), a1);
        a2 = madd(g, v128.load(vp, 32), a2);
        a3 = madd(g, v128.load(vp, 48), a3);
        v128.store(gp, madd(g, q0, v128.load(gp)));
        v128.store(gp, madd(g, q1, v128.load(gp, 16)), 16);
        v128.store(gp, madd(g, q2, v128.load(gp, 32)), 32);
        v128.store(gp, madd(g, q3, v128.load(gp, 48)), 48);
      }
      v128.store(dqp + k, a0);
      v128.store(dqp + k, a1, 16);
      v128.store(dqp + k, a2, 32);
      v128.store(dqp + k, a3, 48);
    }
    for (; k < bytes; k += 16) {
      const q0 = v128.load(qp + k);
      let a0 = f32x4.splat(0);
      for (let idx = first; idx < last; idx++) {
        const g = v128.load32_splat(dscore + (idx << 2));
        const off = <usize>load<i32>(cand + (idx << 2)) * bytes + k;
        a0 = madd(g, v128.load(table + off), a0);
        v128.store(gtable + off, madd(g, q0, v128.load(gtable + off)));
      }
      v128.store(dqp + k, a0);
    }
  }
}

/**
 * similarityForward of kind 0 (s = q·v) by blocks of 32 coordinates whose q stays in eight registers across the M
 * candidates, summed as simd.ts `dot` sums (two accumulators, even and odd 4-lanes, so d = 32 gives dot's bits);
 * a block's sum is added to the score; coordinates past the last block go through `dot`.
 */
function dotForward(B: i32, M: i32, d: i32, q: usize, cand: usize, table: usize, out: usize): void {
  const bytes = <usize>d << 2;
  const blocked = bytes & ~(<usize>127);
  for (let b = 0; b < B; b++) {
    const qp = q + <usize>b * bytes;
    const first = <usize>b * <usize>M, last = first + <usize>M;
    for (let k: usize = 0; k < blocked; k += 128) {
      const q0 = v128.load(qp + k), q1 = v128.load(qp + k, 16), q2 = v128.load(qp + k, 32), q3 = v128.load(qp + k, 48);
      const q4 = v128.load(qp + k, 64), q5 = v128.load(qp + k, 80), q6 = v128.load(qp + k, 96), q7 = v128.load(qp + k, 112);
      for (let idx = first; idx < last; idx++) {
        const vp = table + <usize>load<i32>(cand + (idx << 2)) * bytes + k;
        let a0 = f32x4.mul(q0, v128.load(vp)), a1 = f32x4.mul(q1, v128.load(vp, 16));
        a0 = madd(q2, v128.load(vp, 32), a0);
        a1 = madd(q3, v128.load(vp, 48), a1);
        a0 = madd(q4, v128.load(vp, 64), a0);
        a1 = madd(q5, v128.load(vp, 80), a1);
        a0 = madd(q6, v128.load(vp, 96), a0);
        a1 = madd(q7, v128.load(vp, 112), a1);
        const partial = hsum(f32x4.add(a0, a1));
        const op = out + (idx << 2);
        store<f32>(op, k == 0 ? partial : load<f32>(op) + partial);
      }
    }
    if (blocked < bytes) {
      for (let idx = first; idx < last; idx++) {
        const vp = table + <usize>load<i32>(cand + (idx << 2)) * bytes + blocked;
        const rest = dot(qp + blocked, vp, bytes - blocked);
        const op = out + (idx << 2);
        store<f32>(op, blocked == 0 ? rest : load<f32>(op) + rest);
      }
    }
  }
}
