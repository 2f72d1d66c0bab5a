// Scores of query rows against all N entities in one pass (evaluation, prediction): the dot products by 4×8
// register tiles against the blocked table (dense-tiles.ts), then per f32x4 of four entities the similarity of
// similarity.ts / poincare.ts and the biases, written straight into the rows of the [B×N] output:
//   0 dot:            s = q·v
//   1 negSqEuclidean: s = −(x2 + v2 − 2q·v)
//   2 negEuclidean:   s = −√max(x2 + v2 − 2q·v, EUC_EPS)
//   3 negSqPoincare:  s = −d_c(q, expmap0(v))² by poincare4 (Chami et al. 2020, eq. (3))
//   4 negL1:          s = −Σ|q_i − v_i| by l1.ts's register tile in place of the dot products (x2, v2 unused)
//   5 negModulusL1:   s = −Σ_i |q_i − v_i| over complex coordinates (modulus-l1.ts), the same tile of l1.ts
// then s += colBias[j] and s += rowBias[b] (in that order, as the tfjs path adds them). Entities
// are taken in chunks of ENTITY_CHUNK so that a chunk of the blocked table stays in cache for all query tiles of a
// run of rows. Each score depends only on its query row and entity, so however the rows are shared between threads
// (a static split, or runs taken from a shared counter) no bit changes.
import { dotTile4x8, paddedEntities } from './dense-tiles';
import { poincare4 } from './poincare';
import { storeLanes } from './poincare-rows';
import { EUC_EPS } from './simd';
import { negDistanceTile4x8 } from './l1';

/** Entities per chunk of the blocked table (a multiple of 8; 1,024 entities at d = 32 are 128 KiB). */
const ENTITY_CHUNK: i32 = 1024;

/**
 * out[b·N + j] ← s(q_b, v_j) + colBias[j] + rowBias[b] for b < B, j < N. blocked: ⌈N/8⌉·2 blocks of the table;
 * x2 = ‖q‖² [B]; c [B] (kind 3 only); v2, colBias padded to Np = ⌈N/8⌉·8 floats; rowBias [B]; colBias, rowBias
 * may be 0 (absent); tile: 32 floats of scratch owned by the calling thread. With counter = 0 the call scores every
 * row; otherwise it takes runs of `unit` rows from the shared counter (an int32, 0 at the start, advanced
 * atomically) until none is left, so threads that call it together share the rows by how fast they go.
 */
export function denseScores(kind: i32, B: i32, N: i32, d: i32, q: usize, x2: usize, c: usize, rowBias: usize,
  blocked: usize, v2: usize, colBias: usize, tile: usize, out: usize, counter: usize, unit: i32): void {
  if (counter == 0) {
    scoreRows(kind, 0, B, N, d, q, x2, c, rowBias, blocked, v2, colBias, tile, out);
    return;
  }
  for (;;) {
    const r0 = atomic.add<i32>(counter, unit);
    if (r0 >= B) return;
    scoreRows(kind, r0, min(r0 + unit, B), N, d, q, x2, c, rowBias, blocked, v2, colBias, tile, out);
  }
}

/** denseScores for rows [r0, r1). */
function scoreRows(kind: i32, r0: i32, r1: i32, N: i32, d: i32, q: usize, x2: usize, c: usize, rowBias: usize,
  blocked: usize, v2: usize, colBias: usize, tile: usize, out: usize): void {
  const Np = paddedEntities(N);
  const rowBytes = <usize>d << 2, outRow = <usize>N << 2;
  const last = r1 - 1;
  const plain = kind == 0 && colBias == 0 && rowBias == 0;
  for (let jc = 0; jc < Np; jc += ENTITY_CHUNK) {
    const jEnd = min(jc + ENTITY_CHUNK, Np);
    for (let i = r0; i < r1; i += 4) { // rows past r1 repeat the last one (same values, same place)
      const i1 = <usize>min(i + 1, last), i2 = <usize>min(i + 2, last), i3 = <usize>min(i + 3, last);
      const rows = min(4, r1 - i);
      for (let jt = jc; jt < jEnd; jt += 8) {
        const e = blocked + ((<usize>(jt >> 2) * <usize>d) << 4);
        if (plain && jt + 8 <= N) { // plain dot products of whole tiles go straight to the output rows
          const col = out + (<usize>jt << 2);
          dotTile4x8(q + <usize>i * rowBytes, q + i1 * rowBytes, q + i2 * rowBytes, q + i3 * rowBytes, e, d, 0, 1,
            col + <usize>i * outRow, col + i1 * outRow, col + i2 * outRow, col + i3 * outRow, 16);
          continue;
        }
        const q0 = q + <usize>i * rowBytes, q1 = q + i1 * rowBytes, q2 = q + i2 * rowBytes, q3 = q + i3 * rowBytes;
        if (kind == 4) { // a constant `complex`: each call inlines its own loop
          negDistanceTile4x8(false, q0, q1, q2, q3, e, d, tile, tile + 32, tile + 64, tile + 96, 16);
        } else if (kind == 5) {
          negDistanceTile4x8(true, q0, q1, q2, q3, e, d, tile, tile + 32, tile + 64, tile + 96, 16);
        } else {
          dotTile4x8(q + <usize>i * rowBytes, q + i1 * rowBytes, q + i2 * rowBytes, q + i3 * rowBytes, e, d, 0, 1,
            tile, tile + 32, tile + 64, tile + 96, 16);
        }
        for (let r = 0; r < rows; r++) {
          const b = i + r;
          const o = out + <usize>b * outRow + (<usize>jt << 2);
          const t = tile + (<usize>r << 5);
          finishLanes(kind, b, jt, N, x2, c, rowBias, v2, colBias, v128.load(t), o);
          if (jt + 4 < N) finishLanes(kind, b, jt + 4, N, x2, c, rowBias, v2, colBias, v128.load(t, 16), o + 16);
        }
      }
    }
  }
}

/**
 * Turns the dot products P of query b with entities j … j + 3 into scores (kinds 4, 5: P already holds them) and stores
 * the lanes below N at o.
 */
@inline function finishLanes(kind: i32, b: i32, j: i32, N: i32, x2: usize, c: usize, rowBias: usize, v2: usize,
  colBias: usize, P: v128, o: usize): void {
  let s = P;
  if (kind >= 1 && kind <= 3) {
    const X = load<f32>(x2 + (<usize>b << 2));
    const Xv = f32x4.splat(X);
    const V = v128.load(v2 + (<usize>j << 2));
    if (kind == 3) {
      const cb = load<f32>(c + (<usize>b << 2));
      s = poincare4(Xv, f32x4.splat(1 - cb * X), f32x4.splat(cb), f32x4.splat(cb * cb), f32x4.splat(-4 / cb), V, P, false);
    } else {
      const A = f32x4.sub(f32x4.add(Xv, V), f32x4.add(P, P));
      s = kind == 1 ? f32x4.neg(A) : f32x4.neg(f32x4.sqrt(f32x4.pmax(A, f32x4.splat(EUC_EPS))));
    }
  }
  if (colBias != 0) s = f32x4.add(s, v128.load(colBias + (<usize>j << 2)));
  if (rowBias != 0) s = f32x4.add(s, f32x4.splat(load<f32>(rowBias + (<usize>b << 2))));
  storeLanes(o, s, N - j);
}
