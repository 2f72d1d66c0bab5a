// Small training sanity checks: every method and baseline learns a separable toy task well above chance without
// leaking tensors, plain training learns the digits, KD's teacher is better than chance, the runner is
// deterministic per seed.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { loadDigits, type ImageSet } from '../../../src/general/images/data/digits.js';
import { selectRows, stratifiedSplit } from '../../../src/general/images/data/split.js';
import { createNet } from '../../../src/general/images/nets/factory.js';
import { accuracy, trainWithCrossEntropy } from '../../../src/general/images/training/supervised.js';
import { linearProbeAccuracy } from '../../../src/general/images/training/linear-probe.js';
import { METHODS, compareOnDigits, getMethod, parseMethodParams } from '../../../src/general/method-registry.js';
import { warmup } from '../../../src/general/images/methods/ffsd.js';
import { toyDigits } from './toy-digits.js';

let train: ImageSet;
let test: ImageSet;
let small: ImageSet;

/** Parameters that keep the slower methods within a second or two on the toy task (defaults otherwise). */
const BRIEF: Record<string, Record<string, unknown>> = {
  fedntd: { clients: 4, alpha: 1, lr: 0.05, size: 'student' },
  cbd: { ratio: 5, size: 'student', augment: false },
  stream: { frames: 120, sceneLength: 40, pretrainEpochs: 2 },
  simclrv2: { finetuneEpochs: 10, distillEpochs: 3, labelFraction: 0.2 },
  fedx: { clients: 4 },
};

/**
 * Methods whose figure is not a 10-class accuracy on the images (det-kd: balanced detection accuracy over 11
 * classes with IoU ≥ 0.5; stream: accuracy over a drifting stream of rotated, shifted frames, which a one-pixel toy
 * class does not survive): bounded on tasks of their own in detection.test.ts and stream.test.ts.
 */
const OWN_TASK = new Set(['det-kd', 'stream']);

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  ({ train, test } = stratifiedSplit(await loadDigits(), 0.25, 0));
  small = selectRows(train, Int32Array.from({ length: 192 }, (_, i) => i * 7));
});

describe('training sanity', () => {
  it('cross-entropy training of the MLP student learns the digits in a few epochs', () => {
    const net = createNet('mlp', 'student', 0);
    const before = accuracy(net, test);
    trainWithCrossEntropy(net, train, { epochs: 5, batchSize: 64, learningRate: 0.003 }, 0);
    const after = accuracy(net, test);
    net.dispose();
    expect(before).toBeLessThan(0.3);
    expect(after).toBeGreaterThan(0.8);
  });

  it('a linear probe on a random encoder is above chance and below a trained one', () => {
    const net = createNet('mlp', 'teacher', 0);
    const random = linearProbeAccuracy(net, small, test, { steps: 100, learningRate: 0.01, weightDecay: 1e-4 });
    expect(random).toBeGreaterThan(0.3);
    trainWithCrossEntropy(net, train, { epochs: 3, batchSize: 64, learningRate: 0.003 }, 0);
    expect(linearProbeAccuracy(net, small, test, { steps: 100, learningRate: 0.01, weightDecay: 1e-4 })).toBeGreaterThan(random);
    net.dispose();
  });

  it('FFSD warms its weights up as exp(−5(1 − e/5)²)', () => {
    expect(warmup(5, 5)).toBe(1);
    expect(warmup(1, 5)).toBeCloseTo(Math.exp(-5 * 0.64), 10);
    expect(warmup(9, 5)).toBe(1);
  });

  it('every image-classification method and baseline learns a separable toy task (≥ 0.3, chance 0.1) in 3 epochs; none leaks tensors', () => {
    // Class c lights pixel c: 240 training and 100 test images, 10 balanced classes, so chance is 0.1. Measured on
    // wasm (seed 0): every method and baseline 0.37–1.0 (LAD's student 0.37, its PAA baseline 0.39); an untrained or
    // unstepped network stays near 0.1.
    const toyTrain = toyDigits(24, 1);
    const toyTest = toyDigits(10, 2);
    const budget = { epochs: 3, batchSize: 32, learningRate: 0.01 };
    for (const { images: method } of METHODS.entries()) {
      const params = parseMethodParams(method.name, BRIEF[method.name] ?? {});
      const ctx = { train: toyTrain, test: toyTest, seed: 0, budget, arch: method.defaultArch, params, log: () => undefined };
      const before = tf.memory().numTensors;
      const baseline = method.runBaseline(ctx);
      const result = method.runMethod(ctx);
      expect(tf.memory().numTensors, method.name).toBe(before);
      for (const outcome of [baseline, result]) {
        expect(outcome.accuracy, method.name).toBeLessThanOrEqual(1);
        // det-kd and stream measure another task, which this toy does not pose (here det-kd stays at its chance, 1/11):
        // only their tensors and range are checked here; what they learn is bounded in their own tests
        if (!OWN_TASK.has(method.name)) expect(outcome.accuracy, method.name).toBeGreaterThanOrEqual(0.3);
      }
    }
  }, 60_000);

  it('FFSD refuses dense features with a clear error', () => {
    const ffsd = getMethod('ffsd').images;
    const ctx = { train: small, test, seed: 0, budget: { epochs: 1, batchSize: 64, learningRate: 0.003 }, arch: 'mlp' as const, params: parseMethodParams('ffsd', {}), log: () => undefined };
    expect(() => ffsd.runMethod(ctx)).toThrow(/FFSD needs convolutional feature maps .* use --arch cnn/);
  });
});

describe('runner', () => {
  it('trains baseline and method on the same seed, deterministically, and summarises them', async () => {
    const input = { seeds: [0, 1], epochs: 2 };
    const a = await compareOnDigits('kd', input);
    const b = await compareOnDigits('kd', input);
    expect(a.seeds.map((s) => [s.baseline.accuracy, s.method.accuracy])).toEqual(b.seeds.map((s) => [s.baseline.accuracy, s.method.accuracy]));
    expect(a.dataset).toMatchObject({ name: 'digits', train: 1346, test: 451, verified: true });
    expect(a.budget).toEqual({ epochs: 2, batchSize: 64, learningRate: 0.003 });
    expect(a.summary.baseline.n).toBe(2);
    expect(a.summary.difference.mean).toBeCloseTo(a.summary.method.mean - a.summary.baseline.mean, 10);
    expect(a.summary.extra.teacher!.mean).toBeGreaterThan(0.8);
    await expect(compareOnDigits('kd', { seeds: [], epochs: 1 })).rejects.toThrow(/invalid kd options: seeds/);
    await expect(compareOnDigits('kd', { params: { alpha: 2 } })).rejects.toThrow(/invalid parameters for distillation method 'kd': alpha/);
  }, 60_000);
});
