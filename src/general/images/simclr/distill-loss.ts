/**
 * SimCLRv2's distillation loss (Chen et al. NeurIPS 2020, §2, Eq. (2)): on unlabelled images, the student
 * matches the fine-tuned teacher's softened predictions,
 *   L_distill = −Σ_x Σ_y P_T(y | x; τ) log P_S(y | x; τ),  P(y | x; τ) = softmax(logits/τ),
 * averaged over the batch, teacher detached (no T² factor: the paper uses τ = 1 and the loss alone). It is the
 * class-weighted soft cross-entropy of detection KD with every weight 1.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { weightedSoftCe } from '../../losses/detection.js';

/** Batch mean of −Σ_y softmax(t/τ)_y log softmax(s/τ)_y, teacher detached (SimCLRv2 Eq. 2). */
export function simclrDistillLoss(student: tf.Tensor2D, teacher: tf.Tensor2D, temperature: number): tf.Scalar {
  if (student.shape.join(',') !== teacher.shape.join(',')) throw new Error(`SimCLRv2 distillation: student [${student.shape.join(', ')}] and teacher [${teacher.shape.join(', ')}] logits differ in shape`);
  return weightedSoftCe(student, teacher, new Array<number>(student.shape[1]).fill(1), temperature);
}
