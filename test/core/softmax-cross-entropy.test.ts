// The core's hard-target softmax cross-entropy, the one home of the formula (also the general module's
// `crossEntropy`): its value on a hand-computed case, its gradient (tfjs autodiff) against the closed form
// (softmax − one-hot)/B, and the gold ids it takes (typed array or tensor, one per row).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { softmaxCrossEntropy } from '../../src/core/losses.js';

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

const LOGITS = [[1, 2, 3], [1, 0, -1]];
const GOLD = [2, 1];
// Row 1: logsumexp(1, 2, 3) − 3 = log(1 + e⁻¹ + e⁻²); row 2: logsumexp(1, 0, −1) − 0 = 1 + log(1 + e⁻¹ + e⁻²).
const HAND = (Math.log(1 + Math.exp(-1) + Math.exp(-2)) + 1 + Math.log(1 + Math.exp(-1) + Math.exp(-2))) / 2; // 0.907605964…

/** (softmax(z_b) − onehot(y_b)) / B in float64. */
function handGradient(logits: number[][], gold: number[]): number[] {
  return logits.flatMap((row, b) => {
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const total = e.reduce((s, v) => s + v, 0);
    return e.map((v, c) => (v / total - (c === gold[b] ? 1 : 0)) / logits.length);
  });
}

describe('softmaxCrossEntropy', () => {
  it('has the hand-computed value of a 2 × 3 case, and the closed-form gradient', () => {
    expect(HAND).toBeCloseTo(0.9076059644, 9);
    tf.tidy(() => {
      const { value, grad } = tf.valueAndGrad((z: tf.Tensor) => softmaxCrossEntropy(z as tf.Tensor2D, Int32Array.from(GOLD)))(tf.tensor2d(LOGITS));
      expect(Math.abs(value.dataSync()[0]! - HAND)).toBeLessThan(1e-6);
      const expected = handGradient(LOGITS, GOLD);
      grad.dataSync().forEach((g, i) => expect(Math.abs(g - expected[i]!)).toBeLessThan(1e-6));
    });
  });

  it('takes the gold ids as an Int32Array, an int32 tensor or an integer-valued float tensor alike', () => {
    tf.tidy(() => {
      const logits = tf.randomNormal([5, 7], 0, 2, 'float32', 11) as tf.Tensor2D;
      const gold = Int32Array.of(0, 6, 3, 3, 1);
      const run = (ids: Int32Array | tf.Tensor1D) => tf.valueAndGrad((z: tf.Tensor) => softmaxCrossEntropy(z as tf.Tensor2D, ids))(logits);
      const typed = run(gold);
      for (const ids of [tf.tensor1d(gold, 'int32'), tf.tensor1d(Array.from(gold), 'float32')]) {
        const other = run(ids);
        expect(other.value.dataSync()[0]).toBe(typed.value.dataSync()[0]);
        expect(Array.from(other.grad.dataSync())).toEqual(Array.from(typed.grad.dataSync()));
      }
      const expected = handGradient(logits.arraySync(), Array.from(gold));
      typed.grad.dataSync().forEach((g, i) => expect(Math.abs(g - expected[i]!)).toBeLessThan(1e-6));
    });
  });

  it('refuses a gold id count that is not the row count, and leaks no tensor', () => {
    const logits = tf.tensor2d(LOGITS);
    const before = tf.memory().numTensors;
    expect(() => softmaxCrossEntropy(logits, Int32Array.of(0, 1, 2))).toThrow('softmax cross-entropy: 3 gold ids for 2 rows of scores');
    expect(() => softmaxCrossEntropy(logits, Int32Array.of(0))).toThrow('1 gold ids for 2 rows');
    softmaxCrossEntropy(logits, Int32Array.from(GOLD)).dispose();
    expect(tf.memory().numTensors).toBe(before);
    logits.dispose();
  });
});
