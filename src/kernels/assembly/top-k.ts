// The K best entities of every query in one pass over the entity table, without the [B×N] score matrix (MulDE's
// Junior picking its most confusable candidates, Wang et al. 2021, §3.2; also usable for prediction).
//
// The table is first copied by `blockTable` into a blocked transposed layout [⌈N/4⌉][d][4] (entity j's
// coordinate k at ((j >> 2)·d + k)·4 + (j & 3)), so that four entities' dot products with a query are d lane-wise
// multiply-adds. Scores are those of dense-scores.ts: s = sim(x2, v2, q·v[, c]) + colBias[j] + rowBias[b], or for kind 4
// (negL1) s = −‖q − v‖₁ + colBias[j] + rowBias[b] by l1.ts's block sums (kind 5, negModulusL1, the same sums
// over complex coordinates). A size-K
// min-heap per query (its K slots of outScores/outIds) keeps the best; an entity enters only when its score beats
// the heap's worst, so later entities never displace equal earlier ones (ties: the lower id wins). NaN scores
// count as −∞. On return each query's K slots are sorted by descending score (ties by ascending id).
import { poincare4 } from './poincare';
import { madd, EUC_EPS } from './simd';
import { negDistanceLanes } from './l1';

const NEG_INF: f32 = -Infinity;

/**
 * out[((i >> 2)·d + k)·4 + (i & 3)] = table[perm[i]·d + k] for i < N (perm = 0: the identity), zero in the padding
 * lanes of the last block.
 */
export function blockTable(N: i32, d: i32, table: usize, perm: usize, out: usize): void {
  const blocks = (N + 3) >> 2;
  memory.fill(out, 0, (<usize>blocks * <usize>d) << 4);
  for (let j = 0; j < N; j++) {
    const dst = out + ((<usize>(j >> 2) * <usize>d) << 4) + (<usize>(j & 3) << 2);
    const row = perm != 0 ? load<i32>(perm + (<usize>j << 2)) : j;
    const src = table + ((<usize>row * <usize>d) << 2);
    for (let k = 0; k < d; k++) store<f32>(dst + (<usize>k << 4), load<f32>(src + (<usize>k << 2)));
  }
}

/** Whether slot a is worse than slot b: lower score, or equal score and higher id. */
@inline export function worse(s: usize, ids: usize, a: i32, b: i32): bool {
  const sa = load<f32>(s + (<usize>a << 2)), sb = load<f32>(s + (<usize>b << 2));
  return sa < sb || (sa == sb && load<i32>(ids + (<usize>a << 2)) > load<i32>(ids + (<usize>b << 2)));
}

@inline export function swap(s: usize, ids: usize, a: i32, b: i32): void {
  const pa = <usize>a << 2, pb = <usize>b << 2;
  const ts = load<f32>(s + pa);
  store<f32>(s + pa, load<f32>(s + pb));
  store<f32>(s + pb, ts);
  const ti = load<i32>(ids + pa);
  store<i32>(ids + pa, load<i32>(ids + pb));
  store<i32>(ids + pb, ti);
}

/** Sorts a full heap of K slots into descending order (ties: lower id first): the worst goes last each round. */
export function heapSortDescending(s: usize, ids: usize, K: i32): void {
  for (let end = K - 1; end > 0; end--) {
    swap(s, ids, 0, end);
    siftDown(s, ids, 0, end);
  }
}

/**
 * Offers the four lane scores s of the entities at positions 4·blk … 4·blk + 3 (< N; their ids perm[i], or i when
 * perm = 0) to a heap of `size` of K slots (worst at the root): fills it first, then replaces the root with any
 * better score. Returns the new size.
 */
@inline export function offerLanes(s: v128, blk: i32, N: i32, perm: usize, hs: usize, hi: usize, size: i32, K: i32): i32 {
  let worst: f32 = size == K ? load<f32>(hs) : -Infinity;
  for (let l = 0; l < 4; l++) {
    const i = (blk << 2) + l;
    if (i >= N) break;
    const v = f32x4.extract_lane(s, 0);
    s = v128.shuffle<f32>(s, s, 1, 2, 3, 0);
    const id = perm != 0 ? load<i32>(perm + (<usize>i << 2)) : i;
    if (size < K) {
      store<f32>(hs + (<usize>size << 2), v);
      store<i32>(hi + (<usize>size << 2), id);
      siftUp(hs, hi, size);
      size++;
    } else if (v > worst) {
      store<f32>(hs, v);
      store<i32>(hi, id);
      siftDown(hs, hi, 0, K);
    } else {
      continue;
    }
    if (size == K) worst = load<f32>(hs);
  }
  return size;
}

/** Restores the min-heap property (worst at the root) below slot i of a heap of `size` slots. */
export function siftDown(s: usize, ids: usize, i: i32, size: i32): void {
  while (true) {
    const l = 2 * i + 1;
    if (l >= size) return;
    let m = l;
    if (l + 1 < size && worse(s, ids, l + 1, l)) m = l + 1;
    if (!worse(s, ids, m, i)) return;
    swap(s, ids, i, m);
    i = m;
  }
}

/** Moves the new last slot of a heap up to its place. */
export function siftUp(s: usize, ids: usize, i: i32): void {
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!worse(s, ids, i, p)) return;
    swap(s, ids, i, p);
    i = p;
  }
}

/**
 * For each query b: outIds/outScores[b·K, (b + 1)·K) ← its K best entities (kind as in similarity.ts; x2 = ‖q‖²;
 * c per query for kind 3; v2 and colBias padded to ⌈N/4⌉·4 floats; rowBias, colBias may be 0 = absent).
 */
export function topKScores(kind: i32, B: i32, N: i32, d: i32, K: i32, q: usize, x2: usize, c: usize, rowBias: usize,
  blocked: usize, v2: usize, colBias: usize, outIds: usize, outScores: usize): void {
  const blocks = (N + 3) >> 2;
  const lane = f32x4(0, 1, 2, 3);
  for (let b = 0; b < B; b++) {
    const qp = q + ((<usize>b * <usize>d) << 2);
    const hs = outScores + ((<usize>b * <usize>K) << 2), hi = outIds + ((<usize>b * <usize>K) << 2);
    const X = load<f32>(x2 + (<usize>b << 2));
    const Xv = f32x4.splat(X);
    let cv = Xv, omcx = Xv, ccv = Xv, m4c = Xv;
    if (kind == 3) {
      const cb = load<f32>(c + (<usize>b << 2));
      cv = f32x4.splat(cb);
      omcx = f32x4.splat(1 - cb * X);
      ccv = f32x4.splat(cb * cb);
      m4c = f32x4.splat(-4 / cb);
    }
    const off = f32x4.splat(rowBias != 0 ? load<f32>(rowBias + (<usize>b << 2)) : 0);
    let size = 0;
    let worst: f32 = NEG_INF;
    for (let blk = 0; blk < blocks; blk++) {
      let P = f32x4.splat(0);
      const base = blocked + ((<usize>blk * <usize>d) << 4);
      if (kind == 4) { // a constant `complex`: each call inlines its own loop
        P = negDistanceLanes(false, qp, base, d);
      } else if (kind == 5) {
        P = negDistanceLanes(true, qp, base, d);
      } else {
        for (let k = 0; k < d; k++) {
          P = madd(f32x4.splat(load<f32>(qp + (<usize>k << 2))), v128.load(base + (<usize>k << 4)), P);
        }
      }
      const o = <usize>blk << 4;
      let s = P;
      if (kind == 3) {
        s = poincare4(Xv, omcx, cv, ccv, m4c, v128.load(v2 + o), P, false);
      } else if (kind == 1 || kind == 2) {
        const A = f32x4.sub(f32x4.add(Xv, v128.load(v2 + o)), f32x4.add(P, P));
        s = kind == 1 ? f32x4.neg(A) : f32x4.neg(f32x4.sqrt(f32x4.pmax(A, f32x4.splat(EUC_EPS))));
      }
      if (colBias != 0) s = f32x4.add(s, v128.load(colBias + o));
      s = f32x4.add(s, off);
      // NaN and padding lanes (entity id ≥ N) → −∞
      const valid = v128.and(f32x4.eq(s, s), f32x4.lt(lane, f32x4.splat(<f32>(N - (blk << 2)))));
      s = v128.bitselect(s, f32x4.splat(NEG_INF), valid);
      if (size == K && !v128.any_true(f32x4.gt(s, f32x4.splat(worst)))) continue;
      size = offerLanes(s, blk, N, 0, hs, hi, size, K);
      if (size == K) worst = load<f32>(hs);
    }
    heapSortDescending(hs, hi, K);
  }
}
