/**
 * The basic temperature knowledge-distillation loss (Hinton, Vinyals & Dean 2015, §2): the KL divergence from the
 * teacher's softened distribution to the student's, scaled by T² so gradients keep their size as T changes:
 *   L_KD = T² · (1/B) Σ_b KL(softmax(t_b/T) ‖ softmax(s_b/T)).
 * One implementation, used by MulDE's Junior and by the general distillation module.
 */
import * as tf from '@tensorflow/tfjs-core';

/** T² · batch-mean KL(softmax(teacher/T) ‖ softmax(student/T)) over rows of logits [B, C]. */
export function temperatureKdLoss(studentLogits: tf.Tensor2D, teacherLogits: tf.Tensor2D, temperature = 1): tf.Scalar {
  if (!(temperature > 0)) throw new Error(`temperature must be positive (got ${temperature})`);
  return tf.tidy(() => {
    const logP = tf.logSoftmax(tf.div(teacherLogits, temperature));
    const logQ = tf.logSoftmax(tf.div(studentLogits, temperature));
    const kl = tf.sum(tf.mul(tf.exp(logP), tf.sub(logP, logQ)), 1);
    return tf.mul(tf.mean(kl), temperature * temperature) as tf.Scalar;
  });
}
