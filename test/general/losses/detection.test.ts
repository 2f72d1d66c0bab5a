// Detection-style KD losses (Chen et al. 2017) on hand-computed tensors: class-weighted soft CE, teacher-bounded
// regression, hint with an adaptation layer.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createLoss, describeLosses } from '../../../src/general/losses/registry.js';
import { Head } from '../../../src/general/images/nets/head.js';

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

const t2 = (rows: number[][]): tf.Tensor2D => tf.tensor2d(rows);
const value = (f: () => tf.Scalar): number => tf.tidy(() => f().dataSync()[0]!);
const grad = (f: (x: tf.Tensor2D) => tf.Scalar, x: number[][]): number[][] => tf.tidy(() => tf.grad((v: tf.Tensor) => f(v as tf.Tensor2D))(t2(x)).arraySync() as number[][]);

describe('weighted-kd (Eq. 2–3)', () => {
  it('μ·CE + (1 − μ)·class-weighted soft CE, background weighted 1.5', () => {
    // Student (0, 0): log P_s = (−ln 2, −ln 2). Teacher (ln 3, 0): P_t = (¾, ¼). w = (1.5, 1).
    // Soft = ln 2·(1.5·¾ + ¼) = 1.375 ln 2; CE (label 1) = ln 2; total = ½ ln 2 + ½·1.375 ln 2 = 1.1875 ln 2.
    const loss = createLoss('weighted-kd');
    expect(value(() => loss({ student: t2([[0, 0]]), teacher: t2([[Math.log(3), 0]]), labels: Int32Array.of(1) }))).toBeCloseTo(1.1875 * Math.LN2, 5);
    // Background weight 1 → plain soft CE: ½ ln 2 + ½ ln 2.
    const flat = createLoss('weighted-kd', { backgroundWeight: 1 });
    expect(value(() => flat({ student: t2([[0, 0]]), teacher: t2([[Math.log(3), 0]]), labels: Int32Array.of(1) }))).toBeCloseTo(Math.LN2, 5);
    // The teacher is a detached target.
    const g = grad((t) => loss({ student: t2([[0, 0]]), teacher: t, labels: Int32Array.of(1) }), [[1, 0]]);
    expect(g[0]!.every((v) => v === 0)).toBe(true);
    // Background class 1 (not the default 0): w = (1, 1.5). Soft = ln 2·(¾ + 1.5·¼) = 1.125 ln 2; total = ½ ln 2 + ½·1.125 ln 2 = 1.0625 ln 2
    // (weighting class 0 instead would give the 1.1875 ln 2 above).
    const second = createLoss('weighted-kd', { background: 1 });
    expect(value(() => second({ student: t2([[0, 0]]), teacher: t2([[Math.log(3), 0]]), labels: Int32Array.of(1) }))).toBeCloseTo(1.0625 * Math.LN2, 5);
    expect(() => createLoss('weighted-kd', { background: 5 })({ student: t2([[0, 0]]), teacher: t2([[0, 0]]), labels: Int32Array.of(0) })).toThrow(/background class 5/);
  });
});

describe('bounded-regression (Eq. 4–5)', () => {
  const target = [[0, 0]];
  it('adds ν·‖R_s − y‖² only where the student is not better than the teacher by the margin', () => {
    const loss = createLoss('bounded-regression');
    // Student (0.5, 0): smooth-L1 = ½·0.25 = 0.125, ‖R_s − y‖² = 0.25.
    // Teacher (1, 0), error 1 > 0.25: the student already beats it → no bounded term.
    expect(value(() => loss({ student: t2([[0.5, 0]]), teacher: t2([[1, 0]]), target: t2(target) }))).toBeCloseTo(0.125, 6);
    // Teacher (0.2, 0), error 0.04 < 0.25 → + 0.5·0.25.
    expect(value(() => loss({ student: t2([[0.5, 0]]), teacher: t2([[0.2, 0]]), target: t2(target) }))).toBeCloseTo(0.25, 6);
    // Margin 0.8: 0.25 + 0.8 > 1 → the term is back even against the worse teacher.
    const margin = createLoss('bounded-regression', { margin: 0.8 });
    expect(value(() => margin({ student: t2([[0.5, 0]]), teacher: t2([[1, 0]]), target: t2(target) }))).toBeCloseTo(0.25, 6);
    // Smooth-L1's linear branch: |d| = 2 → 1.5.
    expect(value(() => loss({ student: t2([[2, 0]]), teacher: t2([[3, 0]]), target: t2(target) }))).toBeCloseTo(1.5, 6);
  });

  it('gradients: smooth-L1 alone when bounded off, plus ν·2(R_s − y) when on; batch mean', () => {
    const loss = createLoss('bounded-regression');
    expect(grad((s) => loss({ student: s, teacher: t2([[1, 0]]), target: t2(target) }), [[0.5, 0]])[0]![0]).toBeCloseTo(0.5, 5);
    expect(grad((s) => loss({ student: s, teacher: t2([[0.2, 0]]), target: t2(target) }), [[0.5, 0]])[0]![0]).toBeCloseTo(1.0, 5);
    // Two rows, one bounded on, one off: (0.25 + 0.125 + 0.125) / 2.
    // The teacher is only a bound, read outside the tape: there is no gradient path to it at all.
    expect(() => grad((t) => loss({ student: t2([[0.5, 0]]), teacher: t, target: t2(target) }), [[0.2, 0]])).toThrow(/Cannot compute gradient/);
    expect(value(() => loss({ student: t2([[0.5, 0], [0.5, 0]]), teacher: t2([[0.2, 0], [1, 0]]), target: t2([[0, 0], [0, 0]]) }))).toBeCloseTo(0.1875, 6);
  });
});

describe('hint with an adaptation layer (Eq. 6)', () => {
  it('mean over the batch of the squared L2 distance; shapes must match', () => {
    const hint = createLoss('hint');
    expect(value(() => hint({ adapted: t2([[1, 2], [0, 0]]), hint: t2([[0, 0], [3, 4]]) }))).toBeCloseTo(15, 5);
    expect(() => hint({ adapted: t2([[1, 2, 3]]), hint: t2([[0, 0]]) })).toThrow(/adaptation layer/);
  });

  it('trains an adaptation layer (student width 3 → teacher width 2) towards the hint', () => {
    const hint = createLoss('hint');
    const adapt = new Head([3], { hidden: [], out: 2 }, 'adapt');
    const student = t2([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    const teacher = t2([[1, -1], [2, 0], [0, 3]]);
    const optimizer = tf.train.adam(0.1);
    const first = value(() => hint({ adapted: adapt.apply(student), hint: teacher }));
    for (let i = 0; i < 200; i++) optimizer.minimize(() => hint({ adapted: adapt.apply(student), hint: teacher }), false, adapt.variables as tf.Variable[]);
    const last = value(() => hint({ adapted: adapt.apply(student), hint: teacher }));
    expect(last).toBeLessThan(first / 100); // a linear map from one-hot inputs can fit any hint exactly
    optimizer.dispose();
    adapt.dispose();
    tf.dispose([student, teacher]);
    expect(describeLosses().filter((l) => /Chen et al\. 2017/.test(l.paper)).map((l) => l.name).sort()).toEqual(['bounded-regression', 'hint', 'weighted-kd']);
  });
});
