/** No function of src/hyperbolic (nor of the oracles in ball-oracles.ts) leaks tensors: forward or backward, inside tf.tidy or not. */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as H from '../../src/hyperbolic/index.js';
import * as O from './ball-oracles.js';

let x: tf.Tensor;
let y: tf.Tensor;
let c: tf.Tensor;
let pts: tf.Tensor;

beforeAll(async () => {
  if (!(await tf.setBackend('cpu'))) throw new Error('cpu backend unavailable');
  x = tf.tensor2d([[0.1, 0.2, 0.3, 0.4], [0, 0, 0, 0], [0.5, -0.5, 0.4, 0.3]]);
  y = tf.tensor2d([[-0.3, 0.1, 0, 0.2], [0.6, 0, 0, 0], [0.5, -0.5, 0.4, 0.35]]);
  c = tf.tensor2d([[1], [0.5], [1.3]]);
  pts = tf.tensor2d([[0.1, 0, 0, 0], [0, 0.9, 0, 0], [0.2, 0.2, 0.2, 0.2], [0, 0, 0, 0], [0.3, -0.1, 0.5, 0]]);
});

afterAll(() => tf.dispose([x, y, c, pts]));

const cases: Array<[string, (a: tf.Tensor, b: tf.Tensor, k: tf.Tensor) => tf.Tensor]> = [
  ['expmap0', (a, _b, k) => H.expmap0(a, k)],
  ['logmap0', (a, _b, k) => O.logmap0(a, k)],
  ['project', (a, _b, k) => H.project(tf.mul(a, 5), k)],
  ['mobiusAdd', (a, b, k) => H.mobiusAdd(a, b, k)],
  ['poincareDistance', (a, b, k) => O.poincareDistance(a, b, k)],
  ['sqPoincareDistance', (a, b, k) => O.sqPoincareDistance(a, b, k)],
  ['sqPoincareDistanceAll', (a, _b, k) => O.sqPoincareDistanceAll(a, pts, k)],
  ['sqPoincareDistanceAll (transposed)', (a, _b, k) => O.sqPoincareDistanceAll(a, tf.transpose(pts), k, { pointsTransposed: true })],
  ['givensRotation', (a, b) => H.givensRotation(b, a)],
  ['givensReflection', (a, b) => H.givensReflection(b, a)],
  ['artanh', (a) => O.artanh(a)],
  ['tanh', (a) => O.tanh(a)],
  ['acosh', (a) => O.acosh(tf.add(a, 1))],
  ['safeNorm', (a) => H.safeNorm(a)],
  ['safeSqrt', (a) => O.safeSqrt(tf.abs(a))],
  ['tanhRatio', (a) => H.tanhRatio(tf.abs(a))],
  ['artanhRatio', (a) => O.artanhRatio(tf.abs(a))],
  ['asinhSqRatio', (a) => O.asinhSqRatio(tf.abs(a))],
];

describe('tensor bookkeeping', () => {
  it.each(cases)('%s: forward and gradient inside tf.tidy leave numTensors unchanged', (_name, f) => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      f(x, y, c);
      tf.grads((a: tf.Tensor, b: tf.Tensor, k: tf.Tensor) => tf.sum(tf.add(f(a, b, k), tf.mul(0, tf.add(tf.sum(b), tf.sum(k))))))([x, y, c]);
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each(cases.filter(([n]) => !n.includes('transposed') && !['project', 'acosh', 'safeSqrt'].some((m) => n === m) && !n.includes('Ratio')))(
    '%s: outside tf.tidy adds exactly its result',
    (_name, f) => {
      const before = tf.memory().numTensors;
      const out = f(x, y, c);
      expect(tf.memory().numTensors).toBe(before + 1);
      out.dispose();
      expect(tf.memory().numTensors).toBe(before);
    },
  );
});
