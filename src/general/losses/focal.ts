/**
 * The sigmoid focal loss of one-stage detectors, the classification loss on the hard labels that label assignment
 * (PAA, LAD) produces: each class is a binary classifier, a positive anchor's target is its class, a negative
 * anchor's target is all zeros (background).
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { nonNegativeFloat32 } from '../../core/float32-range.js';
import { defineLoss, requireShape } from './loss-spec.js';

/** Σ over anchors and classes of α_t (1 − p_t)^γ · (−log p_t), divided by max(1, number of positive anchors). */
export function sigmoidFocal(logits: tf.Tensor2D, targets: tf.Tensor2D, gamma: number, alpha: number): tf.Scalar {
  return tf.tidy(() => {
    const p = tf.sigmoid(logits);
    const logP = tf.neg(tf.softplus(tf.neg(logits)));
    const log1mP = tf.neg(tf.softplus(logits));
    const pT = tf.add(tf.mul(targets, p), tf.mul(tf.sub(1, targets), tf.sub(1, p)));
    const logPT = tf.add(tf.mul(targets, logP), tf.mul(tf.sub(1, targets), log1mP));
    const alphaT = tf.add(tf.mul(targets, alpha), tf.mul(tf.sub(1, targets), 1 - alpha));
    // (1 − p_t)^γ with 1 − p_t at least 1e-30: the power's derivative γ·x^(γ−1) is infinite at x = 0, which a
    // saturated logit reaches in float32 (|z| ≳ 17), and for γ < 1 the gradient there was NaN (the floor passes none)
    const modulator = gamma === 0 ? tf.onesLike(pT) : tf.pow(tf.maximum(tf.sub(1, pT), 1e-30), gamma);
    const total = tf.sum(tf.mul(tf.mul(alphaT, modulator), tf.neg(logPT)));
    const positives = tf.maximum(tf.sum(tf.max(targets, 1)), 1);
    return tf.div(total, positives) as tf.Scalar;
  });
}

/** `focal`: the α-balanced sigmoid focal loss. */
export const focalLoss = defineLoss({
  name: 'focal',
  summary: 'α-balanced sigmoid focal loss over anchors × classes, normalised by the positive anchors (targets: assigned hard labels)',
  paper: 'Lin, Goyal, Girshick, He & Dollár 2017, "Focal Loss for Dense Object Detection", ICCV, eq. (5); the loss PAA and LAD train with',
  equation: 'FL = (1/N_pos) Σ_{a,c} −α_t (1 − p_t)^γ log p_t, p = σ(z), p_t = p if y = 1 else 1 − p, α_t likewise',
  inputs: ['logits', 'targets'],
  schema: z.object({ gamma: nonNegativeFloat32().default(2), alpha: z.number().min(0).max(1).default(0.25) }).strict(),
  build: (p: { gamma: number; alpha: number }) => (inputs: { logits: tf.Tensor2D; targets: tf.Tensor2D }) => {
    requireShape('focal', 'logits', inputs.logits, 2);
    requireShape('focal', 'targets', inputs.targets, 2, { tensor: inputs.logits, name: 'logits' });
    return sigmoidFocal(inputs.logits, inputs.targets, p.gamma, p.alpha);
  },
});
