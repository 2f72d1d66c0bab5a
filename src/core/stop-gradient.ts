/**
 * A stop-gradient on the tfjs tape (tfjs has none): the same values, no gradient flowing back — PyTorch's
 * `.detach()`, which the papers' code uses to make a peer's or a teacher's predictions targets.
 */
import * as tf from '@tensorflow/tfjs-core';

const stop = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor;
  return { value: tf.clone(x), gradFunc: (dy: tf.Tensor | tf.Tensor[]) => tf.zerosLike(dy as tf.Tensor) };
});

/** The same values with no gradient flowing back (PyTorch's `detach`). */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return stop(x) as T;
}
