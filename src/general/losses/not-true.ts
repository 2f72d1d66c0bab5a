/**
 * Not-true distillation (FedNTD; Lee, Jeong, Shin, Bae & Yun, NeurIPS 2022, arXiv 2106.03097, §4, Eq. 4–5):
 * the local model's and the (frozen) global model's predictions are compared only over the classes that are not
 * the sample's label. Softmax over the not-true classes with temperature τ:
 *   q̃_τ(c) = exp(z_c/τ) / Σ_{c'≠y} exp(z_c'/τ)   (c ≠ y),
 *   L_NTD = Σ_{c≠y} q̃ᵍ_τ(c) · log(q̃ᵍ_τ(c) / q̃ˡ_τ(c))  (KL from global to local), batch mean, × τ²,
 *   L = L_CE(q, y) + β · L_NTD.
 * The true class is removed exactly, as the authors' `refine_as_not_true` (Lee-Gihun/FedNTD
 * algorithms/fedntd/utils.py) does by gathering the C − 1 not-true columns: the log-softmax is taken over the
 * not-true columns alone (a 0/1 mask in the log-sum-exp), so any τ and any logit gap give the same value, and the
 * true logit gets no gradient. The KL has the form of the core's temperature KD loss (`temperatureKdLoss`, Hinton et
 * al. 2015: τ²·batch-mean KL) restricted to those columns, and the global logits are detached.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { nonNegativeFloat32, positiveFloat32 } from '../../core/float32-range.js';
import { stopGradient } from '../../core/stop-gradient.js';
import { crossEntropy, type Labels } from './classification.js';
import { defineLoss, requireShape } from './loss-spec.js';

/** The not-true mask [B, C]: 1 where c ≠ y_b, 0 at the label. */
export function notTrueMask(labels: Labels, classes: number): tf.Tensor2D {
  return tf.tidy(() => {
    const indices = labels instanceof Int32Array ? tf.tensor1d(labels, 'int32') : tf.cast(labels, 'int32');
    return tf.sub(1, tf.oneHot(indices as tf.Tensor1D, classes)) as tf.Tensor2D;
  });
}

/**
 * log q̃_τ(c) = z_c/τ − log Σ_{c'≠y} exp(z_c'/τ) on the not-true columns (`mask` = `notTrueMask`), 0 at the label;
 * the same numbers as a log-softmax over the C − 1 gathered columns, and no gradient into the true logit.
 */
export function notTrueLogSoftmax(logits: tf.Tensor2D, mask: tf.Tensor2D, temperature: number): tf.Tensor2D {
  return tf.tidy(() => {
    const s = tf.div(logits, temperature);
    // Row maximum over the not-true columns: a constant shift of the log-sum-exp (which it leaves unchanged), so
    // no gradient. The true column is replaced by the row minimum, which can never exceed a not-true entry.
    const floor = tf.broadcastTo(tf.min(s, 1, true), s.shape);
    const shift = stopGradient(tf.max(tf.where(tf.cast(mask, 'bool'), s, floor), 1, true));
    const shifted = tf.mul(mask, tf.sub(s, shift)); // the true column becomes exactly 0, with zero gradient
    const logSum = tf.log(tf.sum(tf.mul(mask, tf.exp(shifted)), 1, true));
    return tf.mul(mask, tf.sub(shifted, logSum)) as tf.Tensor2D;
  });
}

/** τ²·KL(q̃ᵍ ‖ q̃ˡ) over the not-true classes, batch mean, global logits detached (FedNTD Eq. 4, exact for any τ). */
export function notTrueKl(local: tf.Tensor2D, global: tf.Tensor2D, labels: Labels, temperature: number): tf.Scalar {
  if (!(temperature > 0)) throw new Error(`temperature must be positive (got ${temperature})`);
  return tf.tidy(() => {
    const mask = notTrueMask(labels, local.shape[1]);
    const logQ = notTrueLogSoftmax(local, mask, temperature);
    const logP = notTrueLogSoftmax(stopGradient(global), mask, temperature);
    const kl = tf.sum(tf.mul(tf.mul(mask, tf.exp(logP)), tf.sub(logP, logQ)), 1);
    return tf.mul(tf.mean(kl), temperature * temperature) as tf.Scalar;
  });
}

/** `ntd`: a FedNTD client's loss, CE + β·L_NTD. */
export const ntdLoss = defineLoss({
  name: 'ntd',
  summary: "FedNTD not-true distillation: a client's CE plus β·KL from the global to the local softmax over the not-true classes",
  paper: 'Lee et al. 2022, "Preservation of the Global Knowledge by Not-True Distillation in Federated Learning", NeurIPS, §4 Eq. 4–5 (τ = 1, β = 1)',
  equation: 'L = CE(z_l, y) + β · τ² · mean_batch Σ_{c≠y} q̃ᵍ(c) log(q̃ᵍ(c)/q̃ˡ(c)), q̃(c) = softmax_{c≠y}(z/τ), global detached',
  inputs: ['local', 'global', 'labels'],
  schema: z.object({ temperature: positiveFloat32().default(1), beta: nonNegativeFloat32().default(1) }).strict(),
  build: (p: { temperature: number; beta: number }) => (inputs: { local: tf.Tensor2D; global: tf.Tensor2D; labels: Labels }) => {
    requireShape('ntd', 'local', inputs.local, 2);
    requireShape('ntd', 'global', inputs.global, 2, { tensor: inputs.local, name: 'local' });
    if (inputs.local.shape[1]! < 2) throw new Error("loss 'ntd': needs at least two classes");
    return tf.tidy(() => tf.add(crossEntropy(inputs.local, inputs.labels), tf.mul(p.beta, notTrueKl(inputs.local, inputs.global, inputs.labels, p.temperature))) as tf.Scalar);
  },
});
