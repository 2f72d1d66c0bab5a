/**
 * Losses on hidden features (FFSD's fusion, self-distillation and diversity terms): normalised feature and
 * attention-map matching, and the diversity target that pushes a student's attention away from its predecessor's.
 * Targets are detached, as in the authors' code.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { attentionMap, l2NormalizeRows } from '../tensor-ops.js';
import { stopGradient } from '../../core/stop-gradient.js';
import { defineLoss } from './loss-spec.js';

/** mean over batch and positions of (x/‖x‖ − y/‖y‖)², rows flattened; y detached. */
export function normalizedMse(x: tf.Tensor, y: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.square(tf.sub(l2NormalizeRows(x), l2NormalizeRows(stopGradient(y))))) as tf.Scalar);
}

function sameSize(loss: string, a: tf.Tensor, b: tf.Tensor, what: string): void {
  if (a.shape[0] !== b.shape[0] || a.size !== b.size) {
    throw new Error(`loss '${loss}': ${what} have shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}]; they must hold as many values per sample`);
  }
}

/** `feature-mse`: normalised feature matching. */
export const featureMseLoss = defineLoss({
  name: 'feature-mse',
  summary: 'mean squared difference of L2-normalised feature maps (target detached)',
  paper: 'Li et al. 2021, "Distilling a Powerful Student Model via Online Knowledge Distillation" (FFSD), §3 (feature term of the self-distillation module; authors\' attention_loss)',
  equation: 'L = mean_{b,k} (F_b/‖F_b‖ − G_b/‖G_b‖)²_k',
  inputs: ['student', 'target'],
  schema: z.object({}).strict(),
  build: () => (inputs: { student: tf.Tensor; target: tf.Tensor }) => {
    sameSize('feature-mse', inputs.student, inputs.target, 'student and target');
    return normalizedMse(inputs.student, inputs.target);
  },
});

/** `attention`: attention-map matching. */
export const attentionLoss = defineLoss({
  name: 'attention',
  summary: 'mean squared difference of L2-normalised attention maps mean_c F_c² (target detached)',
  paper: 'Zagoruyko & Komodakis 2017, "Paying More Attention to Attention", ICLR, eq. (2) (p = 2, squared distance averaged as in FFSD\'s code)',
  equation: 'A(F) = mean_c F_c²; L = mean_{b,k} (A(F)_b/‖A(F)_b‖ − A(G)_b/‖A(G)_b‖)²_k',
  inputs: ['student', 'target'],
  schema: z.object({}).strict(),
  build: () => (inputs: { student: tf.Tensor; target: tf.Tensor }) => tf.tidy(() => {
    const a = attentionMap(inputs.student);
    const b = attentionMap(inputs.target);
    sameSize('attention', a, b, 'the attention maps of student and target');
    return normalizedMse(a, b);
  }),
});

/**
 * FFSD's diversity target for attention maps y [B, K]: with ŷ = y/‖y‖ and θ the q-quantile of ŷ's row,
 * t = (1/2 − ŷ)·sign(ŷ − θ) + 1/2, i.e. ŷ where ŷ < θ and 1 − ŷ above it (the ranking of the attended positions
 * is reversed).
 */
export function diversityTarget(y: tf.Tensor2D, quantile: number): tf.Tensor2D {
  return tf.tidy(() => {
    const yHat = l2NormalizeRows(stopGradient(y));
    const [rows, width] = yHat.shape;
    const k = Math.max(1, Math.floor(width * quantile));
    // The k-th smallest value of each row, taken off the tape (a constant of the target; TopK has no gradient).
    const values = yHat.dataSync();
    const thresholds = new Float32Array(rows);
    for (let r = 0; r < rows; r++) thresholds[r] = Array.from(values.subarray(r * width, (r + 1) * width)).sort((a, b) => a - b)[k - 1]!;
    const threshold = tf.tensor2d(thresholds, [rows, 1]);
    return tf.add(tf.mul(tf.sub(0.5, yHat), tf.sign(tf.sub(yHat, threshold))), 0.5) as tf.Tensor2D;
  });
}

/** `ffsd-diversity`: the diversity-enhancement term. */
export const diversityLoss = defineLoss({
  name: 'ffsd-diversity',
  summary: "FFSD diversity enhancement: a student's normalised attention map is pulled towards its predecessor's reversed map",
  paper: 'Li et al. 2021 (FFSD), §3 diversity enhancement, as in the authors\' code (diversity_loss; the target here is built on the unit-norm map)',
  equation: 'ŷ = A(G)/‖A(G)‖, θ = q-quantile of ŷ; t = (1/2 − ŷ)·sign(ŷ − θ) + 1/2; L = mean (A(F)/‖A(F)‖ − t)²',
  inputs: ['student', 'previous'],
  schema: z.object({ quantile: z.number().gt(0).lt(1).default(1 / 3) }).strict(),
  build: (p: { quantile: number }) => (inputs: { student: tf.Tensor; previous: tf.Tensor }) => tf.tidy(() => {
    const x = attentionMap(inputs.student);
    const y = attentionMap(inputs.previous);
    sameSize('ffsd-diversity', x, y, 'the attention maps of student and previous');
    return tf.mean(tf.square(tf.sub(l2NormalizeRows(x), diversityTarget(y, p.quantile)))) as tf.Scalar;
  }),
});
