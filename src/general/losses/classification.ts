/**
 * Losses on class logits: cross-entropy with hard labels (the core's softmax cross-entropy, the one home of the
 * formula: used by the image training, NT-Xent and the DoGo KG port), cross-entropy against soft target
 * distributions (detection KD's and SimCLRv2's soft terms), the temperature KD loss (the core's implementation,
 * shared with MulDE) and Hinton et al.'s mixture of the two. The teacher is a target: `kd` and `hinton-kd` detach it
 * (Hinton et al. and torchdistill's KDLoss take its outputs under no_grad).
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { positiveFloat32 } from '../../core/float32-range.js';
import { softmaxCrossEntropy, type GoldIds } from '../../core/losses.js';
import { temperatureKdLoss } from '../../core/distillation-loss.js';
import { stopGradient } from '../../core/stop-gradient.js';
import { defineLoss, requireShape } from './loss-spec.js';

/** Integer class labels, as a typed array or a tensor [B] of integer values (cast to int32). */
export type Labels = GoldIds;

/**
 * Batch-mean cross-entropy against soft target distributions [B, C]: −(1/B) Σ_b Σ_c t_bc log softmax(z_b)_c.
 * For hard labels use {@link crossEntropy} (the core's softmax cross-entropy, the one home of that formula).
 */
export function softCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1))) as tf.Scalar);
}

/**
 * Batch-mean cross-entropy with hard labels, −(1/B) Σ_b log softmax(z_b)[y_b] = mean_b logsumexp(z_b) − z_b[y_b]:
 * the core's `softmaxCrossEntropy` (which checks that there is one label per row).
 */
export function crossEntropy(logits: tf.Tensor2D, labels: Labels): tf.Scalar {
  return softmaxCrossEntropy(logits, labels);
}

/** `ce`: hard-label cross-entropy. */
export const ceLoss = defineLoss({
  name: 'ce',
  summary: 'cross-entropy with the ground-truth labels',
  paper: 'standard (Hinton et al. 2015, §2: the "hard target" term)',
  equation: 'L_CE = −(1/B) Σ_b log softmax(z_b)[y_b]',
  inputs: ['logits', 'labels'],
  schema: z.object({}).strict(),
  build: () => (inputs: { logits: tf.Tensor2D; labels: Labels }) => {
    requireShape('ce', 'logits', inputs.logits, 2);
    return crossEntropy(inputs.logits, inputs.labels);
  },
});

const temperature = positiveFloat32();

/** `kd`: the temperature KD term alone. */
export const kdLoss = defineLoss({
  name: 'kd',
  summary: "KL from the teacher's softened distribution to the student's, × T² (core/distillation-loss)",
  paper: 'Hinton, Vinyals & Dean 2015, "Distilling the Knowledge in a Neural Network", §2, eq. (1) for softmax(z/T)',
  equation: 'L_KD = T² · (1/B) Σ_b KL(softmax(t_b/T) ‖ softmax(s_b/T)), teacher detached',
  inputs: ['student', 'teacher'],
  schema: z.object({ temperature: temperature.default(4) }).strict(),
  build: (p: { temperature: number }) => (inputs: { student: tf.Tensor2D; teacher: tf.Tensor2D }) => {
    requireShape('kd', 'student', inputs.student, 2);
    requireShape('kd', 'teacher', inputs.teacher, 2, { tensor: inputs.student, name: 'student' });
    return tf.tidy(() => temperatureKdLoss(inputs.student, stopGradient(inputs.teacher), p.temperature));
  },
});

/** `hinton-kd`: soft and hard targets mixed. */
export const hintonKdLoss = defineLoss({
  name: 'hinton-kd',
  summary: 'Hinton KD: (1 − α)·cross-entropy + α·T²·KL of softened distributions',
  paper: 'Hinton, Vinyals & Dean 2015, §2 (weighted average of the two objectives, soft term × T²)',
  equation: 'L = (1 − α) · L_CE(s, y) + α · T² · (1/B) Σ_b KL(softmax(t_b/T) ‖ softmax(s_b/T)), teacher detached',
  inputs: ['student', 'teacher', 'labels'],
  schema: z.object({ temperature: temperature.default(4), alpha: z.number().min(0).max(1).default(0.9) }).strict(),
  build: (p: { temperature: number; alpha: number }) => (inputs: { student: tf.Tensor2D; teacher: tf.Tensor2D; labels: Labels }) => {
    requireShape('hinton-kd', 'student', inputs.student, 2);
    requireShape('hinton-kd', 'teacher', inputs.teacher, 2, { tensor: inputs.student, name: 'student' });
    return tf.tidy(() => tf.add(
      tf.mul(1 - p.alpha, crossEntropy(inputs.student, inputs.labels)),
      tf.mul(p.alpha, temperatureKdLoss(inputs.student, stopGradient(inputs.teacher), p.temperature)),
    ) as tf.Scalar);
  },
});
