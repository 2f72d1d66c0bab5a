/**
 * Self-supervised contrastive losses over two augmented views of a batch: SimCLR's NT-Xent and DoGo's KL between
 * two models' softmaxed similarity distributions.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { positiveFloat32 } from '../../core/float32-range.js';
import { temperatureKdLoss } from '../../core/distillation-loss.js';
import { cosineLogits, maskDiagonal } from '../tensor-ops.js';
import { stopGradient } from '../../core/stop-gradient.js';
import { crossEntropy } from './classification.js';
import { defineLoss, requireShape } from './loss-spec.js';

/** The 2N views stacked [z1; z2] and their masked cosine logits sim(z_i, z_k)/τ, k ≠ i: [2N, 2N]. */
export function viewLogits(z1: tf.Tensor2D, z2: tf.Tensor2D, temperature: number): tf.Tensor2D {
  return tf.tidy(() => maskDiagonal(cosineLogits(tf.concat([z1, z2], 0), temperature)));
}

/** NT-Xent over two views (SimCLR eq. (1), averaged over all 2N anchors). */
export function ntXent(z1: tf.Tensor2D, z2: tf.Tensor2D, temperature: number): tf.Scalar {
  return tf.tidy(() => {
    const n = z1.shape[0];
    // The positive of view i is view i + N (and of i + N, i): cross-entropy with those labels over the masked logits.
    const positives = tf.concat([tf.range(n, 2 * n, 1, 'int32'), tf.range(0, n, 1, 'int32')]) as tf.Tensor1D;
    return crossEntropy(viewLogits(z1, z2, temperature), positives);
  });
}

function checkViews(loss: string, z1: tf.Tensor2D, z2: tf.Tensor2D, prefix = ''): void {
  requireShape(loss, `${prefix}z1`, z1, 2);
  requireShape(loss, `${prefix}z2`, z2, 2, { tensor: z1, name: `${prefix}z1` });
  if (z1.shape[0] < 2) throw new Error(`loss '${loss}': needs at least 2 samples per view (got ${z1.shape[0]})`);
}

/** `nt-xent`: SimCLR's contrastive loss. */
export const ntXentLoss = defineLoss({
  name: 'nt-xent',
  summary: 'SimCLR contrastive loss: two views of a sample are positives, the other 2N − 2 views negatives',
  paper: 'Chen, Kornblith, Norouzi & Hinton 2020, "A Simple Framework for Contrastive Learning of Visual Representations", ICML, eq. (1)',
  equation: 'ℓ(i, j) = −log [exp(sim(z_i, z_j)/τ) / Σ_{k≠i} exp(sim(z_i, z_k)/τ)], sim = cosine; L = 1/(2N) Σ_k [ℓ(k, k+N) + ℓ(k+N, k)]',
  inputs: ['z1', 'z2'],
  schema: z.object({ temperature: positiveFloat32().default(0.5) }).strict(),
  build: (p: { temperature: number }) => (inputs: { z1: tf.Tensor2D; z2: tf.Tensor2D }) => {
    checkViews('nt-xent', inputs.z1, inputs.z2);
    return ntXent(inputs.z1, inputs.z2, p.temperature);
  },
});

/**
 * `similarity-kl`: DoGo's distillation term, over the 2N views (every other view a column, the NT-Xent matrix of
 * SimCLR), batch-mean per row. The authors' code (NeurAI-Lab/DoGo, criterion/kl.py) compares instead the N × N
 * cross-view matrix z₁·z₂ᵀ/T (positive included) with PyTorch's element-mean reduction (÷ N²), at T = 0.1, λ = 100:
 * per row the two are the same kind of distribution, but λ here is worth about N times λ there.
 */
export const similarityKlLoss = defineLoss({
  name: 'similarity-kl',
  summary: "DoGo: KL from the peer's softmaxed batch-similarity distribution to this model's, row by row",
  paper: 'Bhat, Arani & Zonooz 2021, "Distill on the Go: Online knowledge distillation in self-supervised learning", CVPR-W, §3 (deep mutual learning on similarity scores)',
  equation: 'P_i(k) = softmax_{k≠i}(sim(z_i, z_k)/T) over the 2N views; L = (1/2N) Σ_i KL(P_i^peer ‖ P_i^self), peer detached',
  inputs: ['z1', 'z2', 'peerZ1', 'peerZ2'],
  schema: z.object({ temperature: positiveFloat32().default(0.5) }).strict(),
  build: (p: { temperature: number }) => (inputs: { z1: tf.Tensor2D; z2: tf.Tensor2D; peerZ1: tf.Tensor2D; peerZ2: tf.Tensor2D }) => {
    checkViews('similarity-kl', inputs.z1, inputs.z2);
    checkViews('similarity-kl', inputs.peerZ1, inputs.peerZ2, 'peer');
    if (inputs.peerZ1.shape[0] !== inputs.z1.shape[0]) throw new Error("loss 'similarity-kl': the peer's views must cover the same batch");
    // The core's KL at temperature 1 between the two similarity matrices, the peer's detached.
    return tf.tidy(() => temperatureKdLoss(viewLogits(inputs.z1, inputs.z2, p.temperature),
      viewLogits(stopGradient(inputs.peerZ1), stopGradient(inputs.peerZ2), p.temperature), 1));
  },
});
