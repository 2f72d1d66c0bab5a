/**
 * Softmax cross-entropy over all entities for dot-product similarity, as one tfjs op with a hand-written
 * gradient (the 1-N fast path for DistMult, ComplEx and other bilinear models).
 *
 * Forward: S = q·Eᵀ + b (one matMul with the table pre-transposed), L = mean_b(logsumexp(S_b) − S_b,gold).
 * Backward (dL/dS = (softmax(S) − onehot(gold))/B): dq = dS·E, dE = dSᵀ·q, db = Σ_b dS. Every product keeps its
 * operands in the layout the wasm matMul is fast with (an explicit transpose of dS costs less than
 * transposeA/transposeB, which are ~8× slower there).
 */
import * as tf from '@tensorflow/tfjs';

/** L(q, E, b) for gold answers; `bias` is [1, N] or undefined. */
export function dotSoftmaxCrossEntropy(q: tf.Tensor2D, table: tf.Tensor2D, bias: tf.Tensor2D | undefined, gold: Int32Array): tf.Scalar {
  const B = q.shape[0];
  const N = table.shape[0];
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    // tfjs appends its `save` function after the inputs, so take exactly the inputs passed.
    const [qT, eT, bT] = args.slice(0, bias ? 3 : 2) as tf.Tensor2D[];
    const save = args[bias ? 3 : 2] as tf.GradSaveFunc;
    save([qT!, eT!]);
    const probabilities = tf.tidy(() => {
      let scores: tf.Tensor2D = tf.matMul(qT!, tf.transpose(eT!));
      if (bT) scores = tf.add(scores, bT);
      return tf.softmax(scores);
    });
    const p = probabilities.dataSync() as Float32Array;
    probabilities.dispose();
    let loss = 0;
    const dS = new Float32Array(p.length);
    for (let b = 0; b < B; b++) {
      const g = b * N + gold[b]!;
      loss -= Math.log(Math.max(p[g]!, 1e-30));
    }
    const scale = 1 / B;
    for (let i = 0; i < p.length; i++) dS[i] = p[i]! * scale;
    for (let b = 0; b < B; b++) dS[b * N + gold[b]!] -= scale;
    const value = tf.scalar(loss / B);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => tf.tidy(() => {
      const [savedQ, savedTable] = saved as tf.Tensor2D[];
      const dScores = tf.mul(tf.tensor2d(dS, [B, N]), dy);
      const grads: tf.Tensor[] = [tf.matMul(dScores, savedTable!), tf.matMul(tf.transpose(dScores), savedQ!)];
      if (bT) grads.push(tf.sum(dScores, 0, true));
      return grads;
    });
    return { value, gradFunc };
  });
  return (bias ? op(q, table, bias) : op(q, table)) as tf.Scalar;
}
