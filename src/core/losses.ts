/**
 * Training losses on score tensors (higher score = more plausible).
 */
import * as tf from '@tensorflow/tfjs-core';
import { stopGradient } from './stop-gradient.js';

/** softplus(s) − y·s of every entry: the terms of binary cross-entropy with logits (the one home of the formula). */
function binaryCrossEntropyTerms(scores: tf.Tensor, labels: tf.Tensor): tf.Tensor {
  return tf.sub(tf.softplus(scores), tf.mul(labels, scores));
}

/** Σ (softplus(s) − y·s) over every entry: binary cross-entropy with logits, summed. */
export function binaryCrossEntropyWithLogitsSum(scores: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.sum(binaryCrossEntropyTerms(scores, labels)) as tf.Scalar);
}

/**
 * Binary cross-entropy with logits, averaged over every entry: mean(softplus(s) − y·s).
 * With y = 1 for the gold column and 0 for sampled negatives this is the loss of Chami et al. 2020's code:
 * −mean(log σ(s⁺) ∪ log σ(−s⁻)) over all positive and negative scores together.
 */
export function binaryCrossEntropyWithLogits(scores: tf.Tensor2D, labels: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.div(binaryCrossEntropyWithLogitsSum(scores, labels), scores.size) as tf.Scalar);
}

/** The losses of sampled scoring (gold first, then N negatives per query). */
export type SampledLossName = 'bce' | 'nssa' | 'margin';

/**
 * The case of `name` among one case per sampled loss: every place that computes a loss by its name goes through
 * here, so that a new name is a type error at each of them until it is handled (a ternary ran it as another loss).
 */
export function bySampledLoss<T>(name: SampledLossName, cases: Record<SampledLossName, () => T>): T {
  const run = cases[name];
  if (typeof run !== 'function') throw new Error(`unknown sampled loss '${String(name)}'`);
  return run();
}

/** A sampled loss and its settings: margin γ (nssa, margin) and adversarial temperature α (nssa). */
export interface SampledLoss {
  loss: SampledLossName;
  margin: number;
  adversarialTemperature: number;
}

/** Binary cross-entropy with logits over gold-first scores, the default of sampled training. */
export const BCE_LOSS: SampledLoss = { loss: 'bce', margin: 0, adversarialTemperature: 1 };

/**
 * Self-adversarial negative sampling (Sun et al., ICLR 2019, eq. (5)), batch mean over scores [B, 1 + N] (gold first):
 *   L_b = ½[−log σ(γ + s⁺) − Σᵢ pᵢ log σ(−γ − sᵢ⁻)],  p = softmax(α·s⁻) held constant
 * (scores s = −distance for distance models, so γ + s⁺ = γ − d(h∘r, t) as in the paper; the ½ and the weighted sum
 * over each query's negatives as in the authors' code — PyKEEN 1.10.1's NSSALoss averages the weighted negative terms
 * over all B·N entries instead, 1/N of this negative part, so its γ and α do not carry over unchanged). The negatives
 * are drawn unfiltered (negative-sampler.ts, as Chami et al.'s code), where Sun et al.'s code leaves known true tails
 * out: a sampled true answer can take a large adversarial weight.
 */
export function selfAdversarialLoss(scores: tf.Tensor2D, margin: number, temperature: number): tf.Scalar {
  return tf.tidy(() => tf.mul(0.5, tf.mean(selfAdversarialTerms(scores, margin, temperature))) as tf.Scalar);
}

/** 2L_b of each query [B, 1] of the self-adversarial loss (selfAdversarialLoss). */
function selfAdversarialTerms(scores: tf.Tensor2D, margin: number, temperature: number): tf.Tensor {
  const [B, M] = scores.shape;
  const positive = tf.slice(scores, [0, 0], [B, 1]);
  const negative = tf.slice(scores, [0, 1], [B, M - 1]);
  const weights = tf.softmax(tf.mul(stopGradient(negative), temperature));
  // −log σ(x) = softplus(−x) (tf.logSigmoid's custom gradient does not survive a tidy scope on the tape)
  const pos = tf.softplus(tf.neg(tf.add(positive, margin)));
  const neg = tf.sum(tf.mul(weights, tf.softplus(tf.add(negative, margin))), 1, true);
  return tf.add(pos, neg);
}

/** Margin ranking (Bordes et al. 2013, eq. (2)) over scores [B, 1 + N] (gold first): mean over the B·N pairs of max(0, γ − s⁺ + s⁻). */
export function marginRankingLoss(scores: tf.Tensor2D, margin: number): tf.Scalar {
  return tf.tidy(() => tf.mean(marginRankingTerms(scores, margin)) as tf.Scalar);
}

/** max(0, γ − s⁺ + s⁻) of each pair [B, N] (marginRankingLoss); a NaN term stays NaN (relu would make it 0), so the step's loss check sees it. */
function marginRankingTerms(scores: tf.Tensor2D, margin: number): tf.Tensor {
  const [B, M] = scores.shape;
  const positive = tf.slice(scores, [0, 0], [B, 1]);
  const negative = tf.slice(scores, [0, 1], [B, M - 1]);
  const terms = tf.add(tf.sub(negative, positive), margin);
  return tf.where(tf.isNaN(terms), terms, tf.relu(terms));
}

/**
 * The weighted batch loss Σ_b w_b·ℓ_b / Σ_b w_b of gold-first scores [B, 1 + N] (Sun et al. 2019's code:
 * `(subsampling_weight * loss).sum() / subsampling_weight.sum()`), where ℓ_b is query b's loss: its mean BCE term
 * over the 1 + N scores, its self-adversarial L_b, or its mean margin term over the N pairs. With all weights equal
 * this is the unweighted loss of each.
 */
export function weightedSampledLoss(loss: SampledLoss, scores: tf.Tensor2D, weights: Float32Array): tf.Scalar {
  return tf.tidy(() => {
    const [B, M] = scores.shape;
    const perQuery = bySampledLoss(loss.loss, {
      nssa: () => tf.mul(0.5, selfAdversarialTerms(scores, loss.margin, loss.adversarialTemperature)),
      margin: () => tf.mean(marginRankingTerms(scores, loss.margin), 1),
      bce: () => tf.mean(binaryCrossEntropyTerms(scores, goldFirstLabels(B, M)), 1),
    });
    return tf.div(tf.sum(tf.mul(tf.reshape(perQuery, [B]), tf.tensor1d(weights))), weightTotal(weights)) as tf.Scalar;
  });
}

/** Σ w of a batch's query weights in float64 (the whole batch's, before any split into chunks or threads). */
export function weightTotal(weights: Float32Array): number {
  let total = 0;
  for (let i = 0; i < weights.length; i++) total += weights[i]!;
  return total;
}

/** Labels [Q, M] with 1 in column 0 (the gold answer) and 0 elsewhere. */
export function goldFirstLabels(queries: number, perQuery: number): tf.Tensor2D {
  const labels = new Float32Array(queries * perQuery);
  for (let b = 0; b < queries; b++) labels[b * perQuery] = 1;
  return tf.tensor2d(labels, [queries, perQuery]);
}

/** The gold column of each row [B]: a typed array, or a tensor of integer values (cast to int32). */
export type GoldIds = Int32Array | tf.Tensor1D;

/**
 * Softmax cross-entropy with hard targets, the one home of the formula: mean over rows of logsumexp(s) − s[gold]
 * = −(1/B) Σ_b log softmax(s_b)[gold_b]. Against all entities it is 1-N scoring (Lacroix et al. 2018, eq. (2);
 * Dettmers et al. 2018's 1-N with one answer); the general module's hard-label `crossEntropy` (class logits, NT-Xent,
 * DoGo's in-batch answers) is this function. The gold score is picked with a one-hot mask because tf.gather's
 * gradient does not exist on the wasm backend; gradients are tfjs autodiff's.
 */
export function softmaxCrossEntropy(scores: tf.Tensor2D, gold: GoldIds): tf.Scalar {
  return tf.tidy(() => {
    const [rows, numEntities] = scores.shape;
    const ids = gold instanceof Int32Array ? tf.tensor1d(gold, 'int32') : tf.cast(gold, 'int32');
    if (ids.shape[0] !== rows) throw new Error(`softmax cross-entropy: ${ids.shape[0]} gold ids for ${rows} rows of scores`);
    const oneHot = tf.oneHot(ids, numEntities);
    const goldScore = tf.sum(tf.mul(oneHot, scores), 1);
    return tf.mean(tf.sub(tf.logSumExp(scores, 1), goldScore)) as tf.Scalar;
  });
}

/**
 * Binary cross-entropy against all entities, the gold answer the one positive (PyKEEN's LCWA training with
 * BCEWithLogitsLoss; Chami et al.'s KGEmb in its first commit only, whose 1-N loss is the softmax since): the mean
 * over all B·N scores of softplus(s) − [j = gold]·s, i.e. mean_b (Σ_j softplus(s_bj) − s_{b,gold_b}) / N.
 */
export function allEntityBinaryCrossEntropy(scores: tf.Tensor2D, gold: Int32Array): tf.Scalar {
  return tf.tidy(() => binaryCrossEntropyWithLogits(scores, tf.cast(tf.oneHot(tf.tensor1d(gold, 'int32'), scores.shape[1]), 'float32') as tf.Tensor2D));
}

/** Regulariser names. */
export type RegularizerName = 'none' | 'n3' | 'l2';

/** Gathered rows [B, d] the regulariser applies to; with `complexPairs` each row is [Re | Im] of d/2 complex numbers. */
export interface RegularizedRows {
  values: tf.Tensor2D;
  complexPairs: boolean;
}

/**
 * Regulariser on the rows a batch used, divided by the batch size as in Chami et al. 2020's code:
 * N3 (Lacroix et al. 2018, eq. (4)): w·Σ|x|³ / B, where x is a real coordinate or, for complex rows, a complex
 * coordinate's modulus (|x|³ = (Re² + Im²)^{3/2}); L2: w·Σx² / B (the same either way).
 */
export function rowRegularizer(name: RegularizerName, weight: number, rows: readonly RegularizedRows[], batchSize: number): tf.Scalar {
  return tf.tidy(() => {
    if (name === 'none' || weight === 0 || rows.length === 0) return tf.scalar(0);
    const terms = rows.map(({ values, complexPairs }) => {
      if (name === 'l2') return tf.sum(tf.square(values));
      if (!complexPairs) return tf.sum(tf.pow(tf.abs(values), 3));
      const half = values.shape[1] / 2;
      const squaredModulus = tf.add(tf.square(tf.slice(values, [0, 0], [-1, half])), tf.square(tf.slice(values, [0, half], [-1, half])));
      return tf.sum(tf.pow(squaredModulus, 1.5));
    });
    return tf.mul(weight / batchSize, tf.addN(terms)) as tf.Scalar;
  });
}

/**
 * Writes the same regulariser's gradient for rows [n × dim] kept outside the tape (e.g. gold tails scored by a
 * kernel) into `grad`, overwriting every entry (the callers pass a fresh buffer and scatter-add it into the table's
 * gradient); `complexPairs` as in {@link RegularizedRows}. Returns the regulariser's value.
 */
export function addRowRegularizerGradient(name: RegularizerName, weight: number, rows: Float32Array, grad: Float32Array, batchSize: number,
  complexPairs?: { dim: number }): number {
  if (name === 'none' || weight === 0) return 0;
  const scale = weight / batchSize;
  if (name === 'n3' && complexPairs) return addComplexN3Gradient(scale, rows, grad, complexPairs.dim);
  let value = 0;
  for (let i = 0; i < rows.length; i++) {
    const x = rows[i]!;
    if (name === 'n3') {
      value += Math.abs(x) ** 3;
      grad[i] = 3 * scale * x * Math.abs(x);
    } else {
      value += x * x;
      grad[i] = 2 * scale * x;
    }
  }
  return scale * value;
}

/** N3 on complex coordinates m = |a + ib|: value s·Σm³, gradient ∂/∂a = 3s·a·m, ∂/∂b = 3s·b·m. */
function addComplexN3Gradient(scale: number, rows: Float32Array, grad: Float32Array, dim: number): number {
  const half = dim / 2;
  let value = 0;
  for (let o = 0; o < rows.length; o += dim) {
    for (let k = 0; k < half; k++) {
      const a = rows[o + k]!, b = rows[o + half + k]!;
      const modulus = Math.sqrt(a * a + b * b);
      value += modulus * modulus * modulus;
      grad[o + k] = 3 * scale * a * modulus;
      grad[o + half + k] = 3 * scale * b * modulus;
    }
  }
  return scale * value;
}
