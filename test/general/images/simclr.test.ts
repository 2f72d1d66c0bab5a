// SimCLRv2 pieces on hand-checkable values: the labelled subset, the distillation loss (Eq. 2), the projection
// head's middle layer, fine-tuning from it on copied weights, and the pipeline through the method registry.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { ImageSet } from '../../../src/general/images/data/digits.js';
import { labelledIndices, splitLabels } from '../../../src/general/images/simclr/label-subset.js';
import { simclrDistillLoss } from '../../../src/general/images/simclr/distill-loss.js';
import { FineTunedNet, ProjectionHead, createContrastiveModel } from '../../../src/general/images/simclr/model.js';
import { FEATURE_TAP } from '../../../src/general/images/nets/network.js';
import { trainWithCrossEntropy } from '../../../src/general/images/training/supervised.js';
import { getMethod, parseMethodParams } from '../../../src/general/method-registry.js';
import { runSimclrPipeline } from '../../../src/general/images/simclr/pipeline.js';
import { simclrSettingsOf } from '../../../src/general/images/methods/simclrv2.js';
import { toyDigits, t2, value } from './toy-digits.js';

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

const toy = toyDigits;

describe('labelled subset', () => {
  it('keeps max(1, round(n_c·f)) per class, hand-computed: 100/50/3 at 10% → 10/5/1', () => {
    const labels = Int32Array.from([...Array(100).fill(0), ...Array(50).fill(1), ...Array(3).fill(2)]);
    const ids = labelledIndices(labels, 3, 0.1, 0);
    expect([0, 1, 2].map((c) => Array.from(ids).filter((i) => labels[i] === c).length)).toEqual([10, 5, 1]);
    expect(labelledIndices(labels, 3, 1, 0)).toHaveLength(153);
    expect(Array.from(labelledIndices(labels, 3, 0.1, 0))).toEqual(Array.from(ids));
    expect(Array.from(labelledIndices(labels, 3, 0.1, 1))).not.toEqual(Array.from(ids));
    expect(() => labelledIndices(labels, 3, 0, 0)).toThrow(/label fraction/);
  });

  it('labelled and unlabelled parts partition the set', () => {
    const set = toy(10, 1);
    const { labelled, unlabelled } = splitLabels(set, 0.2, 3);
    expect([labelled.n, unlabelled.n]).toEqual([20, 80]);
    const key = (s: ImageSet, i: number): string => Array.from(s.x.subarray(i * 64, i * 64 + 64)).join(',');
    const all = new Set(Array.from({ length: 100 }, (_, i) => key(set, i)));
    const parts = [...Array.from({ length: 20 }, (_, i) => key(labelled, i)), ...Array.from({ length: 80 }, (_, i) => key(unlabelled, i))];
    expect(new Set(parts)).toEqual(all);
  });
});

describe('SimCLRv2 distillation loss (Eq. 2)', () => {
  it('−Σ P_T log P_S, hand-computed; teacher detached; gradient (P_S − P_T)/τ', () => {
    // Teacher (ln 3, 0) → P_T = (¾, ¼); student (0, 0) → log P_S = (−ln 2, −ln 2): loss ln 2.
    expect(value(() => simclrDistillLoss(t2([[0, 0]]), t2([[Math.log(3), 0]]), 1))).toBeCloseTo(Math.LN2, 6);
    // Student = teacher: the teacher's entropy −(¾ ln ¾ + ¼ ln ¼) = 0.562335.
    expect(value(() => simclrDistillLoss(t2([[Math.log(3), 0]]), t2([[Math.log(3), 0]]), 1))).toBeCloseTo(0.562335, 5);
    // τ = 2 on doubled teacher logits: the same P_T, student (0, 0) still ln 2.
    expect(value(() => simclrDistillLoss(t2([[0, 0]]), t2([[2 * Math.log(3), 0]]), 2))).toBeCloseTo(Math.LN2, 6);
    const gs = tf.tidy(() => tf.grad((s: tf.Tensor) => simclrDistillLoss(s as tf.Tensor2D, t2([[Math.log(3), 0]]), 1))(t2([[0, 0]])).arraySync() as number[][]);
    expect(gs[0]![0]).toBeCloseTo(-0.25, 6);
    expect(gs[0]![1]).toBeCloseTo(0.25, 6);
    const gt = tf.tidy(() => tf.grad((t: tf.Tensor) => simclrDistillLoss(t2([[0, 0]]), t as tf.Tensor2D, 1))(t2([[1, 0]])).arraySync() as number[][]);
    expect(gt[0]).toEqual([0, 0]);
    expect(() => simclrDistillLoss(t2([[0, 0]]), t2([[0, 0, 0]]), 1)).toThrow(/differ in shape/);
  });
});

describe('projection head and fine-tuning from its middle layer', () => {
  it('reads layer outputs: ReLU inside the head, none on its output, hand-computed', () => {
    const head = new ProjectionHead(2, [2], 1, 'h');
    head.layers[0]!.w.assign(t2([[1, -1], [0, 1]]));
    head.layers[1]!.w.assign(t2([[2], [3]]));
    head.layers[1]!.b.assign(tf.tensor1d([0.5]));
    // x = (1, −2): x·W1 = (1, −3) → ReLU (1, 0); output 2·1 + 3·0 + 0.5 = 2.5.
    expect(tf.tidy(() => head.apply(t2([[1, -2]]), 1).arraySync())).toEqual([[1, 0]]);
    expect(tf.tidy(() => head.apply(t2([[1, -2]])).arraySync())).toEqual([[2.5]]);
    expect(tf.tidy(() => head.apply(t2([[1, -2]]), 0).arraySync())).toEqual([[1, -2]]);
    head.dispose();
  });

  it('starts from the pre-trained encoder and head layer on copies, leaving the source untouched', () => {
    const source = createContrastiveModel('mlp', 'student', 'src', 8);
    const x = tf.tensor2d(toy(1, 3).x, [10, 64]);
    const expected = tf.tidy(() => source.head.apply(source.encoder.apply(x).taps[FEATURE_TAP] as tf.Tensor2D, 1).arraySync());
    const net = new FineTunedNet(source, 'mlp', 'student', 1, 10, 'ft');
    expect(tf.tidy(() => net.apply(x).taps[FEATURE_TAP]!.arraySync())).toEqual(expected);
    const before = Array.from(source.encoder.variables[0]!.dataSync());
    trainWithCrossEntropy(net, toy(4, 1), { epochs: 2, batchSize: 20, learningRate: 0.01 }, 0);
    expect(Array.from(source.encoder.variables[0]!.dataSync())).toEqual(before);
    expect(Array.from(net.variables[0]!.dataSync())).not.toEqual(before);
    expect(() => new FineTunedNet(source, 'mlp', 'student', 3, 10, 'bad')).toThrow(/not a hidden layer/);
    const count = tf.memory().numTensors;
    net.dispose();
    expect(tf.memory().numTensors).toBe(count - net.variables.length);
    [source.encoder, source.head, x].forEach((m) => m.dispose());
  });
});

describe('pipeline through the registry', () => {
  it('runs baseline and method briefly without leaking tensors; the baseline is the pipeline\'s supervised student', () => {
    const method = getMethod('simclrv2');
    const params = parseMethodParams('simclrv2', { finetuneEpochs: 3, distillEpochs: 1, labelFraction: 0.2 });
    const ctx = { train: toy(10, 1), test: toy(3, 2), seed: 0, budget: { epochs: 1, batchSize: 32, learningRate: 0.01 }, arch: 'mlp' as const, params, log: () => undefined };
    const before = tf.memory().numTensors;
    const base = method.images.runBaseline(ctx);
    const r = method.images.runMethod(ctx);
    expect(tf.memory().numTensors).toBe(before);
    expect(r.extra!.labelled).toBe(20);
    expect(Object.keys(r.extra!).sort()).toEqual(['bigSupervised', 'labelled', 'probe', 'teacher', 'teacherFromEncoder']);
    const pipeline = runSimclrPipeline(ctx.train, ctx.test, 'mlp', ctx.budget, simclrSettingsOf(params as never), 0, [0.2]);
    expect(base.accuracy).toBe(pipeline.fractions[0]!.studentSupervised);
    expect(r.accuracy).toBe(pipeline.fractions[0]!.student);
    expect(parseMethodParams('simclrv2', {})).toMatchObject({ depth: 1, labelFraction: 0.1, distillTemperature: 1 });
  });

  it('each stage far above chance (0.1), and the distilled student above the student trained on the labels alone', () => {
    // 20 labelled toy images (2 per class) and 80 unlabelled. Measured on wasm (seed 0): probe, fine-tuned teacher
    // and big supervised net 1.0; distilled student 0.93; student on the 20 labels alone 0.53. A pipeline whose
    // distillation did not reach the student (or used the labels instead of the teacher) stays at the baseline.
    const method = getMethod('simclrv2');
    const params = parseMethodParams('simclrv2', { finetuneEpochs: 10, distillEpochs: 10, labelFraction: 0.2 });
    const ctx = { train: toy(10, 1), test: toy(3, 2), seed: 0, budget: { epochs: 1, batchSize: 32, learningRate: 0.01 }, arch: 'mlp' as const, params, log: () => undefined };
    const base = method.images.runBaseline(ctx);
    const r = method.images.runMethod(ctx);
    for (const stage of ['probe', 'teacher', 'teacherFromEncoder', 'bigSupervised']) expect(r.extra![stage], stage).toBeGreaterThanOrEqual(0.9);
    expect(base.accuracy).toBeGreaterThanOrEqual(0.3);
    expect(r.accuracy).toBeGreaterThanOrEqual(0.8);
    expect(r.accuracy).toBeGreaterThanOrEqual(base.accuracy + 0.2);
  });
});
