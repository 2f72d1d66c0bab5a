import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { dotSoftmaxCrossEntropy } from '../../src/core/dot-softmax-loss.js';
import { softmaxCrossEntropy } from '../../src/core/losses.js';

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

describe('dotSoftmaxCrossEntropy (the 1-N fast path)', () => {
  it('has the value of a hand-computed case', () => {
    // q = [1, 0], E = [[1, 0], [0, 1]], no bias: scores [1, 0]; gold 0 → log(e + 1) − 1 = 0.31326.
    const loss = tf.tidy(() => dotSoftmaxCrossEntropy(tf.tensor2d([[1, 0]]), tf.tensor2d([[1, 0], [0, 1]]), undefined, Int32Array.of(0)).dataSync()[0]!);
    expect(loss).toBeCloseTo(Math.log(Math.E + 1) - 1, 5);
  });

  it.each([true, false])('matches the plain tfjs loss in value and gradients (bias: %s)', (withBias) => {
    tf.tidy(() => {
      const q = tf.randomNormal([4, 6], 0, 1, 'float32', 1) as tf.Tensor2D;
      const table = tf.randomNormal([9, 6], 0, 1, 'float32', 2) as tf.Tensor2D;
      const bias = tf.randomNormal([1, 9], 0, 1, 'float32', 3) as tf.Tensor2D;
      const gold = Int32Array.of(0, 3, 8, 3);
      const inputs = withBias ? [q, table, bias] : [q, table];
      const fast = tf.valueAndGrads((...xs: tf.Tensor[]) => dotSoftmaxCrossEntropy(xs[0] as tf.Tensor2D, xs[1] as tf.Tensor2D, xs[2] as tf.Tensor2D | undefined, gold))(inputs);
      const plain = tf.valueAndGrads((...xs: tf.Tensor[]) => {
        let scores: tf.Tensor2D = tf.matMul(xs[0] as tf.Tensor2D, xs[1] as tf.Tensor2D, false, true);
        if (xs[2]) scores = tf.add(scores, xs[2]);
        return softmaxCrossEntropy(scores, gold);
      })(inputs);
      expect(fast.value.dataSync()[0]).toBeCloseTo(plain.value.dataSync()[0]!, 5);
      fast.grads.forEach((g, i) => {
        const expected = plain.grads[i]!.dataSync();
        g.dataSync().forEach((x, j) => expect(x).toBeCloseTo(expected[j]!, 5));
      });
    });
  });
});
