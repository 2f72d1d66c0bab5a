import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { temperatureKdLoss } from '../../src/core/distillation-loss.js';

beforeAll(async () => {
  expect(await tf.setBackend('cpu')).toBe(true);
});

describe('temperatureKdLoss (Hinton et al. 2015)', () => {
  it('is T²·KL on a hand-computed pair', () => {
    // Teacher logits [ln 3, 0] → p = (3/4, 1/4); student [0, 0] → q = (1/2, 1/2) at T = 1.
    // KL(p‖q) = ¾ ln(3/2) + ¼ ln(1/2) = 0.130812.
    const value = tf.tidy(() => temperatureKdLoss(tf.tensor2d([[0, 0]]), tf.tensor2d([[Math.log(3), 0]]), 1).dataSync()[0]!);
    expect(value).toBeCloseTo(0.75 * Math.log(1.5) + 0.25 * Math.log(0.5), 5);
    // At T = 2 the teacher softens to softmax([ln3/2, 0]) = (√3/(1+√3), 1/(1+√3)); loss = 4·KL.
    const p = Math.sqrt(3) / (1 + Math.sqrt(3));
    const expected = 4 * (p * Math.log(2 * p) + (1 - p) * Math.log(2 * (1 - p)));
    const soft = tf.tidy(() => temperatureKdLoss(tf.tensor2d([[0, 0]]), tf.tensor2d([[Math.log(3), 0]]), 2).dataSync()[0]!);
    expect(soft).toBeCloseTo(expected, 5);
  });

  it('is zero when student equals teacher, averages over rows, and pulls the student towards the teacher', () => {
    tf.tidy(() => {
      const t = tf.tensor2d([[1, 2, 3], [0, 0, 5]]);
      expect(temperatureKdLoss(t, t, 3).dataSync()[0]).toBeCloseTo(0, 6);
      const s = tf.tensor2d([[3, 2, 1], [0, 0, 5]]);
      const both = temperatureKdLoss(s, t).dataSync()[0]!;
      const first = temperatureKdLoss(s.slice([0, 0], [1, 3]), t.slice([0, 0], [1, 3])).dataSync()[0]!;
      expect(both).toBeCloseTo(first / 2, 5);
      const grad = tf.grad((x: tf.Tensor) => temperatureKdLoss(x as tf.Tensor2D, t))(s).arraySync() as number[][];
      expect(grad[0]![2]).toBeLessThan(0); // raising the student's logit where the teacher is highest lowers the loss
      expect(grad[0]![0]).toBeGreaterThan(0);
    });
  });

  it('rejects a non-positive temperature', () => {
    expect(() => temperatureKdLoss(tf.tensor2d([[0]]), tf.tensor2d([[0]]), 0)).toThrow(/temperature must be positive/);
  });
});
