// Float64 reference implementations of every kernel in build/kernels.wasm: the readable spec, used by the tests.
// The Poincaré score is computed the textbook way (expmap0, then Möbius addition as vectors), independently of the
// kernels' closed form in (‖q‖², ‖v‖², q·v); its partials follow the hand derivation in assembly/poincare.ts.
// Those ball maps, the Poincaré distance and the two L1 distances are ball-f64.ts's (shared with the explorer's
// projection), re-exported here for the tests (negL1Ref and negModulusL1Ref under their oracle names).
import { SimilarityKind } from './kernels.js';
import { D_MIN, dotv, EUC_EPS, expmap0, mobiusAdd, negL1, negModulusL1, poincareDistance, type Vec, Z_MAX } from './ball-f64.js';

export { D_MIN, EUC_EPS, expmap0, mobiusAdd, negL1 as negL1Ref, negModulusL1 as negModulusL1Ref, poincareDistance, type Vec, Z_MAX };

/** A mutable numeric vector (updated in place by the optimiser references). */
export type MutVec = Float64Array | Float32Array | number[];

/** The subgradient of −‖q − v‖₁ in q_k: −sign(q_k − v_k), 0 where they are equal (in v_k it is the opposite). */
export function negL1GradQRef(qk: number, vk: number): number {
  return qk > vk ? -1 : qk < vk ? 1 : 0;
}

/** ∂/∂q of negModulusL1Ref: −Δre_i/|Δ_i| and −Δim_i/|Δ_i| (in v it is the opposite). */
export function negModulusL1GradQRef(q: Vec, v: Vec): Float64Array {
  const h = q.length / 2;
  const g = new Float64Array(q.length);
  for (let i = 0; i < h; i++) {
    const re = q[i] - v[i], im = q[h + i] - v[h + i];
    const m = Math.sqrt(Math.max(re * re + im * im, EUC_EPS));
    g[i] = -re / m;
    g[h + i] = -im / m;
  }
  return g;
}

/** s(q, v[, c]) of one pair; Poincaré: −d_c(q, expmap0(v))², d_c = (2/√c)·artanh(√c‖(−q) ⊕_c y‖) (Chami et al. 2020, eq. (3)). */
export function similarityRef(kind: SimilarityKind, q: Vec, v: Vec, c = 1): number {
  const d = q.length;
  if (kind === SimilarityKind.Dot) return dotv(q, 0, v, 0, d);
  if (kind === SimilarityKind.NegL1) return negL1(q, v);
  if (kind === SimilarityKind.NegModulusL1) return negModulusL1(q, v);
  if (kind === SimilarityKind.NegSqEuclidean || kind === SimilarityKind.NegEuclidean) {
    let a = 0;
    for (let k = 0; k < d; k++) a += (q[k] - v[k]) ** 2;
    return kind === SimilarityKind.NegSqEuclidean ? -a : -Math.sqrt(Math.max(a, EUC_EPS));
  }
  const dist = poincareDistance(q, expmap0(v, c), c);
  return -dist * dist;
}

/** s and its partials ∂s/∂x2, ∂s/∂v2, ∂s/∂xv, ∂s/∂c as functions of x2 = ‖q‖², v2 = ‖v‖², xv = q·v. */
export interface Partials { s: number; sX: number; sV: number; sP: number; sc: number }

/** Partials of each kind (derivations in assembly/similarity.ts and assembly/poincare.ts). */
export function similarityPartialsRef(kind: SimilarityKind, X: number, V: number, P: number, c = 1): Partials {
  if (kind === SimilarityKind.NegL1 || kind === SimilarityKind.NegModulusL1) {
    throw new Error('NegL1 and NegModulusL1 are not functions of ‖q‖², ‖v‖², q·v: see negL1GradQRef, negModulusL1GradQRef');
  }
  if (kind === SimilarityKind.Dot) return { s: P, sX: 0, sV: 0, sP: 1, sc: 0 };
  const A = X + V - 2 * P;
  if (kind === SimilarityKind.NegSqEuclidean) return { s: -A, sX: -1, sV: -1, sP: 2, sc: 0 };
  if (kind === SimilarityKind.NegEuclidean) {
    const r = Math.sqrt(Math.max(A, EUC_EPS));
    const sA = -0.5 / r;
    return { s: -r, sX: sA, sV: sA, sP: -2 * sA, sc: 0 };
  }
  const cV = c * V, t = Math.sqrt(cV);
  const g = t < 1e-4 ? 1 - cV / 3 : Math.tanh(t) / t;
  const h = t < 0.05
    ? -2 / 3 + cV * (8 / 15 - cV * (34 / 105 - cV * (496 / 2835)))
    : (t * (1 - Math.tanh(t) ** 2) - Math.tanh(t)) / t ** 3; // g'(t)/t
  const Y = g * g * V, p = g * P;
  const Ap = Math.max(X + Y - 2 * p, 0);
  const D = Math.max(1 - 2 * c * p + c * c * X * Y, D_MIN);
  const w = (c * Ap) / D, z = Math.sqrt(w), zc = Math.min(z, Z_MAX);
  const at = Math.atanh(zc);
  const s = (-4 / c) * at * at;
  const R = z < 1e-4 ? 1 + w / 3 : at / z; // artanh(z)/z
  const sw = ((-4 / c) * R) / (1 - zc * zc);
  const sA = (sw * c) / D, sD = (-sw * w) / D;
  const sY = sA + sD * c * c * X, sp = -2 * sA - 2 * c * sD;
  return {
    s,
    sX: sA + sD * c * c * Y,
    sV: sY * (g * g + c * g * V * h) + sp * P * 0.5 * c * h,
    sP: sp * g,
    sc: -s / c + (sw * Ap) / D + sD * (2 * c * X * Y - 2 * p) + sY * g * V * V * h + sp * P * 0.5 * V * h,
  };
}

/** Reference of similarityForward: scores [B×M] of each query against its candidate rows. */
export function similarityForwardRef(kind: SimilarityKind, B: number, M: number, d: number, q: Vec, cand: Vec,
  table: Vec, c: Vec | null): Float64Array {
  const out = new Float64Array(B * M);
  for (let b = 0; b < B; b++) {
    const qb = Array.from({ length: d }, (_, k) => q[b * d + k]);
    for (let j = 0; j < M; j++) {
      const r = cand[b * M + j];
      const v = Array.from({ length: d }, (_, k) => table[r * d + k]);
      out[b * M + j] = similarityRef(kind, qb, v, c === null ? 1 : c[b]);
    }
  }
  return out;
}

/** Reference of similarityBackward: dq [B×d], the dL/dv contributions gtable [N×d] (starting from 0), dc [B]. */
export function similarityBackwardRef(kind: SimilarityKind, B: number, M: number, d: number, q: Vec, cand: Vec,
  table: Vec, c: Vec | null, dscore: Vec): { dq: Float64Array; gtable: Float64Array; dc: Float64Array } {
  const dq = new Float64Array(B * d), gtable = new Float64Array(table.length), dc = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    const X = dotv(q, b * d, q, b * d, d);
    for (let j = 0; j < M; j++) {
      const r = cand[b * M + j], G = dscore[b * M + j];
      if (kind === SimilarityKind.NegL1 || kind === SimilarityKind.NegModulusL1) { // ∂s/∂v = −∂s/∂q
        const qb = Array.from({ length: d }, (_, k) => q[b * d + k]), v = Array.from({ length: d }, (_, k) => table[r * d + k]);
        const grad = kind === SimilarityKind.NegL1 ? qb.map((x, k) => negL1GradQRef(x, v[k]!)) : negModulusL1GradQRef(qb, v);
        for (let k = 0; k < d; k++) {
          dq[b * d + k] += G * grad[k]!;
          gtable[r * d + k] -= G * grad[k]!;
        }
        continue;
      }
      const V = dotv(table, r * d, table, r * d, d), P = dotv(q, b * d, table, r * d, d);
      const pt = similarityPartialsRef(kind, X, V, P, c === null ? 1 : c[b]);
      for (let k = 0; k < d; k++) {
        const qk = q[b * d + k], vk = table[r * d + k];
        dq[b * d + k] += G * (2 * pt.sX * qk + pt.sP * vk);
        gtable[r * d + k] += G * (2 * pt.sV * vk + pt.sP * qk);
      }
      dc[b] += G * pt.sc;
    }
  }
  return { dq, gtable, dc };
}

/** Adagrad step on rows (PyTorch): accum += g²; param −= lr·g/(√accum + eps); grad ← 0. */
export function adagradRowsRef(rows: Vec, d: number, param: MutVec, grad: MutVec, accum: MutVec, lr: number,
  eps = 1e-10): void {
  for (let i = 0; i < rows.length; i++) {
    for (let k = rows[i] * d; k < (rows[i] + 1) * d; k++) {
      accum[k] += grad[k] * grad[k];
      param[k] -= (lr * grad[k]) / (Math.sqrt(accum[k]) + eps);
      grad[k] = 0;
    }
  }
}

/** SparseAdam step on distinct rows (PyTorch): m, v updated lazily; bias correction with the global step. */
export function adamRowsRef(rows: Vec, d: number, param: MutVec, grad: MutVec, m: MutVec, v: MutVec, lr: number,
  beta1: number, beta2: number, eps: number, step: number): void {
  const stepSize = (lr * Math.sqrt(1 - beta2 ** step)) / (1 - beta1 ** step);
  for (let i = 0; i < rows.length; i++) {
    for (let k = rows[i] * d; k < (rows[i] + 1) * d; k++) {
      const g = grad[k];
      m[k] += (1 - beta1) * (g - m[k]);
      v[k] += (1 - beta2) * (g * g - v[k]);
      param[k] -= (stepSize * m[k]) / (Math.sqrt(v[k]) + eps);
      grad[k] = 0;
    }
  }
}

/** Dense Adam step (PyTorch torch.optim.Adam): param −= lr/(1−β1^t)·m/(√v/√(1−β2^t) + eps); grad ← 0. */
export function adamDenseRef(param: MutVec, grad: MutVec, m: MutVec, v: MutVec, lr: number, beta1: number,
  beta2: number, eps: number, step: number): void {
  const bc1 = 1 - beta1 ** step, bc2 = 1 - beta2 ** step;
  for (let k = 0; k < param.length; k++) {
    const g = grad[k];
    m[k] += (1 - beta1) * (g - m[k]);
    v[k] = beta2 * v[k] + (1 - beta2) * g * g;
    param[k] -= ((lr / bc1) * m[k]) / (Math.sqrt(v[k]) / Math.sqrt(bc2) + eps);
    grad[k] = 0;
  }
}

/** SGD step on rows: param −= lr·g; grad ← 0. */
export function sgdRowsRef(rows: Vec, d: number, param: MutVec, grad: MutVec, lr: number): void {
  for (let i = 0; i < rows.length; i++) {
    for (let k = rows[i] * d; k < (rows[i] + 1) * d; k++) {
      param[k] -= lr * grad[k];
      grad[k] = 0;
    }
  }
}

/** dst[i] = src[rows[i]]. */
export function gatherRowsRef(rows: Vec, d: number, src: Vec): Float64Array {
  const out = new Float64Array(rows.length * d);
  for (let i = 0; i < rows.length; i++) for (let k = 0; k < d; k++) out[i * d + k] = src[rows[i] * d + k];
  return out;
}

/** dst[rows[i]] += src[i] (repeats accumulate). */
export function scatterAddRowsRef(rows: Vec, d: number, src: Vec, dst: MutVec): void {
  for (let i = 0; i < rows.length; i++) for (let k = 0; k < d; k++) dst[rows[i] * d + k] += src[i * d + k];
}

/**
 * The sampled BCE loss of `sampledSoftplusLoss` with column 0 gold (KGEmb's negative-sampling loss, Chami et al. 2020,
 * at scale 1/(B·M)): scale·Σ [softplus(−s⁺) + Σ softplus(s⁻)], and dL/ds.
 */
export function sampledSoftplusLossRef(B: number, M: number, scores: Vec, scale: number): { loss: number; dscore: Float64Array } {
  const sp = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
  const sig = (x: number): number => 1 / (1 + Math.exp(-x));
  const dscore = new Float64Array(B * M);
  let loss = 0;
  for (let i = 0; i < B * M; i++) {
    const gold = i % M === 0, s = scores[i];
    loss += gold ? sp(-s) : sp(s);
    dscore[i] = (gold ? -sig(-s) : sig(s)) * scale;
  }
  return { loss: loss * scale, dscore };
}
