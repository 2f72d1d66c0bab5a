/**
 * Softmax cross-entropy over all entities for dot-product similarity, as one tfjs op with a hand-written gradient:
 * the 1-N loss of the tfjs path (native backends, `path: 'tfjs'`) and the reference of the kernel path, the fused
 * dense kernel with its VJP on both threads (src/kernels/assembly/dense-softmax.ts, run by one-to-n-step.ts).
 *
 * Forward: S = q·Eᵀ + b, P = softmax(S) row-wise, L = −mean_b log P[b, gold_b].
 * Backward with dS = (P − onehot(gold))/B, without ever forming the one-hot matrix or copying [B×N] values to
 * JavaScript: dq = (P·E − E[gold])/B, dEᵀ = (qᵀ·P)/B minus q_b/B at column gold_b, db = (Σ_b P[b] − counts(gold))/B.
 * Every product keeps its operands in the layout the wasm matMul is fast with (qᵀ·P gives dEᵀ directly, so the
 * [B×N] matrix is never transposed); the gold corrections touch B rows.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Adds −scale·rows[b] to row gold[b] of a [rows × d] matrix (in place). */
function subtractGoldRows(target: Float32Array, d: number, rows: Float32Array, gold: Int32Array, scale: number): void {
  for (let b = 0; b < gold.length; b++) {
    const to = gold[b]! * d;
    const from = b * d;
    for (let k = 0; k < d; k++) target[to + k] -= scale * rows[from + k]!;
  }
}

/** L(q, E, b) for gold answers; `bias` is [1, N] or undefined. */
export function dotSoftmaxCrossEntropy(q: tf.Tensor2D, table: tf.Tensor2D, bias: tf.Tensor2D | undefined, gold: Int32Array): tf.Scalar {
  const B = q.shape[0];
  const N = table.shape[0];
  const d = q.shape[1];
  const goldIndex = tf.tensor2d(Int32Array.from(gold, (g, b) => b * N + g), [B, 1], 'int32');
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    // tfjs appends its `save` function after the inputs, so take exactly the inputs passed.
    const [qT, eT, bT] = args.slice(0, bias ? 3 : 2) as tf.Tensor2D[];
    const save = args[bias ? 3 : 2] as tf.GradSaveFunc;
    const probabilities = tf.tidy(() => {
      let scores: tf.Tensor2D = tf.matMul(qT!, tf.transpose(eT!));
      if (bT) scores = tf.add(scores, bT);
      return tf.softmax(scores);
    });
    save([qT!, eT!, probabilities]);
    const goldP = tf.tidy(() => tf.gather(tf.reshape(probabilities, [B * N]), tf.reshape(goldIndex, [B])).dataSync() as Float32Array);
    let loss = 0;
    for (let b = 0; b < B; b++) loss -= Math.log(Math.max(goldP[b]!, 1e-30));
    const value = tf.scalar(loss / B);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => tf.tidy(() => {
      const [savedQ, savedTable, p] = saved as tf.Tensor2D[];
      const scale = (dy.dataSync()[0] ?? 1) / B;
      // dq = (P·E − E[gold]) / B
      const pe = tf.matMul(p!, savedTable!).dataSync() as Float32Array;
      const goldRows = tf.gather(savedTable!, tf.tensor1d(gold, 'int32')).dataSync() as Float32Array;
      const dq = new Float32Array(B * d);
      for (let i = 0; i < dq.length; i++) dq[i] = scale * (pe[i]! - goldRows[i]!);
      // dE = (Pᵀ·q)/B − q_b/B at rows gold_b, from dEᵀ = qᵀ·P (no [B×N] transpose)
      const dE = tf.transpose(tf.matMul(tf.transpose(savedQ!), p!)).dataSync() as Float32Array;
      const qValues = savedQ!.dataSync() as Float32Array;
      for (let i = 0; i < dE.length; i++) dE[i] *= scale;
      subtractGoldRows(dE, d, qValues, gold, scale);
      const grads: tf.Tensor[] = [tf.tensor2d(dq, [B, d]), tf.tensor2d(dE, [N, d])];
      if (bT) {
        const db = tf.sum(p!, 0, true).dataSync() as Float32Array;
        for (let i = 0; i < N; i++) db[i] *= scale;
        for (let b = 0; b < B; b++) db[gold[b]!] -= scale;
        grads.push(tf.tensor2d(db, [1, N]));
      }
      return grads;
    });
    return { value, gradFunc };
  });
  try {
    return (bias ? op(q, table, bias) : op(q, table)) as tf.Scalar;
  } finally {
    goldIndex.dispose();
  }
}
