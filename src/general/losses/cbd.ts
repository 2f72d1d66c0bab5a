/**
 * CBD's feature distillation (Iscen, Araujo, Gong & Schmid, ICCV 2021, arXiv 2104.05279, §3.2–3.3): the student's
 * feature, mapped by a linear projection ψ to the width of the teachers' features, should point in the direction
 * of the concatenation of the L2-normalised features of the (frozen) teachers; the loss is the cosine distance
 *   L_dist = mean_batch [1 − cos(ψ(f_s(x)), [f̂_t1(x); …; f̂_tK(x)])],  f̂ = f / ‖f‖,
 * and the student's objective is L = (1 − α)·L_CE + α·β·L_dist on class-balanced batches, with the authors' α = 0.4
 * and β = 100 (google-research/class_balanced_distillation: `train_step` in train.py, `distill_alpha` and
 * `distill_fd_beta` in configs/stage_two_cbd.py); the paper's equation numbers were not available here.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { nonNegativeFloat32 } from '../../core/float32-range.js';
import { l2NormalizeRows } from '../tensor-ops.js';
import { stopGradient } from '../../core/stop-gradient.js';
import { crossEntropy, type Labels } from './classification.js';
import { defineLoss, requireShape } from './loss-spec.js';

/** Cosine distance between projected student features and the concatenated normalised teacher features. */
export function cbdFeatureDistance(projected: tf.Tensor2D, teachers: readonly tf.Tensor2D[]): tf.Scalar {
  return tf.tidy(() => {
    const target = l2NormalizeRows(tf.concat(teachers.map((t) => l2NormalizeRows(stopGradient(t))), 1));
    const cos = tf.sum(tf.mul(l2NormalizeRows(projected), target), 1);
    return tf.mean(tf.sub(1, cos)) as tf.Scalar;
  });
}

/** The authors' weights of the stage-two loss (configs/stage_two_cbd.py: distill_alpha, distill_fd_beta). */
export const CBD_AUTHOR_WEIGHTS = { alpha: 0.4, beta: 100 } as const;

/** `cbd`: the CBD student's loss, (1 − α)·CE + α·β·cosine feature distillation from the teachers. */
export const cbdLoss = defineLoss({
  name: 'cbd',
  summary: "class-balanced distillation: (1 − α)·CE on the student's logits + α·β·cosine distance of its projected feature to the concatenated normalised teacher features",
  paper: 'Iscen et al. 2021, "Class-Balanced Distillation for Long-Tailed Visual Recognition", ICCV, §3.2–3.3; α = 0.4, β = 100 as the authors\' train.py and stage-two config',
  equation: 'L = (1 − α)·CE(z_s, y) + α·β · mean_batch [1 − cos(ψ(f_s), [f_t1/‖f_t1‖; …; f_tK/‖f_tK‖])], teachers detached',
  inputs: ['logits', 'projected', 'teachers', 'labels'],
  schema: z.object({ alpha: z.number().min(0).max(1).default(CBD_AUTHOR_WEIGHTS.alpha), beta: nonNegativeFloat32().default(CBD_AUTHOR_WEIGHTS.beta) }).strict(),
  build: (p: { alpha: number; beta: number }) => (inputs: { logits: tf.Tensor2D; projected: tf.Tensor2D; teachers: readonly tf.Tensor2D[]; labels: Labels }) => {
    requireShape('cbd', 'logits', inputs.logits, 2);
    requireShape('cbd', 'projected', inputs.projected, 2);
    if (inputs.teachers.length === 0) throw new Error("loss 'cbd': needs at least one teacher feature");
    inputs.teachers.forEach((t, i) => {
      requireShape('cbd', `teachers[${i}]`, t, 2);
      if (t.shape[0] !== inputs.projected.shape[0]) throw new Error(`loss 'cbd': teachers[${i}] has ${t.shape[0]} rows, projected has ${inputs.projected.shape[0]}`);
    });
    const width = inputs.teachers.reduce((s, t) => s + t.shape[1]!, 0);
    if (width !== inputs.projected.shape[1]) throw new Error(`loss 'cbd': projected width ${inputs.projected.shape[1]} ≠ total teacher width ${width}`);
    return tf.tidy(() => tf.add(tf.mul(1 - p.alpha, crossEntropy(inputs.logits, inputs.labels)), tf.mul(p.alpha * p.beta, cbdFeatureDistance(inputs.projected, inputs.teachers))) as tf.Scalar);
  },
});
