// CBD pieces on hand-checkable values: the long-tailed split, the samplers, the long-tail metrics, the `cbd`
// feature-distillation loss, and a tiny two-stage run through the method registry.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { SeededRandom } from '../../../src/core/random.js';
import type { ImageSet } from '../../../src/general/images/data/digits.js';
import { createLoss, describeLosses } from '../../../src/general/losses/registry.js';
import { longTailCounts, longTailSubset, shotGroups } from '../../../src/general/images/longtail/split.js';
import { classBalancedBatches } from '../../../src/general/images/longtail/sampling.js';
import { longTailScoresFrom, perClassAccuracy } from '../../../src/general/images/longtail/metrics.js';
import { runCbdExperiment } from '../../../src/general/images/longtail/cbd.js';
import { getMethod } from '../../../src/general/method-registry.js';
import { toyDigits, t2, value } from './toy-digits.js';

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

const toy = toyDigits;

describe('long-tailed split', () => {
  it('follows n_max·ρ^(−r/(C−1)), hand-computed', () => {
    // ρ = 100, C = 3: 100, 100·100^(−½) = 10, 1.
    expect(longTailCounts(100, 3, 100)).toEqual([100, 10, 1]);
    // ρ = 10, C = 10, n_max = 134: r = 9 → 13.4 → 13; r = 1 → 134·10^(−1/9) = 134·0.774264 = 103.75 → 103.
    const c = longTailCounts(134, 10, 10);
    expect(c[0]).toBe(134);
    expect(c[1]).toBe(103);
    expect(c[9]).toBe(13);
    expect(longTailCounts(5, 4, 1)).toEqual([5, 5, 5, 5]);
    expect(() => longTailCounts(5, 4, 0.5)).toThrow(/ratio/);
  });

  it('keeps the profile per class, seeded, distinct images of the right class', () => {
    const set = toy(40, 1);
    const a = longTailSubset(set, 10, 7);
    expect([...a.counts].sort((p, q) => q - p)).toEqual(longTailCounts(40, 10, 10));
    expect(a.set.n).toBe(a.counts.reduce((s, v) => s + v, 0));
    for (let c = 0; c < 10; c++) expect(Array.from(a.set.y).filter((y) => y === c)).toHaveLength(a.counts[c]!);
    // Each kept image is an unchanged original (the lit pixel is its class).
    for (let i = 0; i < a.set.n; i++) expect(a.set.x[i * 64 + a.set.y[i]!]).toBe(1);
    expect(longTailSubset(set, 10, 7).counts).toEqual(a.counts);
    expect(longTailSubset(set, 10, 8).order).not.toEqual(a.order);
  });

  it('groups classes into many (> 100), medium (20–100) and few (< 20) shots', () => {
    expect(shotGroups([134, 101, 100, 20, 19, 1])).toEqual(['many', 'many', 'medium', 'medium', 'few', 'few']);
  });
});

describe('samplers and metrics', () => {
  it('class-balanced batches draw classes uniformly, not by frequency', () => {
    // 90 images of class 0, 10 of class 1: instance sampling gives 90 % class 0, class-balanced ≈ 50 %.
    const set: ImageSet = { x: new Float32Array(100 * 64), y: Int32Array.from({ length: 100 }, (_, i) => (i < 90 ? 0 : 1)), n: 100, classes: 2 };
    const rng = new SeededRandom(3);
    let ones = 0;
    let total = 0;
    let steps = 0;
    for (let e = 0; e < 40; e++) {
      for (const batch of classBalancedBatches(set, 20, rng)) {
        steps++;
        total += batch.n;
        ones += Array.from(batch.y).filter((y) => y === 1).length;
        expect(Array.from(batch.ids).every((i) => set.y[i] === batch.y[batch.ids.indexOf(i)])).toBe(true);
      }
    }
    expect(steps).toBe(40 * 5); // as many steps as an instance epoch
    expect(ones / total).toBeGreaterThan(0.45);
    expect(ones / total).toBeLessThan(0.55);
  });

  it('balanced and shot-group accuracies, hand-computed', () => {
    // Labels 0,0,1,1,2,2 predicted 0,1,1,1,0,0 → per class 0.5, 1, 0; balanced 0.5.
    const per = perClassAccuracy(Int32Array.of(0, 1, 1, 1, 0, 0), Int32Array.of(0, 0, 1, 1, 2, 2), 3);
    expect(per).toEqual([0.5, 1, 0]);
    const s = longTailScoresFrom(per, [200, 50, 5]);
    expect(s.balanced).toBeCloseTo(0.5, 12);
    expect([s.many, s.medium, s.few]).toEqual([0.5, 1, 0]);
    expect(Number.isNaN(longTailScoresFrom(per, [50, 50, 5]).many)).toBe(true); // no many-shot class
  });
});

describe('cbd loss (Iscen et al. 2021)', () => {
  it('(1 − α)·CE + α·(1 − cos) to the concatenated normalised teacher features, hand-computed', () => {
    // Teachers (3, 4) → (0.6, 0.8) and (0, 2) → (0, 1); concatenation (0.6, 0.8, 0, 1), norm √2.
    // Projected (1, 0, 0, 0): cos = 0.6/√2. Logits (0, 0), label 0: CE = log 2.
    const cbd = createLoss('cbd', { alpha: 0.25, beta: 1 });
    const expected = 0.75 * Math.log(2) + 0.25 * (1 - 0.6 / Math.SQRT2);
    expect(value(() => cbd({ logits: t2([[0, 0]]), projected: t2([[1, 0, 0, 0]]), teachers: [t2([[3, 4]]), t2([[0, 2]])], labels: Int32Array.of(0) }))).toBeCloseTo(expected, 5);
    // The authors' weights (α = 0.4, β = 100, the defaults): (1 − α)·CE + α·β·(1 − cos).
    expect(value(() => createLoss('cbd', {})({ logits: t2([[0, 0]]), projected: t2([[1, 0, 0, 0]]), teachers: [t2([[3, 4]]), t2([[0, 2]])], labels: Int32Array.of(0) })))
      .toBeCloseTo(0.6 * Math.log(2) + 40 * (1 - 0.6 / Math.SQRT2), 4);
    // Aligned with the target (any positive scale): distance 0, loss = (1 − α)·CE.
    expect(value(() => cbd({ logits: t2([[0, 0]]), projected: t2([[1.2, 1.6, 0, 2]]), teachers: [t2([[3, 4]]), t2([[0, 2]])], labels: Int32Array.of(0) }))).toBeCloseTo(0.75 * Math.log(2), 5);
  });

  it('gradients flow into the student projection only, and bad inputs are named', () => {
    const cbd = createLoss('cbd', { alpha: 1 });
    const teacher = t2([[0, 1]]);
    const gTeacher = tf.tidy(() => tf.grad((t: tf.Tensor) => cbd({ logits: t2([[0, 0]]), projected: t2([[1, 0]]), teachers: [t as tf.Tensor2D], labels: Int32Array.of(0) }))(teacher).arraySync() as number[][]);
    expect(gTeacher[0]!.every((v) => v === 0)).toBe(true);
    const gStudent = tf.tidy(() => tf.grad((p: tf.Tensor) => cbd({ logits: t2([[0, 0]]), projected: p as tf.Tensor2D, teachers: [teacher], labels: Int32Array.of(0) }))(t2([[1, 0]])).arraySync() as number[][]);
    expect(gStudent[0]![1]).toBeLessThan(0); // moving towards the teacher's direction lowers the loss
    expect(() => cbd({ logits: t2([[0, 0]]), projected: t2([[1, 0, 0]]), teachers: [teacher], labels: Int32Array.of(0) })).toThrow(/projected width 3/);
    expect(() => createLoss('cbd', { alpha: 2 })).toThrow(/cbd.*alpha/);
    expect(describeLosses().find((l) => l.name === 'cbd')?.paper).toMatch(/Iscen et al\. 2021/);
  });
});

describe('CBD two-stage run', () => {
  it('trains teachers, the class-balanced baseline and the student on a toy long tail, without leaks, matching the method', () => {
    const lt = longTailSubset(toy(40, 1), 20, 0);
    const test = toy(10, 2);
    const config = { arch: 'mlp' as const, size: 'student' as const, budget: { epochs: 6, batchSize: 16, learningRate: 0.01 }, teachers: 2, alpha: 0.4, beta: 100, augment: false, seed: 0 };
    const before = tf.memory().numTensors;
    const r = runCbdExperiment(lt.set, test, lt.counts, config);
    expect(tf.memory().numTensors).toBe(before);
    expect(r.teachers).toHaveLength(2);
    expect(r.instance).toEqual(r.teachers[0]);
    for (const s of [r.instance!, r.classBalanced!, r.cbd!]) expect(s.balanced).toBeGreaterThan(0.3);
    const method = getMethod('cbd');
    const params = method.schema.parse({ ratio: 20, ltSeed: 0, augment: false, size: 'student' });
    const train = toy(40, 1);
    const ctx = { train, test, seed: 0, budget: config.budget, arch: 'mlp' as const, params, log: () => undefined };
    expect(method.images.runBaseline(ctx).accuracy).toBeCloseTo(r.classBalanced!.balanced, 10);
    const out = method.images.runMethod(ctx);
    expect(out.accuracy).toBeCloseTo(r.cbd!.balanced, 10);
    expect(out.extra?.instanceSampled).toBeCloseTo(r.instance!.balanced, 10);
  });

  it('with α = 0 the CBD student is the class-balanced baseline, reached through the other code path; with α > 0 it is not', () => {
    // An independent reference for the method: at α = 0 its loss (1 − α)·CE + α·distance is the baseline's CE, and
    // the student starts from the baseline's initialisation and draws the same balanced batches, so trainCbdStudent
    // (teachers, projection, `cbd` loss) must end exactly where trainSampled ends.
    const method = getMethod('cbd');
    const budget = { epochs: 6, batchSize: 16, learningRate: 0.01 };
    const params = (alpha: number): unknown => method.schema.parse({ ratio: 20, ltSeed: 0, augment: false, size: 'student', teachers: 1, alpha });
    const ctx = { train: toy(40, 1), test: toy(10, 2), seed: 0, budget, arch: 'mlp' as const, params: params(0), log: () => undefined };
    const baseline = method.images.runBaseline(ctx).accuracy;
    expect(baseline).toBeGreaterThan(0.3);
    expect(method.images.runMethod(ctx).accuracy).toBe(baseline);
    expect(method.images.runMethod({ ...ctx, params: params(0.5) }).accuracy).not.toBe(baseline);
  });
});
