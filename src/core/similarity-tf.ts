/**
 * The similarity functions in plain tfjs: the reference the fused kernels are tested against, the path native
 * backends train with, and (through a matrix product) the scorer of all entities for 1-N training and evaluation.
 *
 * Each similarity is a function of x2 = ‖q‖², v2 = ‖v‖², xv = q·v and, for the Poincaré one, the curvature c:
 * - dot:            s = xv
 * - negSqEuclidean: s = −(x2 + v2 − 2·xv)   (similarityPairs: −‖q − v‖², from the differences, no cancellation)
 * - negEuclidean:   s = −√(x2 + v2 − 2·xv)  (similarityPairs: −‖q − v‖)
 * - negSqPoincare:  s = −d_c(q, y)², y = exp₀ᶜ(v) = tanh(√c‖v‖)·v/(√c‖v‖) (candidates are stored in the tangent
 *   space at 0, as in Chami et al. 2020's code), d_c(x, y) = (2/√c)·artanh(√c‖(−x) ⊕_c y‖) (Chami et al. 2020,
 *   eq. (2)), with ‖(−x) ⊕_c y‖ written through ‖x‖², ‖y‖², x·y (Möbius addition, Ganea et al. 2018, eq. (4)).
 * Two more are no functions of those three: they are computed from the differences q − v (autodiff gives their
 * gradients) and have no matrix-product form, so the scores of all entities are made in runs of queries whose
 * [rows, d, N] differences stay under L1_CHUNK_FLOATS:
 * - negL1:          s = −Σ_i |q_i − v_i| (TransE's L1 dissimilarity, Bordes et al. 2013, eq. (1)); its subgradient
 *   is 0 where q_i = v_i, as the kernels' (tfjs's own |x|' is −1 at x = 0, which would move the zero columns of a
 *   padded table, core/table-padding.ts: `absWithZeroSubgradient`);
 * - negModulusL1:   s = −Σ_i √max((q_re,i − v_re,i)² + (q_im,i − v_im,i)², SQRT_FLOOR) over the d/2 complex
 *   coordinates of [Re | Im] rows (RotatE's distance with the L1 norm over complex moduli, Sun et al. 2019,
 *   eq. (2), as the authors' code; below the floor autodiff's gradient is 0, the kernels' that of the continuation).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { SimilarityName } from './model.js';

/** Floor for norms and denominators (float32). */
export const SIMILARITY_MIN_NORM = 1e-15;
/** Largest argument passed to artanh (float32: 1 − 1e-5 keeps artanh ≤ 6.1 and its gradient finite). */
export const ARTANH_MAX = 1 - 1e-5;
/**
 * min(x, ARTANH_MAX) with the identity's gradient: KGEmb's `Artanh` clamps its input inside the function, so past
 * the clamp the gradient is artanh' at the clamp times the true one (the fused kernel's too, kernels/assembly/
 * poincare.ts); tf.minimum's would be 0, leaving a pair pushed past the clamp without a pull.
 */
const clampToArtanhMax = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor;
  return { value: tf.minimum(x, ARTANH_MAX), gradFunc: (dy: tf.Tensor | tf.Tensor[]) => tf.clone(dy as tf.Tensor) };
});

/** Floor under the squared Euclidean distance before its square root. */
export const SQRT_FLOOR = 1e-12;
/** Most floats of the [rows, d, N] differences negL1 and negModulusL1 score all entities with at once (16 MB). */
export const L1_CHUNK_FLOATS = 1 << 22;

/** The similarities of the differences q − v: no functions of ‖q‖², ‖v‖², q·v, no matrix-product form. */
export type DifferenceSimilarity = 'negL1' | 'negModulusL1';

/** Whether a similarity is one of the differences q − v (negL1, negModulusL1), so has no matrix-product form. */
export function isDifferenceSimilarity(kind: SimilarityName): kind is DifferenceSimilarity {
  return kind === 'negL1' || kind === 'negModulusL1';
}

/** s from the three dot products; shapes broadcast (x2 [B,1], v2 [B,M] or [1,N], xv like v2, c [B,1]). */
export function similarityFromDots(kind: SimilarityName, x2: tf.Tensor, v2: tf.Tensor, xv: tf.Tensor, c?: tf.Tensor): tf.Tensor {
  switch (kind) {
    case 'negL1':
    case 'negModulusL1':
      throw new Error(`${kind} is not a function of ‖q‖², ‖v‖², q·v: score it with similarityPairs or similarityAll`);
    case 'dot':
      return xv;
    case 'negSqEuclidean':
      return tf.neg(tf.sub(tf.add(x2, v2), tf.mul(2, xv)));
    case 'negEuclidean':
      return tf.neg(tf.sqrt(tf.maximum(tf.sub(tf.add(x2, v2), tf.mul(2, xv)), SQRT_FLOOR)));
    case 'negSqPoincare': {
      if (!c) throw new Error('negSqPoincare needs a curvature per query');
      const sqrtC = tf.sqrt(c);
      const vNorm = tf.sqrt(tf.maximum(v2, SIMILARITY_MIN_NORM));
      const gamma = tf.div(tf.tanh(tf.mul(sqrtC, vNorm)), sqrtC); // ‖y‖
      const xy = tf.div(tf.mul(gamma, xv), vNorm); // x·y
      const y2 = tf.square(gamma);
      const c1 = tf.add(tf.sub(1, tf.mul(tf.mul(2, c), xy)), tf.mul(c, y2));
      const c2 = tf.sub(1, tf.mul(c, x2));
      const numSq = tf.sub(tf.add(tf.mul(tf.square(c1), x2), tf.mul(tf.square(c2), y2)), tf.mul(tf.mul(tf.mul(2, c1), c2), xy));
      const num = tf.sqrt(tf.maximum(numSq, SIMILARITY_MIN_NORM));
      const denom = tf.maximum(tf.add(tf.sub(1, tf.mul(tf.mul(2, c), xy)), tf.mul(tf.square(c), tf.mul(x2, y2))), SIMILARITY_MIN_NORM);
      const arg = clampToArtanhMax(tf.mul(sqrtC, tf.div(num, denom)));
      const artanh = tf.mul(0.5, tf.log(tf.div(tf.add(1, arg), tf.sub(1, arg))));
      const dist = tf.div(tf.mul(2, artanh), sqrtC);
      return tf.neg(tf.square(dist));
    }
  }
}

/** Similarity of each query q[b] with its own candidates cand[b, m] → [B, M]. */
export function similarityPairs(kind: SimilarityName, q: tf.Tensor2D, cand: tf.Tensor3D, c?: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    if (isDifferenceSimilarity(kind)) return negDistance(kind, tf.sub(tf.expandDims(q, 1), cand), 2) as tf.Tensor2D;
    if (kind === 'negSqEuclidean' || kind === 'negEuclidean') {
      // from the differences, as the kernels: x2 + v2 − 2·xv cancels when q ≈ v at large norms (‖q‖ = 1e3 and
      // ‖q − v‖ = 0.03 gave −1e-6 and a zero gradient); the matrix-product form stays for all entities
      const sq = tf.sum(tf.square(tf.sub(tf.expandDims(q, 1), cand)), 2);
      return (kind === 'negSqEuclidean' ? tf.neg(sq) : tf.neg(tf.sqrt(tf.maximum(sq, SQRT_FLOOR)))) as tf.Tensor2D;
    }
    const x2 = tf.sum(tf.square(q), 1, true);
    const v2 = tf.sum(tf.square(cand), 2);
    const xv = tf.sum(tf.mul(tf.expandDims(q, 1), cand), 2);
    return similarityFromDots(kind, x2, v2, xv, c) as tf.Tensor2D;
  });
}

/**
 * Similarity of each query with every row of a table → [B, N]. `tableT` is the table transposed, [d, N]
 * (the wasm backend's matMul is ~8× faster with the right-hand operand in that layout than with transposeB).
 */
export function similarityAll(kind: SimilarityName, q: tf.Tensor2D, tableT: tf.Tensor2D, c?: tf.Tensor2D): tf.Tensor2D {
  if (isDifferenceSimilarity(kind)) return negDistanceAll(kind, q, tableT);
  return tf.tidy(() => {
    const xv: tf.Tensor2D = tf.matMul(q, tableT);
    if (kind === 'dot') return xv;
    const x2 = tf.sum(tf.square(q), 1, true);
    const v2 = tf.sum(tf.square(tableT), 0, true);
    return similarityFromDots(kind, x2, v2, xv, c) as tf.Tensor2D;
  });
}

/**
 * s of the differences `diff`, whose coordinates run along `axis` (that axis summed away): −Σ|·| (negL1), or
 * −Σ_i |Δ_i| of the complex coordinates, real parts in the first half of the axis (negModulusL1).
 */
function negDistance(kind: DifferenceSimilarity, diff: tf.Tensor, axis: number): tf.Tensor {
  if (kind === 'negL1') return tf.neg(tf.sum(absWithZeroSubgradient(diff), axis));
  const [re, im] = tf.split(diff, 2, axis);
  return tf.neg(tf.sum(tf.sqrt(tf.maximum(tf.add(tf.square(re!), tf.square(im!)), SQRT_FLOOR)), axis));
}

/** |x| with the gradient dy·sign(x): 0 at x = 0 (the kernels' subgradient; tfjs's own is −1 there). */
const absWithZeroSubgradient = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor;
  (args[1] as tf.GradSaveFunc)([x]);
  return { value: tf.abs(x), gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => tf.mul(dy as tf.Tensor, tf.sign(saved[0]!)) };
}) as (x: tf.Tensor) => tf.Tensor;

/** s(q_b, e_j) of each query with every column of tableT [d, N] → [B, N], in runs of queries (L1_CHUNK_FLOATS). */
function negDistanceAll(kind: DifferenceSimilarity, q: tf.Tensor2D, tableT: tf.Tensor2D): tf.Tensor2D {
  const [B, d] = q.shape;
  const N = tableT.shape[1];
  const rows = Math.max(1, Math.floor(L1_CHUNK_FLOATS / Math.max(1, d * N)));
  return tf.tidy(() => {
    const table3 = tf.expandDims(tableT, 0); // [1, d, N]
    const parts: tf.Tensor2D[] = [];
    for (let start = 0; start < B; start += rows) {
      const n = Math.min(rows, B - start);
      const part = n === B ? q : tf.slice(q, [start, 0], [n, d]);
      parts.push(negDistance(kind, tf.sub(tf.expandDims(part, 2), table3), 1) as tf.Tensor2D);
    }
    return parts.length === 1 ? parts[0]! : tf.concat(parts, 0);
  });
}
