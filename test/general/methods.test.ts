// Small training sanity checks: every method and baseline runs on a slice of the digits without leaking tensors,
// plain training learns, KD's teacher is better than chance, the runner is deterministic per seed.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { loadDigits, type ImageSet } from '../../src/general/data/digits.js';
import { selectRows, stratifiedSplit } from '../../src/general/data/split.js';
import { createNet } from '../../src/general/nets/factory.js';
import { accuracy, trainWithCrossEntropy } from '../../src/general/training/supervised.js';
import { linearProbeAccuracy } from '../../src/general/training/linear-probe.js';
import { allMethods, getMethod } from '../../src/general/methods/registry.js';
import { parseMethodParams, runComparison } from '../../src/general/runner.js';
import { warmup } from '../../src/general/methods/ffsd.js';

let train: ImageSet;
let test: ImageSet;
let small: ImageSet;

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

  it('every method and baseline runs briefly without leaking tensors', () => {
    const budget = { epochs: 1, batchSize: 64, learningRate: 0.003 };
    for (const method of allMethods()) {
      const params = parseMethodParams(method.name, {});
      const ctx = { train: small, test, seed: 0, budget, arch: method.defaultArch, params, log: () => undefined };
      const before = tf.memory().numTensors;
      const baseline = method.runBaseline(ctx);
      const result = method.runMethod(ctx);
      expect(tf.memory().numTensors, method.name).toBe(before);
      for (const outcome of [baseline, result]) {
        expect(outcome.accuracy, method.name).toBeGreaterThanOrEqual(0);
        expect(outcome.accuracy, method.name).toBeLessThanOrEqual(1);
      }
    }
  }, 60_000);

  it('FFSD refuses dense features with a clear error', () => {
    const ffsd = getMethod('ffsd');
    const ctx = { train: small, test, seed: 0, budget: { epochs: 1, batchSize: 64, learningRate: 0.003 }, arch: 'mlp' as const, params: parseMethodParams('ffsd', {}), log: () => undefined };
    expect(() => ffsd.runMethod(ctx)).toThrow(/FFSD needs convolutional feature maps .* use --arch cnn/);
  });
});

describe('runner', () => {
  it('trains baseline and method on the same seed, deterministically, and summarises them', async () => {
    const input = { method: 'kd', seeds: [0, 1], epochs: 2 };
    const a = await runComparison(input);
    const b = await runComparison(input);
    expect(a.seeds.map((s) => [s.baseline.accuracy, s.method.accuracy])).toEqual(b.seeds.map((s) => [s.baseline.accuracy, s.method.accuracy]));
    expect(a.dataset).toMatchObject({ name: 'digits', train: 1346, test: 451, verified: true });
    expect(a.budget).toEqual({ epochs: 2, batchSize: 64, learningRate: 0.003 });
    expect(a.summary.baseline.n).toBe(2);
    expect(a.summary.difference.mean).toBeCloseTo(a.summary.method.mean - a.summary.baseline.mean, 10);
    expect(a.summary.extra.teacher!.mean).toBeGreaterThan(0.8);
    await expect(runComparison({ method: 'kd', seeds: [], epochs: 1 })).rejects.toThrow(/invalid kd options: seeds/);
    await expect(runComparison({ method: 'kd', params: { alpha: 2 } })).rejects.toThrow(/invalid parameters for method 'kd': alpha/);
  }, 60_000);
});
