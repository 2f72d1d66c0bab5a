/**
 * Not-true distillation (FedNTD; Lee, Jeong, Shin, Bae & Yun, NeurIPS 2022, arXiv 2106.03097, §4, Eq. 4–5):
 * the local model's and the (frozen) global model's predictions are compared only over the classes that are not
 * the sample's label. Softmax over the not-true classes with temperature τ:
 *   q̃_τ(c) = exp(z_c/τ) / Σ_{c'≠y} exp(z_c'/τ)   (c ≠ y),
 *   L_NTD = Σ_{c≠y} q̃ᵍ_τ(c) · log(q̃ᵍ_τ(c) / q̃ˡ_τ(c))  (KL from global to local), batch mean, × τ²,
 *   L = L_CE(q, y) + β · L_NTD.
 * The true class is removed by adding a large negative number to its logit before the softmax (its probability
 * underflows to exactly 0, so it contributes nothing); the KL itself is the core's temperature KD loss
 * (`temperatureKdLoss`, Hinton et al. 2015), and the global logits are detached.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { temperatureKdLoss } from '../../core/distillation-loss.js';
import { stopGradient } from '../../core/stop-gradient.js';
import { crossEntropy, type Labels } from './classification.js';
import { defineLoss, requireShape } from './loss-spec.js';

const MASK = -1e4;

/**
 * The logits with the true class's entry pushed to ≈ −1e4 at temperature τ (a softmax at τ gives it probability 0,
 * every other class its not-true softmax q̃_τ).
 */
export function maskTrueClass(logits: tf.Tensor2D, labels: Labels, temperature: number): tf.Tensor2D {
  return tf.tidy(() => {
    const [, classes] = logits.shape;
    const indices = labels instanceof Int32Array ? tf.tensor1d(labels, 'int32') : tf.cast(labels, 'int32');
    return tf.add(logits, tf.mul(tf.oneHot(indices as tf.Tensor1D, classes), MASK * temperature)) as tf.Tensor2D;
  });
}

/** τ²·KL(q̃ᵍ ‖ q̃ˡ) over the not-true classes, batch mean, global logits detached (FedNTD Eq. 4; the core's KD loss on masked logits). */
export function notTrueKl(local: tf.Tensor2D, global: tf.Tensor2D, labels: Labels, temperature: number): tf.Scalar {
  return tf.tidy(() => temperatureKdLoss(maskTrueClass(local, labels, temperature), maskTrueClass(stopGradient(global), labels, temperature), temperature));
}

/** `ntd`: a FedNTD client's loss, CE + β·L_NTD. */
export const ntdLoss = defineLoss({
  name: 'ntd',
  summary: "FedNTD not-true distillation: a client's CE plus β·KL from the global to the local softmax over the not-true classes",
  paper: 'Lee et al. 2022, "Preservation of the Global Knowledge by Not-True Distillation in Federated Learning", NeurIPS, §4 Eq. 4–5 (τ = 1, β = 1)',
  equation: 'L = CE(z_l, y) + β · τ² · mean_batch Σ_{c≠y} q̃ᵍ(c) log(q̃ᵍ(c)/q̃ˡ(c)), q̃(c) = softmax_{c≠y}(z/τ), global detached',
  inputs: ['local', 'global', 'labels'],
  schema: z.object({ temperature: z.number().positive().default(1), beta: z.number().nonnegative().default(1) }).strict(),
  build: (p: { temperature: number; beta: number }) => (inputs: { local: tf.Tensor2D; global: tf.Tensor2D; labels: Labels }) => {
    requireShape('ntd', 'local', inputs.local, 2);
    requireShape('ntd', 'global', inputs.global, 2, { tensor: inputs.local, name: 'local' });
    if (inputs.local.shape[1]! < 2) throw new Error("loss 'ntd': needs at least two classes");
    return tf.tidy(() => tf.add(crossEntropy(inputs.local, inputs.labels), tf.mul(p.beta, notTrueKl(inputs.local, inputs.global, inputs.labels, p.temperature))) as tf.Scalar);
  },
});
