/**
 * Small tensor helpers the distillation losses, the image methods and the KG ports share, which the core lacks:
 * row normalisation, the attention map of a feature tensor and cosine-similarity logits (the stop-gradient is the
 * core's, core/stop-gradient.ts).
 */
import * as tf from '@tensorflow/tfjs-core';

/** Flattens every dimension after the first: [B, …] → [B, D]. */
export function flatten2d(x: tf.Tensor): tf.Tensor2D {
  const batch = x.shape[0]!;
  return tf.reshape(x, [batch, x.size / batch]);
}

/**
 * Rows divided by their L2 norm, at least 1e-12 (PyTorch's `F.normalize`): [B, …] → [B, D]. The floor is taken
 * on the squared norm, before the square root, whose derivative is infinite at 0: an all-zero row (a dead ReLU
 * feature) gets the finite gradient 1/1e-12 per unit of upstream gradient, as in PyTorch, not NaN.
 */
export function l2NormalizeRows(x: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    const flat = flatten2d(x);
    const norm = tf.sqrt(tf.maximum(tf.sum(tf.square(flat), 1, true), 1e-24));
    return tf.div(flat, norm) as tf.Tensor2D;
  });
}

/**
 * The attention map of a feature tensor (Zagoruyko & Komodakis 2017, eq. (1) with p = 2, mean over channels):
 * A = mean_c F_c² for conv features [B, H, W, C] → [B, H·W]; for dense features [B, D] the squared activations.
 */
export function attentionMap(features: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    const squared = tf.square(features);
    if (features.rank === 4) return flatten2d(tf.mean(squared, 3));
    return flatten2d(squared);
  });
}

/** Cosine similarities of all pairs of rows of z [N, d], divided by τ: [N, N]. */
export function cosineLogits(z: tf.Tensor2D, temperature: number): tf.Tensor2D {
  return tf.tidy(() => {
    const unit = l2NormalizeRows(z);
    return tf.div(tf.matMul(unit, unit, false, true), temperature) as tf.Tensor2D;
  });
}

/** A large negative number on the diagonal of an [N, N] matrix (to exclude k = i from a softmax over k). */
export function maskDiagonal(logits: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const n = logits.shape[0];
    return tf.sub(logits, tf.mul(tf.eye(n), 1e9)) as tf.Tensor2D;
  });
}
