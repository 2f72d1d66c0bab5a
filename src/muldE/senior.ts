/**
 * MulDE's Senior (Wang et al., WWW 2021, §3.3): turns the teachers' scores on the Junior's top-K candidates into
 * one soft-label vector per query with two mechanisms, as the authors' code (`source/MultiModels.py`) does them:
 * - relation-specific scaling: teacher i's scores are multiplied by σ(g[r, i]); g is a [2R × teachers] table
 *   initialised to 1 and trained by the Senior's own objective;
 * - contrastive attention: Dᵢ = KL(p_J ‖ softmax(scaled scoreᵢ)) per query (p_J the Junior's distribution over
 *   the K candidates; the teachers' side detached), weights α = softmax(−D / e^⌊epoch/5⌋) over teachers — the
 *   teachers closest to the Junior first, near-uniform later — and soft labels s_T = Σᵢ αᵢ · scaled scoreᵢ.
 * Without scaling the raw scores are used; without attention α is uniform (the mean of the teachers).
 */
import * as tf from '@tensorflow/tfjs-core';
import { stopGradient } from '../core/stop-gradient.js';

/** Column i of x [B, n] as [B, 1] (a slice: tf.split's gradient fails when it has a single part). */
function column(x: tf.Tensor2D, i: number): tf.Tensor2D {
  return tf.slice(x, [0, i], [-1, 1]);
}

/** Which of the Senior's two mechanisms are on (the ablations switch them off). */
export interface SeniorMechanisms {
  scaling: boolean;
  attention: boolean;
}

/** Teacher i's scores scaled by σ(g[:, i]): scaledᵢ = tᵢ · σ(gᵢ) with g rows [B, teachers]. */
export function relationScaling(teacherScores: readonly tf.Tensor2D[], gateRows: tf.Tensor2D): tf.Tensor2D[] {
  const gates = tf.sigmoid(gateRows);
  return teacherScores.map((scores, i) => tf.mul(scores, column(gates, i)));
}

/** The attention temperature e^⌊(epoch−1)/5⌋ for 1-based epochs (the code's e^⌊epoch_idx/5⌋, 0-based). */
export function attentionTemperature(epoch: number): number {
  return Math.exp(Math.floor((epoch - 1) / 5));
}

/**
 * Contrastive attention weights α [B, teachers]: softmax over teachers of −KL(p_J ‖ softmax(scaledᵢ)) / τ.
 * `detachedScaled` are constants (the teachers' side is detached, as in the authors' code); the Junior's side
 * keeps its gradient. The KL is exact, here and in the KD loss (core/distillation-loss.ts): the authors' code adds
 * ε = 1e-7 to the target probabilities inside the log, a difference of at most ~1e-7·K per query.
 */
export function contrastiveAttention(detachedScaled: readonly tf.Tensor2D[], juniorScores: tf.Tensor2D, temperature: number): tf.Tensor2D {
  const logPJ = tf.logSoftmax(juniorScores);
  const pJ = tf.exp(logPJ);
  const divergences = detachedScaled.map((scaled) => tf.sum(tf.mul(pJ, tf.sub(logPJ, tf.logSoftmax(scaled))), 1, true));
  return tf.softmax(tf.div(tf.neg(tf.concat(divergences, 1)), temperature)) as tf.Tensor2D;
}

/** Soft labels s_T = Σᵢ αᵢ · scaledᵢ for weights α [B, teachers]. */
export function combineTeachers(scaled: readonly tf.Tensor2D[], weights: tf.Tensor2D): tf.Tensor2D {
  return tf.addN(scaled.map((s, i) => tf.mul(s, column(weights, i)))) as tf.Tensor2D;
}

/** The Senior's soft labels and attention weights for one batch. */
export function seniorSoftLabels(teacherScores: readonly tf.Tensor2D[], gateRows: tf.Tensor2D | undefined, juniorScores: tf.Tensor2D,
  epoch: number, mechanisms: SeniorMechanisms): { softLabels: tf.Tensor2D; weights: tf.Tensor2D } {
  const scaled = mechanisms.scaling && gateRows ? relationScaling(teacherScores, gateRows) : [...teacherScores];
  const weights = mechanisms.attention
    ? contrastiveAttention(scaled.map((s) => stopGradient(s)), juniorScores, attentionTemperature(epoch))
    : tf.fill([juniorScores.shape[0], scaled.length], 1 / scaled.length) as tf.Tensor2D;
  return { softLabels: combineTeachers(scaled, weights), weights };
}
