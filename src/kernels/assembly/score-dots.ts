// Scores against all entities from dot products, and the score biases of sampled candidates.
//
// `similarityFromDots` applies the scalar similarity s(x2, v2, xv[, c]) of similarity.ts / poincare.ts to a
// matrix of dot products xv = q·vᵀ [B×N] computed elsewhere (a tfjs matMul), in place, four entities per f32x4:
//   1 negSqEuclidean: s = −(x2 + v2 − 2xv)           (no floor, as the tfjs reference)
//   2 negEuclidean:   s = −√max(x2 + v2 − 2xv, EUC_EPS)
//   3 negSqPoincare:  s = −d_c(q, expmap0(v))² by poincare4 (Chami et al. 2020, eq. (3); guards in poincare.ts)
// Kind 0 (dot) leaves xv as it is; kinds 4 (negL1) and 5 (negModulusL1) are no functions of the dot products and
// trap (the wrapper refuses them first). Rows of xv need no alignment (v128 loads are unaligned).
import { poincare4 } from './poincare';
import { storeLanes } from './poincare-rows';
import { EUC_EPS } from './simd';

/** Loads min(n, 4) floats at p into lanes, repeating the last one in unused lanes. */
@inline function loadLanes(p: usize, n: i32): v128 {
  if (n >= 4) return v128.load(p);
  let v = f32x4.splat(load<f32>(p + (<usize>(n - 1) << 2)));
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (n > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (n > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

/** xv[b·N + j] ← s(x2[b], v2[j], xv[b·N + j], c[b]) for every query b and entity j (c read for kind 3 only). */
export function similarityFromDots(kind: i32, B: i32, N: i32, x2: usize, v2: usize, xv: usize, c: usize): void {
  if (kind == 0) return;
  if (kind == 4 || kind == 5) unreachable();
  for (let b = 0; b < B; b++) {
    const row = xv + ((<usize>b * <usize>N) << 2);
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
    for (let j = 0; j < N; j += 4) {
      const n = N - j;
      const o = <usize>j << 2;
      const V = loadLanes(v2 + o, n);
      const P = loadLanes(row + o, n);
      let s: v128;
      if (kind == 3) {
        s = poincare4(Xv, omcx, cv, ccv, m4c, V, P, false);
      } else {
        const A = f32x4.sub(f32x4.add(Xv, V), f32x4.add(P, P));
        s = kind == 1 ? f32x4.neg(A) : f32x4.neg(f32x4.sqrt(f32x4.pmax(A, f32x4.splat(EUC_EPS))));
      }
      storeLanes(row + o, s, n);
    }
  }
}

/** s[b·N + j] += colBias[j] (when colBias ≠ 0), then += rowBias[b] (when rowBias ≠ 0): tail biases, then head offsets. */
export function addScoreBiases(B: i32, N: i32, s: usize, rowBias: usize, colBias: usize): void {
  for (let b = 0; b < B; b++) {
    const row = s + ((<usize>b * <usize>N) << 2);
    const off = rowBias != 0 ? f32x4.splat(load<f32>(rowBias + (<usize>b << 2))) : f32x4.splat(0);
    for (let j = 0; j < N; j += 4) {
      const n = N - j;
      const o = <usize>j << 2;
      let v = loadLanes(row + o, n);
      if (colBias != 0) v = f32x4.add(v, loadLanes(colBias + o, n));
      if (rowBias != 0) v = f32x4.add(v, off);
      storeLanes(row + o, v, n);
    }
  }
}

/** Sampled scores [Q×M]: s[i] += bias[cand[i]] (when bias ≠ 0), then += offset[i / M] (when offset ≠ 0). */
export function addCandidateBiases(Q: i32, M: i32, s: usize, offset: usize, cand: usize, bias: usize): void {
  for (let q = 0; q < Q; q++) {
    const base = <usize>q * <usize>M;
    const off: f32 = offset != 0 ? load<f32>(offset + (<usize>q << 2)) : 0;
    for (let m = 0; m < M; m++) {
      const p = s + ((base + <usize>m) << 2);
      let v = load<f32>(p);
      if (bias != 0) v += load<f32>(bias + (<usize>load<i32>(cand + ((base + <usize>m) << 2)) << 2));
      if (offset != 0) v += off;
      store<f32>(p, v);
    }
  }
}

/** VJP of addCandidateBiases: doffset[q] ← Σ_m ds[q·M + m] (overwritten), gbias[cand[i]] += ds[i] (accumulated). */
export function candidateBiasBackward(Q: i32, M: i32, dscore: usize, doffset: usize, cand: usize, gbias: usize): void {
  for (let q = 0; q < Q; q++) {
    const base = <usize>q * <usize>M;
    let sum: f32 = 0;
    for (let m = 0; m < M; m++) {
      const i = (base + <usize>m) << 2;
      const g = load<f32>(dscore + i);
      sum += g;
      if (gbias != 0) {
        const p = gbias + (<usize>load<i32>(cand + i) << 2);
        store<f32>(p, load<f32>(p) + g);
      }
    }
    if (doffset != 0) store<f32>(doffset + (<usize>q << 2), sum);
  }
}
