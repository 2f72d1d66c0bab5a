// FedX pieces on hand-checkable values: the relational loss (relation vectors to anchors, matched to their
// mixture), the local objective's composition, and short unsupervised federated runs through the registry.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { relationLogits, relationalLoss } from '../../../src/general/images/fedx/relational-loss.js';
import { fedxLocalLoss, runFedx, type FedxConfig } from '../../../src/general/images/fedx/simulation.js';
import { ntXent } from '../../../src/general/losses/contrastive.js';
import { Head } from '../../../src/general/images/nets/head.js';
import { augmentationSchema } from '../../../src/general/images/data/augment.js';
import { getMethod, parseMethodParams } from '../../../src/general/method-registry.js';
import { toyDigits, t2, value } from './toy-digits.js';

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

const toy = toyDigits;
const anchors = [[1, 0], [0, 1]];

describe('FedX relational loss', () => {
  it('relation logits are cosine similarities to the anchors over τ', () => {
    expect(tf.tidy(() => relationLogits(t2([[3, 4]]), t2(anchors), 0.5).arraySync()[0]!.map((v) => +v.toFixed(5)))).toEqual([1.2, 1.6]);
  });

  it('hand-computed: opposite views, mixture (½, ½): L = ½[ln ¼ − ln(pq)] = 0.120115 with p = e/(e+1)', () => {
    expect(value(() => relationalLoss(t2([[1, 0]]), t2([[0, 1]]), t2(anchors), 1, 1))).toBeCloseTo(0.1201145, 5);
    // Cosine: scaling an embedding changes nothing.
    expect(value(() => relationalLoss(t2([[5, 0]]), t2([[0, 0.2]]), t2(anchors), 1, 1))).toBeCloseTo(0.1201145, 5);
  });

  it('hand-computed: equal views with a sharper target (τ_t = ½): KL(softmax(2, 0) ‖ softmax(1, 0)) = 0.067131', () => {
    expect(value(() => relationalLoss(t2([[1, 0]]), t2([[1, 0]]), t2(anchors), 1, 0.5))).toBeCloseTo(0.0671308, 5);
  });

  it('is zero with zero gradient when both views relate alike at one temperature (target detached)', () => {
    expect(value(() => relationalLoss(t2([[1, 2]]), t2([[2, 4]]), t2(anchors), 0.5, 0.5))).toBeCloseTo(0, 6);
    const g = tf.tidy(() => tf.grad((z: tf.Tensor) => relationalLoss(z as tf.Tensor2D, t2([[2, 4]]), t2(anchors), 0.5, 0.5))(t2([[1, 2]])).arraySync() as number[][]);
    g[0]!.forEach((v) => expect(Math.abs(v)).toBeLessThan(1e-6));
    expect(() => relationalLoss(t2([[1, 0]]), t2([[1, 0, 0]]), t2(anchors), 1, 1)).toThrow(/differ in shape/);
    expect(() => relationalLoss(t2([[1, 0, 0]]), t2([[1, 0, 0]]), t2(anchors), 1, 1)).toThrow(/anchors have width 2/);
  });
});

describe('FedX local objective', () => {
  const config = { temperature: 0.5, relTemperature: 0.5, targetTemperature: 0.5 } as FedxConfig;
  const views = () => ({ x1: t2([[1, 0], [0, 1], [1, 1]]), x2: t2([[1, 0.2], [0.1, 1], [1, 0.8]]), random: t2([[1, -1], [0, 2], [3, 1]]) });

  it('FedAvg: NT-Xent alone; FedX: + L_rel(z¹, z²; z^r) + NT-Xent(p¹, z_g²) + L_rel(p¹, p²; z_g^r)', () => {
    const predictor = new Head([2], { hidden: [], out: 2 }, 'p');
    const local = { project: (x: tf.Tensor2D) => tf.mul(x, 1) as tf.Tensor2D, predictor };
    expect(value(() => fedxLocalLoss(local, views(), undefined, config))).toBeCloseTo(value(() => ntXent(views().x1, views().x2, 0.5)), 6);
    const global = () => ({ z2: t2([[0.5, 0.5], [0, 1], [1, 0]]), random: t2([[2, 1], [1, 2], [0, 1]]) });
    const expected = value(() => {
      const v = views();
      const g = global();
      const p1 = predictor.apply(v.x1);
      const p2 = predictor.apply(v.x2);
      return tf.addN([ntXent(v.x1, v.x2, 0.5), relationalLoss(v.x1, v.x2, v.random, 0.5, 0.5), ntXent(p1, g.z2, 0.5), relationalLoss(p1, p2, g.random, 0.5, 0.5)]) as tf.Scalar;
    });
    expect(value(() => fedxLocalLoss(local, views(), global(), config))).toBeCloseTo(expected, 5);
    predictor.dispose();
  });
});

describe('FedX simulation', () => {
  const config: FedxConfig = {
    algorithm: 'fedx', arch: 'mlp', size: 'student', clients: 4, alpha: 0.5, rounds: 2, localEpochs: 1, fraction: 0.5, batchSize: 16, learningRate: 0.05,
    momentum: 0.9, projection: 8, temperature: 0.5, relTemperature: 0.5, targetTemperature: 0.5, augment: augmentationSchema.parse({}), probeEvery: 1, seed: 0,
  };

  it('runs seeded, without leaking tensors; FedX and FedAvg differ; probes every round', () => {
    // Noisy images, so that the probe does not saturate and the two algorithms' encoders tell apart.
    const train = toy(8, 1, 0.9);
    const test = toy(3, 2, 0.9);
    const before = tf.memory().numTensors;
    const a = runFedx(train, test, config);
    expect(tf.memory().numTensors).toBe(before);
    expect(a.probes.map((p) => p.round)).toEqual([1, 2]);
    expect(a.accuracy).toBe(a.probes[1]!.accuracy);
    expect(runFedx(train, test, config).accuracy).toBe(a.accuracy);
    const probesAvg = runFedx(train, test, { ...config, algorithm: 'fedavg' }).probes;
    expect(probesAvg.map((p) => p.accuracy)).not.toEqual(a.probes.map((p) => p.accuracy));
  });

  it('fedx method and baseline through the registry: every probe far above chance', () => {
    // 10 balanced toy classes (chance 0.1). The linear probe separates them from any encoder that keeps the input's
    // information (measured on wasm, seed 0: random encoder 0.97, FedAvg and FedX 1.0); one that collapsed or was
    // wrecked by a bad update (NaN weights, a constant map) falls to chance.
    const method = getMethod('fedx');
    const ctx = { train: toy(8, 1), test: toy(3, 2), seed: 0, budget: { epochs: 1, batchSize: 16, learningRate: 0.003 }, arch: 'mlp' as const, params: parseMethodParams('fedx', { clients: 4 }), log: () => undefined };
    const before = tf.memory().numTensors;
    const base = method.images.runBaseline(ctx);
    const r = method.images.runMethod(ctx);
    expect(tf.memory().numTensors).toBe(before);
    for (const probe of [r.extra!.randomEncoder!, base.accuracy, r.accuracy]) expect(probe).toBeGreaterThanOrEqual(0.6);
    expect(parseMethodParams('fedx', {})).toMatchObject({ alpha: 0.5, clients: 10, relTemperature: 0.5, size: 'student' });
  });
});
