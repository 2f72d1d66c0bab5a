// FedNTD pieces on hand-checkable values: the Dirichlet client split, the not-true distillation loss, one tiny
// FedAvg/FedNTD simulation through the method registry, and both algorithms against an independent re-implementation.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { SeededRandom } from '../../../src/core/random.js';
import { clientHistograms, dirichletSample, dirichletSplit, gammaSample } from '../../../src/general/images/federated/dirichlet.js';
import { runFederated, type FederatedConfig } from '../../../src/general/images/federated/fedavg.js';
import { copyVariables, sampleClients } from '../../../src/general/images/federated/fedavg-rounds.js';
import { epochBatches } from '../../../src/general/images/data/batches.js';
import { selectRows } from '../../../src/general/images/data/split.js';
import { createLoss, describeLosses } from '../../../src/general/losses/registry.js';
import { getMethod } from '../../../src/general/method-registry.js';
import { createNet } from '../../../src/general/images/nets/factory.js';
import type { ImageSet } from '../../../src/general/images/data/digits.js';
import { toyDigits } from './toy-digits.js';

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

const t2 = (rows: number[][]): tf.Tensor2D => tf.tensor2d(rows);
const value = (f: () => tf.Scalar): number => tf.tidy(() => f().dataSync()[0]!);
// 10 classes × 30 samples, labels in class blocks.
const labels = Int32Array.from({ length: 300 }, (_, i) => Math.floor(i / 30));

describe('Dirichlet non-IID split', () => {
  it('assigns every sample to exactly one client', () => {
    for (const alpha of [0.05, 1, 100]) {
      const parts = dirichletSplit(labels, 10, 7, alpha, 3);
      expect(parts).toHaveLength(7);
      const all = parts.flatMap((p) => Array.from(p)).sort((a, b) => a - b);
      expect(all).toEqual(Array.from({ length: 300 }, (_, i) => i));
    }
  });

  it('is deterministic per seed and differs across seeds', () => {
    const a = dirichletSplit(labels, 10, 5, 0.5, 'x').map((p) => Array.from(p));
    const b = dirichletSplit(labels, 10, 5, 0.5, 'x').map((p) => Array.from(p));
    const c = dirichletSplit(labels, 10, 5, 0.5, 'y').map((p) => Array.from(p));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('small α concentrates each class on few clients; large α spreads it evenly', () => {
    // Share of a class held by its largest client, averaged over classes: 1/M = 0.2 would be perfectly even.
    const topShare = (alpha: number): number => {
      const h = clientHistograms(dirichletSplit(labels, 10, 5, alpha, 1), labels, 10);
      let sum = 0;
      for (let c = 0; c < 10; c++) sum += Math.max(...h.map((row) => row[c]!)) / 30;
      return sum / 10;
    };
    expect(topShare(0.01)).toBeGreaterThan(0.9);
    expect(topShare(1000)).toBeLessThan(0.35);
    const h = clientHistograms(dirichletSplit(labels, 10, 5, 1000, 1), labels, 10);
    for (const row of h) for (const count of row) expect(Math.abs(count - 6)).toBeLessThanOrEqual(3);
  });

  it('Gamma and Dirichlet draws have the right means', () => {
    const rng = new SeededRandom(9);
    for (const shape of [0.3, 2.5]) {
      let sum = 0;
      for (let i = 0; i < 20000; i++) sum += gammaSample(shape, rng);
      expect(sum / 20000).toBeCloseTo(shape, 1); // E[Gamma(k, 1)] = k
    }
    const p = dirichletSample(0.5, 4, rng);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(() => dirichletSplit(labels, 10, 0, 1, 0)).toThrow(/clients/);
    expect(() => dirichletSplit(labels, 10, 3, 0, 0)).toThrow(/alpha/);
  });
});

describe('not-true distillation loss (FedNTD Eq. 4–5)', () => {
  it('equals CE + β·KL over the not-true classes, hand-computed', () => {
    // Local (0, 0, 0), global (5, 1, 0), label 0. Not-true classes {1, 2}: q̃ˡ = (½, ½),
    // q̃ᵍ = (e/(e+1), 1/(e+1)); KL = Σ q̃ᵍ log(2 q̃ᵍ). CE of uniform logits = log 3.
    const g = Math.E / (Math.E + 1);
    const kl = g * Math.log(2 * g) + (1 - g) * Math.log(2 * (1 - g));
    const ntd = createLoss('ntd', { beta: 2, temperature: 1 });
    expect(value(() => ntd({ local: t2([[0, 0, 0]]), global: t2([[5, 1, 0]]), labels: Int32Array.of(0) }))).toBeCloseTo(Math.log(3) + 2 * kl, 5);
    // The global's true-class logit (5) plays no part: changing it leaves the loss unchanged.
    expect(value(() => ntd({ local: t2([[0, 0, 0]]), global: t2([[-7, 1, 0]]), labels: Int32Array.of(0) }))).toBeCloseTo(Math.log(3) + 2 * kl, 5);
  });

  it('temperature scales logits and multiplies by τ²', () => {
    // τ = 2: q̃ᵍ over {1, 2} from (2, 0)/2 = (1, 0) → σ(1); loss = CE + β·4·KL.
    const s = 1 / (1 + Math.exp(-1));
    const kl = s * Math.log(2 * s) + (1 - s) * Math.log(2 * (1 - s));
    const ntd = createLoss('ntd', { beta: 1, temperature: 2 });
    expect(value(() => ntd({ local: t2([[0, 0, 0]]), global: t2([[3, 2, 0]]), labels: Int32Array.of(0) }))).toBeCloseTo(Math.log(3) + 4 * kl, 5);
  });

  it('is plain CE when local and global agree on the not-true classes; the true logit gets no NTD gradient', () => {
    const ntd = createLoss('ntd', { beta: 5 });
    const ce = createLoss('ce');
    const local = [[2, 1, -1], [0, 3, 1]];
    const global = [[-4, 1, -1], [9, 3, 1]]; // same not-true logits (labels 0 and 0), different true ones
    expect(value(() => ntd({ local: t2(local), global: t2(global), labels: Int32Array.of(0, 0) })))
      .toBeCloseTo(value(() => ce({ logits: t2(local), labels: Int32Array.of(0, 0) })), 5);
    const gradOf = (f: (x: tf.Tensor2D) => tf.Scalar): number[][] => tf.tidy(() => tf.grad((v: tf.Tensor) => f(v as tf.Tensor2D))(t2([[0, 0, 0]])).arraySync() as number[][]);
    const gNtd = gradOf((x) => ntd({ local: x, global: t2([[0, 4, 0]]), labels: Int32Array.of(0) }));
    const gCe = gradOf((x) => ce({ logits: x, labels: Int32Array.of(0) }));
    expect(gNtd[0]![0]).toBeCloseTo(gCe[0]![0]!, 5); // NTD adds nothing on the true class
    expect(gNtd[0]![1]).toBeLessThan(gCe[0]![1]!); // pulled towards the global's preferred not-true class 1
    expect(gNtd[0]![2]).toBeGreaterThan(gCe[0]![2]!);
    // The global logits are a detached target: no gradient into them.
    const gGlobal = tf.tidy(() => tf.grad((v: tf.Tensor) => ntd({ local: t2([[0, 0, 0]]), global: v as tf.Tensor2D, labels: Int32Array.of(0) }))(t2([[0, 4, 0]])).arraySync() as number[][]);
    expect(gGlobal[0]!.every((v) => v === 0)).toBe(true);
  });

  it('is registered with its paper and validates its parameters', () => {
    expect(describeLosses().find((l) => l.name === 'ntd')?.paper).toMatch(/Lee et al\. 2022/);
    expect(() => createLoss('ntd', { temperature: 0 })).toThrow(/ntd.*temperature/);
    expect(() => createLoss('ntd', { gamma: 1 })).toThrow(/ntd/);
  });
});

/**
 * FedAvg (McMahan et al. 2017, Alg. 1) and FedNTD (Lee et al. 2022, §4 Eq. 4–5) written out again as an independent
 * reference: the server's sample-weighted average and momentum SGD (v ← μv + g, w ← w − lr·v) on plain float32
 * arrays, cross-entropy from tfjs's own `tf.losses.softmaxCrossEntropy`, and the not-true softmax taken over the
 * not-true columns themselves (selected by a matrix product), where the implementation masks the true logit. Only
 * what fixes *which* run it is — the Dirichlet split, the sampled clients, the batch order and the initial weights —
 * comes from the implementation's seeded helpers. Returns the global model's test accuracy after every round.
 */
function referenceFederated(train: ImageSet, test: ImageSet, config: FederatedConfig): number[] {
  const data = dirichletSplit(train.y, train.classes, config.clients, config.alpha, `${config.seed}:${config.alpha}`).map((ids) => selectRows(train, ids));
  const global = createNet(config.arch, config.size, `federated-global:${config.seed}`, train.classes);
  const local = createNet(config.arch, config.size, `federated-local:${config.seed}`, train.classes);
  const C = train.classes;
  const [mu, lr] = [Math.fround(config.momentum), Math.fround(config.learningRate)];
  const notTrue = (logits: tf.Tensor2D, y: Int32Array): tf.Tensor2D => {
    // Row b times a [C, C − 1] matrix that keeps every column but y_b, in order.
    const select = new Float32Array(y.length * C * (C - 1));
    y.forEach((label, b) => {
      for (let c = 0, j = 0; c < C; c++) if (c !== label) select[b * C * (C - 1) + c * (C - 1) + j++] = 1;
    });
    return tf.reshape(tf.matMul(tf.reshape(logits, [y.length, 1, C]), tf.tensor3d(select, [y.length, C, C - 1])), [y.length, C - 1]) as tf.Tensor2D;
  };
  const localLoss = (logits: tf.Tensor2D, globalLogits: tf.Tensor2D | undefined, y: Int32Array): tf.Scalar => {
    const ce = tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(y, 'int32'), C), logits) as tf.Scalar;
    if (!globalLogits) return ce;
    const t = config.temperature;
    const qGlobal = tf.softmax(tf.div(notTrue(globalLogits, y), t));
    const logLocal = tf.logSoftmax(tf.div(notTrue(logits, y), t));
    const kl = tf.mean(tf.sum(tf.mul(qGlobal, tf.sub(tf.log(qGlobal), logLocal)), 1));
    return tf.add(ce, tf.mul(config.beta * t * t, kl)) as tf.Scalar;
  };
  const sampler = new SeededRandom(`federated-rounds:${config.seed}`);
  const perRound: number[] = [];
  for (let round = 1; round <= config.rounds; round++) {
    const chosen = sampleClients(config.clients, config.fraction, sampler).filter((k) => data[k]!.n >= 2);
    const total = chosen.reduce((s, k) => s + data[k]!.n, 0);
    const start = global.variables.map((v) => Float32Array.from(v.dataSync()));
    const average = start.map((w) => new Float32Array(w.length));
    for (const k of chosen) {
      const weights = start.map((w) => Float32Array.from(w));
      const velocity = start.map((w) => new Float32Array(w.length));
      const rng = new SeededRandom(`federated-batches:${config.seed}:${round}:${k}`);
      for (let epoch = 0; epoch < config.localEpochs; epoch++) {
        for (const batch of epochBatches(data[k]!, config.batchSize, rng)) {
          local.variables.forEach((v, i) => v.assign(tf.tidy(() => tf.tensor(weights[i]!, v.shape))));
          const grads = tf.tidy(() => {
            const x = tf.tensor2d(batch.x, [batch.n, 64]);
            const globalLogits = config.algorithm === 'fedntd' ? global.apply(x).logits : undefined;
            const { grads: g } = tf.variableGrads(() => localLoss(local.apply(x).logits, globalLogits, batch.y), [...local.variables]);
            return local.variables.map((v) => g[v.name]!.dataSync() as Float32Array);
          });
          weights.forEach((w, i) => {
            for (let j = 0; j < w.length; j++) {
              velocity[i]![j] = Math.fround(Math.fround(mu * velocity[i]![j]!) + grads[i]![j]!);
              w[j] = Math.fround(w[j]! - Math.fround(velocity[i]![j]! * lr));
            }
          });
        }
      }
      const share = data[k]!.n / total;
      weights.forEach((w, i) => w.forEach((value, j) => { average[i]![j]! += share * value; }));
    }
    if (chosen.length > 0) global.variables.forEach((v, i) => v.assign(tf.tidy(() => tf.tensor(average[i]!, v.shape))));
    const predicted = tf.tidy(() => tf.argMax(global.apply(tf.tensor2d(test.x, [test.n, 64])).logits, 1).dataSync() as Int32Array);
    perRound.push(predicted.reduce((n, p, i) => n + (p === test.y[i] ? 1 : 0), 0) / test.n);
  }
  global.dispose();
  local.dispose();
  return perRound;
}

describe('FedAvg / FedNTD simulation', () => {
  // A separable toy set of n images: class c has pixel c lit.
  const toy = (n: number, seed: number): ImageSet => toyDigits(n / 10, seed);

  it('samples ⌈fraction·M⌉ distinct clients and copies weights exactly', () => {
    const chosen = sampleClients(10, 0.3, new SeededRandom(1));
    expect(new Set(chosen).size).toBe(3);
    expect(sampleClients(10, 0.01, new SeededRandom(1))).toHaveLength(1);
    const a = createNet('mlp', 'student', 'a');
    const b = createNet('mlp', 'student', 'b');
    copyVariables(a, b);
    a.variables.forEach((v, i) => expect(Array.from(b.variables[i]!.dataSync())).toEqual(Array.from(v.dataSync())));
    a.dispose();
    b.dispose();
  });

  it('learns a separable toy task, deterministically, through the runner\'s method table', () => {
    const train = toy(200, 1);
    const test = toy(100, 2);
    const base = { arch: 'mlp' as const, size: 'student' as const, clients: 4, alpha: 0.5, rounds: 4, localEpochs: 2, fraction: 0.5, batchSize: 16, learningRate: 0.05, momentum: 0.9, beta: 1, temperature: 1, seed: 0 };
    const before = tf.memory().numTensors;
    const avg = runFederated(train, test, { ...base, algorithm: 'fedavg' });
    const ntd = runFederated(train, test, { ...base, algorithm: 'fedntd' });
    expect(tf.memory().numTensors).toBe(before); // nothing leaks
    expect(avg.perRound).toHaveLength(4);
    expect(avg.clientSizes.reduce((a, b) => a + b, 0)).toBe(200);
    expect(avg.accuracy).toBeGreaterThan(0.5);
    expect(ntd.accuracy).toBeGreaterThan(0.5);
    expect(runFederated(train, test, { ...base, algorithm: 'fedntd' }).perRound).toEqual(ntd.perRound);
    const method = getMethod('fedntd');
    expect(method.schema.safeParse({ alpha: -1 }).success).toBe(false);
    const params = method.schema.parse({ clients: 4, alpha: 0.5, localEpochs: 2, lr: 0.05, size: 'student' });
    const ctx = { train, test, seed: 0, budget: { epochs: 4, batchSize: 16, learningRate: 0.003 }, arch: 'mlp' as const, params, log: () => undefined };
    expect(method.images.runMethod(ctx).accuracy).toBeCloseTo(ntd.accuracy, 10);
    expect(method.images.runBaseline(ctx).accuracy).toBeCloseTo(avg.accuracy, 10);
  });

  it('FedAvg and FedNTD follow an independent re-implementation round by round (within one test image); β = 0 is FedAvg', () => {
    const train = toy(200, 1);
    const test = toy(100, 2);
    const config: FederatedConfig = { algorithm: 'fedavg', arch: 'mlp', size: 'student', clients: 4, alpha: 0.5, rounds: 6, localEpochs: 2, fraction: 0.5, batchSize: 16, learningRate: 0.05, momentum: 0.9, beta: 1, temperature: 2, seed: 0 };
    for (const algorithm of ['fedavg', 'fedntd'] as const) {
      const reference = referenceFederated(train, test, { ...config, algorithm });
      const implemented = runFederated(train, test, { ...config, algorithm }).perRound;
      // Rounding differs (another CE, another not-true softmax), so a prediction near a tie may flip: one image of 100.
      implemented.forEach((acc, r) => expect(Math.abs(acc - reference[r]!), `${algorithm} round ${r + 1}`).toBeLessThanOrEqual(1 / test.n + 1e-9));
      expect(reference.at(-1)).toBeGreaterThan(0.5);
    }
    expect(runFederated(train, test, { ...config, algorithm: 'fedntd', beta: 0 }).perRound).toEqual(runFederated(train, test, config).perRound);
  });
});
