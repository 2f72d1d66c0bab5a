/**
 * The three losses of detection-style KD (Chen, Choi, Yu, Han & Chandraker, "Learning Efficient Object Detection
 * Models with Knowledge Distillation", NeurIPS 2017, §3; equation numbers as in that paper):
 * - `weighted-kd`: L_cls = μ·L_hard(P_s, y) + (1 − μ)·L_soft(P_s, P_t), L_soft = −Σ_c w_c P_t(c) log P_s(c)
 *   (Eq. 2–3), softened by temperature T; w_c is larger for the dominant background class (paper: w_bg = 1.5).
 * - `bounded-regression`: L_reg = L_sL1(R_s, y) + ν·L_b, L_b = ‖R_s − y‖² if ‖R_s − y‖² + m > ‖R_t − y‖², else 0
 *   (Eq. 4–5): the teacher's regression is an upper bound; the student pays only where it is not better than
 *   the teacher by the margin m ≥ 0 (a margin: a negative m would also spare a student worse than the teacher).
 * - `hint`: L_hint = ‖V − Z‖² (Eq. 6), V the student's guided-layer feature after the adaptation layer, Z the
 *   teacher's hint feature; per-sample squared L2 distance, batch mean.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { nonNegativeFloat32, positiveFloat32 } from '../../core/float32-range.js';
import { flatten2d } from '../tensor-ops.js';
import { stopGradient } from '../../core/stop-gradient.js';
import { crossEntropy, softCrossEntropy, type Labels } from './classification.js';
import { defineLoss, requireShape } from './loss-spec.js';

/**
 * Batch-mean −Σ_c w_c p_t(c) log softmax(s/T)(c), p_t = softmax(t/T) detached (Eq. 3): the soft cross-entropy of
 * s/T against the class-weighted targets w ⊙ p_t.
 */
export function weightedSoftCe(student: tf.Tensor2D, teacher: tf.Tensor2D, weights: readonly number[], temperature: number): tf.Scalar {
  return tf.tidy(() => {
    const pT = tf.softmax(tf.div(stopGradient(teacher), temperature));
    const w = tf.tensor1d([...weights]);
    return softCrossEntropy(tf.div(student, temperature), tf.mul(pT, w) as tf.Tensor2D);
  });
}

/** `weighted-kd`: hard CE mixed with the class-weighted soft cross-entropy to the teacher. */
export const weightedKdLoss = defineLoss({
  name: 'weighted-kd',
  summary: "detection KD's classification loss: μ·CE + (1 − μ)·class-weighted soft cross-entropy to the teacher (background weighted up)",
  paper: 'Chen et al. 2017, "Learning Efficient Object Detection Models with Knowledge Distillation", NeurIPS, §3.1 Eq. 2–3 (μ = 0.5, w_bg = 1.5)',
  equation: 'L_cls = μ·CE(z_s, y) + (1 − μ)·(−mean_b Σ_c w_c softmax(z_t/T)_c log softmax(z_s/T)_c), w_c = backgroundWeight for c = background, else 1',
  inputs: ['student', 'teacher', 'labels'],
  schema: z.object({
    mu: z.number().min(0).max(1).default(0.5),
    temperature: positiveFloat32().default(1),
    backgroundWeight: positiveFloat32().default(1.5),
    background: z.number().int().nonnegative().default(0),
  }).strict(),
  build: (p: { mu: number; temperature: number; backgroundWeight: number; background: number }) => (inputs: { student: tf.Tensor2D; teacher: tf.Tensor2D; labels: Labels }) => {
    requireShape('weighted-kd', 'student', inputs.student, 2);
    requireShape('weighted-kd', 'teacher', inputs.teacher, 2, { tensor: inputs.student, name: 'student' });
    const classes = inputs.student.shape[1]!;
    if (p.background >= classes) throw new Error(`loss 'weighted-kd': background class ${p.background} is not among ${classes} classes`);
    const weights = Array.from({ length: classes }, (_, c) => (c === p.background ? p.backgroundWeight : 1));
    return tf.tidy(() => tf.add(tf.mul(p.mu, crossEntropy(inputs.student, inputs.labels)), tf.mul(1 - p.mu, weightedSoftCe(inputs.student, inputs.teacher, weights, p.temperature))) as tf.Scalar);
  },
});

/** Per-row smooth-L1 (Huber, δ = 1) summed over coordinates, batch mean (Fast R-CNN's L_sL1). */
export function smoothL1(pred: tf.Tensor2D, target: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    // With q = min(|d|, 1): ½q² + |d| − q is ½d² for |d| < 1 and |d| − ½ beyond (differentiable ops only).
    const d = tf.abs(tf.sub(pred, target));
    const q = tf.minimum(d, 1);
    const per = tf.add(tf.mul(0.5, tf.square(q)), tf.sub(d, q));
    return tf.mean(tf.sum(per, 1)) as tf.Scalar;
  });
}

/** Teacher-bounded L2 (Eq. 4), teacher and comparison outside the tape: per row ‖R_s − y‖² where ‖R_s − y‖² + m > ‖R_t − y‖², else 0; batch mean. */
export function teacherBoundedL2(student: tf.Tensor2D, teacher: tf.Tensor2D, target: tf.Tensor2D, margin: number): tf.Scalar {
  return tf.tidy(() => {
    const es = tf.sum(tf.square(tf.sub(student, target)), 1);
    const et = tf.tensor1d(tf.sum(tf.square(tf.sub(teacher, target)), 1).dataSync() as Float32Array);
    // The comparison has no gradient: it is made on a copy of the values, outside the tape.
    const esValue = tf.tensor1d(es.dataSync() as Float32Array);
    const active = tf.cast(tf.greater(tf.add(esValue, margin), et), 'float32');
    return tf.mean(tf.mul(active, es)) as tf.Scalar;
  });
}

/** `bounded-regression`: smooth-L1 to the box target plus ν times the teacher-bounded L2. */
export const boundedRegressionLoss = defineLoss({
  name: 'bounded-regression',
  summary: 'detection KD regression loss: smooth-L1 to the target + ν·L2 only where the student is not better than the teacher by a margin',
  paper: 'Chen et al. 2017, "Learning Efficient Object Detection Models with Knowledge Distillation", NeurIPS, §3.2 Eq. 4–5 (ν = 0.5)',
  equation: 'L_reg = mean_b sL1(R_s − y) + ν · mean_b [‖R_s − y‖² if ‖R_s − y‖² + m > ‖R_t − y‖² else 0], teacher detached',
  inputs: ['student', 'teacher', 'target'],
  schema: z.object({ nu: nonNegativeFloat32().default(0.5), margin: nonNegativeFloat32().default(0) }).strict(),
  build: (p: { nu: number; margin: number }) => (inputs: { student: tf.Tensor2D; teacher: tf.Tensor2D; target: tf.Tensor2D }) => {
    requireShape('bounded-regression', 'student', inputs.student, 2);
    requireShape('bounded-regression', 'teacher', inputs.teacher, 2, { tensor: inputs.student, name: 'student' });
    requireShape('bounded-regression', 'target', inputs.target, 2, { tensor: inputs.student, name: 'student' });
    return tf.tidy(() => tf.add(smoothL1(inputs.student, inputs.target), tf.mul(p.nu, teacherBoundedL2(inputs.student, inputs.teacher, inputs.target, p.margin))) as tf.Scalar);
  },
});

/** `hint`: squared L2 between the adapted student feature and the teacher's hint. */
export const hintLoss = defineLoss({
  name: 'hint',
  summary: "hint learning: squared L2 distance between the student's adapted guided-layer feature and the teacher's hint feature",
  paper: 'Chen et al. 2017, "Learning Efficient Object Detection Models with Knowledge Distillation", NeurIPS, §3.3 Eq. 6 (after Romero et al. 2015, FitNets)',
  equation: 'L_hint = mean_b ‖V_b − Z_b‖², V = adaptation(student feature) (same shape as Z), Z = teacher hint, detached',
  inputs: ['adapted', 'hint'],
  schema: z.object({}).strict(),
  build: () => (inputs: { adapted: tf.Tensor; hint: tf.Tensor }) => {
    if (inputs.adapted.shape.join(',') !== inputs.hint.shape.join(',')) {
      throw new Error(`loss 'hint': adapted [${inputs.adapted.shape.join(', ')}] and hint [${inputs.hint.shape.join(', ')}] must have the same shape (add an adaptation layer)`);
    }
    return tf.tidy(() => tf.mean(tf.sum(tf.square(tf.sub(flatten2d(inputs.adapted), flatten2d(stopGradient(inputs.hint)))), 1)) as tf.Scalar);
  },
});

