/** Complex-number helpers on tfjs tensors whose last axis holds [real parts | imaginary parts]. */
import * as tf from '@tensorflow/tfjs-core';

/** Splits [B, 2k] into its real and imaginary halves [B, k]. */
export function splitComplex(x: tf.Tensor2D): [tf.Tensor2D, tf.Tensor2D] {
  const half = x.shape[1] / 2;
  return [tf.slice(x, [0, 0], [-1, half]), tf.slice(x, [0, half], [-1, half])];
}

/** Element-wise complex product (a + ib)(c + id) = (ac − bd) + i(ad + bc), as [re | im]. */
export function complexMultiply(aRe: tf.Tensor2D, aIm: tf.Tensor2D, bRe: tf.Tensor2D, bIm: tf.Tensor2D): tf.Tensor2D {
  return tf.concat([tf.sub(tf.mul(aRe, bRe), tf.mul(aIm, bIm)), tf.add(tf.mul(aRe, bIm), tf.mul(aIm, bRe))], 1);
}
