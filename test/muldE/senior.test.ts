import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { attentionTemperature, combineTeachers, contrastiveAttention, relationScaling, seniorSoftLabels } from '../../src/muldE/senior.js';

beforeAll(async () => {
  expect(await tf.setBackend('cpu')).toBe(true);
});

const values = (t: tf.Tensor): number[] => Array.from(t.dataSync());

describe('MulDE Senior', () => {
  it('relation-specific scaling multiplies teacher i by σ(g[r, i])', () => {
    tf.tidy(() => {
      // σ(0) = 0.5, σ(ln 3) = 0.75.
      const scaled = relationScaling([tf.tensor2d([[2, 4]]), tf.tensor2d([[-8, 1]])], tf.tensor2d([[0, Math.log(3)]]));
      expect(values(scaled[0]!)).toEqual([1, 2]);
      values(scaled[1]!).forEach((v, i) => expect(v).toBeCloseTo([-6, 0.75][i]!, 6));
    });
  });

  it('contrastive attention sums to one and favours the teacher whose distribution is the Junior’s', () => {
    tf.tidy(() => {
      const junior = tf.tensor2d([[3, 1, 0], [0, 0, 5]]);
      const close = tf.tensor2d([[3, 1, 0], [0, 0, 5]]); // D = 0
      const far = tf.tensor2d([[0, 1, 3], [5, 0, 0]]);
      const weights = contrastiveAttention([far, close], junior, 1).arraySync() as number[][];
      for (const row of weights) {
        expect(row[0]! + row[1]!).toBeCloseTo(1, 6);
        expect(row[1]!).toBeGreaterThan(0.9);
      }
      // Hand check of row 0: D_far = KL(p‖q) with p = softmax(3,1,0), q = softmax(0,1,3); α_close = 1/(1 + e^{−D_far}).
      const p = [Math.exp(3), Math.exp(1), 1].map((x, _, a) => x / a.reduce((s, y) => s + y, 0));
      const q = [1, Math.exp(1), Math.exp(3)].map((x, _, a) => x / a.reduce((s, y) => s + y, 0));
      const dFar = p.reduce((s, pi, i) => s + pi * Math.log(pi / q[i]!), 0);
      expect(weights[0]![1]).toBeCloseTo(1 / (1 + Math.exp(-dFar)), 5);
    });
  });

  it('the attention temperature e^⌊(epoch−1)/5⌋ flattens the weights in later epochs', () => {
    expect(attentionTemperature(1)).toBe(1);
    expect(attentionTemperature(5)).toBe(1);
    expect(attentionTemperature(6)).toBeCloseTo(Math.E, 10);
    expect(attentionTemperature(11)).toBeCloseTo(Math.exp(2), 10);
    tf.tidy(() => {
      const junior = tf.tensor2d([[3, 1, 0]]);
      const early = contrastiveAttention([tf.tensor2d([[0, 1, 3]]), junior], junior, attentionTemperature(1)).dataSync();
      const late = contrastiveAttention([tf.tensor2d([[0, 1, 3]]), junior], junior, attentionTemperature(26)).dataSync();
      expect(late[1]! - late[0]!).toBeLessThan(early[1]! - early[0]!);
      expect(late[1]!).toBeCloseTo(0.5, 1);
    });
  });

  it('soft labels are the α-weighted sum; without attention the plain mean; without scaling the raw scores', () => {
    tf.tidy(() => {
      const t1 = tf.tensor2d([[2, 0]]);
      const t2 = tf.tensor2d([[0, 4]]);
      expect(values(combineTeachers([t1, t2], tf.tensor2d([[0.25, 0.75]])))).toEqual([0.5, 3]);
      const junior = tf.tensor2d([[1, 1]]);
      const plain = seniorSoftLabels([t1, t2], undefined, junior, 1, { scaling: false, attention: false });
      expect(values(plain.softLabels)).toEqual([1, 2]);
      expect(values(plain.weights)).toEqual([0.5, 0.5]);
      const scaledOnly = seniorSoftLabels([t1, t2], tf.tensor2d([[0, 0]]), junior, 1, { scaling: true, attention: false });
      expect(values(scaledOnly.softLabels)).toEqual([0.5, 1]);
    });
  });
});
