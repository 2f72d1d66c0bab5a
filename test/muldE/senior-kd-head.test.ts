import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { seniorKdBlock } from './senior-kd-head.js';
import { seniorSoftLabels } from '../../src/muldE/senior.js';
import { binaryCrossEntropyWithLogits } from '../../src/core/losses.js';
import { temperatureKdLoss } from '../../src/core/distillation-loss.js';
import { SeededRandom } from '../../src/core/random.js';

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

const n = 3, K = 5, T = 2;

function randomArray(rng: SeededRandom, length: number, spread: number): Float32Array {
  return Float32Array.from({ length }, () => spread * (rng.next() - 0.5));
}

describe('seniorKdBlock (JS Senior + KD with hand-written gradient) against the tfjs reference', () => {
  it.each([
    [{ scaling: true, attention: true }, 1, 7],
    [{ scaling: false, attention: true }, 2, 1],
    [{ scaling: true, attention: false }, 1, 1],
    [{ scaling: false, attention: false }, 0.5, 12],
  ])('mechanisms %o, T = %f, epoch %i: losses and gradients agree', (mechanisms, temperature, epoch) => {
    const rng = new SeededRandom(`senior-kd:${temperature}:${epoch}`);
    const junior = randomArray(rng, n * K, 6);
    const teachers = [randomArray(rng, n * K, 8), randomArray(rng, n * K, 8)];
    const gates = randomArray(rng, n * T, 3);
    const labels = new Float32Array(n * K);
    labels[2] = 1;
    labels[K + 0] = 1; // query 2 has no gold answer among its candidates
    const kdWeight = 0.3;
    const tau = Math.exp(Math.floor((epoch - 1) / 5));
    const got = seniorKdBlock({ n, K, junior, teachers, gates, labels },
      { batchSize: n, temperature, kdWeight, attentionTemperature: tau, mechanisms });

    const ref = tf.tidy(() => {
      const teacherTensors = teachers.map((t) => tf.tensor2d(t, [n, K]));
      const labelTensor = tf.tensor2d(labels, [n, K]);
      const terms: number[] = [];
      const f = (s: tf.Tensor, g: tf.Tensor): tf.Scalar => {
        const { softLabels } = seniorSoftLabels(teacherTensors, g as tf.Tensor2D, s as tf.Tensor2D, epoch, mechanisms);
        const senior = binaryCrossEntropyWithLogits(softLabels, labelTensor);
        const kd = temperatureKdLoss(s as tf.Tensor2D, softLabels, temperature);
        terms.push(senior.dataSync()[0]!, kd.dataSync()[0]!);
        // 0·Σg keeps g on the tape when scaling is off (its gradient is then 0)
        return tf.addN([senior, tf.mul(kdWeight, kd), tf.mul(0, tf.sum(g))]) as tf.Scalar;
      };
      const [ds, dg] = tf.grads(f)([tf.tensor2d(junior, [n, K]), tf.tensor2d(gates, [n, T])]);
      return { senior: terms[0]!, kd: terms[1]!, ds: Array.from(ds!.dataSync()), dg: Array.from(dg!.dataSync()) };
    });
    expect(got.senior).toBeCloseTo(ref.senior, 5);
    expect(got.kd).toBeCloseTo(ref.kd, 5);
    for (let i = 0; i < n * K; i++) expect(got.dJunior[i]).toBeCloseTo(ref.ds[i]!, 6);
    for (let i = 0; i < n * T; i++) expect(got.dGates[i]).toBeCloseTo(mechanisms.scaling ? ref.dg[i]! : 0, 6);
    expect(Math.max(...ref.ds.map(Math.abs))).toBeGreaterThan(1e-3); // the comparison is not between zeros
  });
});
