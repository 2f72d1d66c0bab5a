/**
 * FedX's relational loss (Han, Park, Wu, Kim, Wu, Kim & Cha, "FedX: Unsupervised Federated Learning with Cross
 * Knowledge Distillation", ECCV 2022, arXiv 2207.09158, §3.2): the relation vector of an embedding is its
 * softmaxed cosine similarity to a set of random instances (anchors a_1..a_K),
 *   r(z; τ) = softmax_k(sim(z, a_k)/τ),
 * and the two views' relation vectors are matched by a Jensen–Shannon-style divergence to their mixture:
 *   m = ½ (r(z¹; τ_t) + r(z²; τ_t)),  L_rel = ½ [KL(m ‖ r(z¹; τ)) + KL(m ‖ r(z²; τ))],  batch mean.
 * The mixture m is a detached target here (the authors' code lets gradient reach it as well); the anchors are
 * whatever the caller passes and keep their gradient (the local model's embeddings of a random batch), or are
 * constants (the global model's, computed outside the tape).
 */
import * as tf from '@tensorflow/tfjs-core';
import { l2NormalizeRows } from '../../tensor-ops.js';
import { stopGradient } from '../../../core/stop-gradient.js';
import { temperatureKdLoss } from '../../../core/distillation-loss.js';

/** Cosine similarities of each row of z [B, d] to each anchor [K, d], divided by τ: [B, K]. */
export function relationLogits(z: tf.Tensor2D, anchors: tf.Tensor2D, temperature: number): tf.Tensor2D {
  return tf.tidy(() => tf.div(tf.matMul(l2NormalizeRows(z), l2NormalizeRows(anchors), false, true), temperature) as tf.Tensor2D);
}

/** FedX's L_rel between two views' relation vectors to the same anchors (target mixture detached). */
export function relationalLoss(z1: tf.Tensor2D, z2: tf.Tensor2D, anchors: tf.Tensor2D, temperature: number, targetTemperature: number): tf.Scalar {
  if (z1.shape.join(',') !== z2.shape.join(',')) throw new Error(`relational loss: views [${z1.shape.join(', ')}] and [${z2.shape.join(', ')}] differ in shape`);
  if (anchors.shape[1] !== z1.shape[1]) throw new Error(`relational loss: anchors have width ${anchors.shape[1]}, embeddings ${z1.shape[1]}`);
  return tf.tidy(() => {
    const a = anchors;
    const target = stopGradient(tf.mul(0.5, tf.add(tf.softmax(relationLogits(z1, a, targetTemperature)), tf.softmax(relationLogits(z2, a, targetTemperature)))));
    // KL(m ‖ r(z; τ)) is the core's KD loss at T = 1 with log m as the teacher's logits (softmax(log m) = m)
    const logTarget = tf.log(tf.maximum(target, 1e-12)) as tf.Tensor2D;
    const kl = (z: tf.Tensor2D): tf.Scalar => temperatureKdLoss(relationLogits(z, a, temperature), logTarget);
    return tf.mul(0.5, tf.add(kl(z1), kl(z2))) as tf.Scalar;
  });
}
