// Review fixes of the losses (2026-12-06): the not-true KL exact at any τ and logit gap (float64 oracle, finite
// differences), kd/hinton-kd detaching the teacher, dcm's documented T², bounded-regression's non-negative margin,
// LAD's focal term for confident logits.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createLoss, LOSS_REGISTRY } from '../../../src/general/losses/registry.js';
import { notTrueKl } from '../../../src/general/losses/not-true.js';
import { candidateDistillTerm } from '../../../src/general/kg/candidate-distill-objective.js';
import { focalTerm } from '../../../src/general/images/lad/assign.js';
import { t2, value } from '../images/toy-digits.js';

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

/** Float64 log-softmax of a row. */
function logSoftmax(row: readonly number[]): number[] {
  const max = Math.max(...row);
  const lse = max + Math.log(row.reduce((sum, v) => sum + Math.exp(v - max), 0));
  return row.map((v) => v - lse);
}

/** Float64 FedNTD L_NTD: the true column dropped (the authors' refine_as_not_true), τ²·batch-mean KL(global ‖ local). */
function ntdOracle(local: number[][], global: number[][], labels: readonly number[], tau: number): number {
  let total = 0;
  local.forEach((row, b) => {
    const drop = (r: readonly number[]): number[] => r.filter((_, c) => c !== labels[b]).map((v) => v / tau);
    const logQ = logSoftmax(drop(row));
    const logP = logSoftmax(drop(global[b]!));
    total += logP.reduce((sum, lp, c) => sum + Math.exp(lp) * (lp - logQ[c]!), 0);
  });
  return (tau * tau * total) / local.length;
}

const gradOf = (f: (x: tf.Tensor2D) => tf.Scalar, x: number[][]): number[][] => tf.tidy(() => tf.grad((v: tf.Tensor) => f(v as tf.Tensor2D))(t2(x)).arraySync() as number[][]);

// The reviewer's case (/tmp/rev-general/repro_ntd_mask.mjs): a true-class gap of 140–150 logits.
const LOCAL = [[150, 0, 1, -1], [0, 2, 1, 0]];
const GLOBAL = [[140, 3, 0, 1], [1, 0, 2, 0]];
const LABELS = [0, 1];

describe('not-true KL (FedNTD Eq. 4) is exact for any τ and logit gap', () => {
  it('matches the float64 oracle with the true column dropped at τ = 1 … 0.001', () => {
    for (const tau of [3, 1, 0.1, 0.02, 0.01, 0.001]) {
      const got = value(() => notTrueKl(t2(LOCAL), t2(GLOBAL), Int32Array.from(LABELS), tau));
      const expected = ntdOracle(LOCAL, GLOBAL, LABELS, tau);
      // before the fix (a −1e4·τ mask on the true logit) τ = 0.01 gave 0 for the exact 0.005
      expect(Math.abs(got - expected) / expected, `τ = ${tau}`).toBeLessThan(1e-4);
    }
    // logits ×1000 at τ = 1: still exact (the gap is 150 000)
    const big = LOCAL.map((r) => r.map((v) => v * 1000));
    const bigG = GLOBAL.map((r) => r.map((v) => v * 1000));
    expect(value(() => notTrueKl(t2(big), t2(bigG), Int32Array.from(LABELS), 1))).toBeCloseTo(ntdOracle(big, bigG, LABELS, 1), 1);
  });

  it('its gradient matches central differences of the oracle, is 0 on the true logit and on the global model', () => {
    const tau = 0.01;
    const g = gradOf((x) => notTrueKl(x, t2(GLOBAL), Int32Array.from(LABELS), tau), LOCAL);
    const h = 1e-5;
    LOCAL.forEach((row, b) => row.forEach((_, c) => {
      const shift = (d: number): number[][] => LOCAL.map((r, i) => r.map((v, j) => (i === b && j === c ? v + d : v)));
      const fd = (ntdOracle(shift(h), GLOBAL, LABELS, tau) - ntdOracle(shift(-h), GLOBAL, LABELS, tau)) / (2 * h);
      expect(g[b]![c]!, `∂/∂z[${b}][${c}]`).toBeCloseTo(fd, 4);
    }));
    expect(g[0]![0]).toBe(0);
    expect(g[1]![1]).toBe(0);
    // before the fix the masked true class took all of row 0's mass and its gradient leaked into the others
    expect(Math.abs(g[0]![1]!)).toBeGreaterThan(1e-3);
    const gGlobal = gradOf((x) => notTrueKl(t2(LOCAL), x, Int32Array.from(LABELS), tau), GLOBAL);
    expect(gGlobal.flat().every((v) => v === 0)).toBe(true);
  });

  it('the ntd loss and the KG port (gold-first candidates) use it', () => {
    const ntd = createLoss('ntd', { temperature: 0.01, beta: 1 });
    const ce = value(() => createLoss('ce')({ logits: t2(LOCAL), labels: Int32Array.from(LABELS) }));
    expect(value(() => ntd({ local: t2(LOCAL), global: t2(GLOBAL), labels: Int32Array.from(LABELS) }))).toBeCloseTo(ce + ntdOracle(LOCAL, GLOBAL, LABELS, 0.01), 4);
    // KG: gold at column 0 of each row, the term divided by 1 + N
    const student = [[150, 0, 1, -1], [30, 2, 1, 0]];
    const reference = [[140, 3, 0, 1], [25, 0, 2, 0]];
    const got = value(() => candidateDistillTerm('not-true', t2(student), t2(reference), 0.01));
    expect(got).toBeCloseTo(ntdOracle(student, reference, [0, 0], 0.01) / 4, 5);
    expect(got).toBeGreaterThan(1e-3);
  });
});

describe('teachers detached in kd and hinton-kd (as every other two-model loss)', () => {
  it('no gradient reaches the teacher; the student gradient is unchanged', () => {
    const student = [[0.5, -1, 2], [1, 0, 0]];
    const teacher = [[2, 0, -1], [0, 1, 3]];
    for (const [name, params] of [['kd', { temperature: 4 }], ['hinton-kd', { temperature: 4, alpha: 0.9 }]] as const) {
      const loss = createLoss(name, params) as (i: { student: tf.Tensor2D; teacher: tf.Tensor2D; labels: Int32Array }) => tf.Scalar;
      const gTeacher = gradOf((x) => loss({ student: t2(student), teacher: x, labels: Int32Array.of(0, 2) }), teacher);
      // before the fix: max |∂L/∂teacher| = 0.26 (kd) and 0.23 (hinton-kd)
      expect(gTeacher.flat().every((v) => v === 0), name).toBe(true);
      const gStudent = gradOf((x) => loss({ student: x, teacher: t2(teacher), labels: Int32Array.of(0, 2) }), student);
      expect(Math.max(...gStudent.flat().map(Math.abs)), name).toBeGreaterThan(0.01);
    }
  });
});

describe('documentation and ranges', () => {
  it("dcm's equation states T² and p = softmax(z/T), which the code computes (T = 2)", () => {
    expect(LOSS_REGISTRY.get('dcm').equation).toMatch(/T² · Σ.*p = softmax\(z\/T\)/);
    const a = [[1, 0, -1]];
    const b = [[0, 2, 0]];
    const kl = (p: number[], q: number[]): number => p.reduce((s, v, c) => s + Math.exp(v) * (v - q[c]!), 0);
    const la = logSoftmax(a[0]!.map((v) => v / 2));
    const lb = logSoftmax(b[0]!.map((v) => v / 2));
    const ce = (row: number[], y: number): number => -logSoftmax(row)[y]!;
    const expected = ce(a[0]!, 0) + ce(b[0]!, 0) + 4 * (kl(lb, la) + kl(la, lb));
    expect(value(() => createLoss('dcm', { temperature: 2 })({ a: [t2(a)], b: [t2(b)], labels: Int32Array.of(0) }))).toBeCloseTo(expected, 5);
  });

  it("bounded-regression's margin m is a margin: negative values are refused", () => {
    expect(() => createLoss('bounded-regression', { margin: -0.5 })).toThrow(/loss 'bounded-regression': margin/);
    expect(() => createLoss('bounded-regression', { margin: 0 })).not.toThrow();
  });

  it("LAD's focal term is exact for confident correct logits (1 − p_t by expm1)", () => {
    // z = 25, t = 1: 1 − p_t = 1 − σ(25) = σ(−25) ≈ e⁻²⁵ / (1 + e⁻²⁵); FL = α(1 − p_t)^γ·(−log p_t), −log p_t = log1p(e⁻²⁵)
    const q = Math.exp(-25) / (1 + Math.exp(-25));
    const expected = 0.25 * q ** 2 * Math.log1p(Math.exp(-25));
    expect(Math.abs(focalTerm(25, 1, 2, 0.25) - expected) / expected).toBeLessThan(1e-12);
    const q0 = Math.exp(-30) / (1 + Math.exp(-30));
    expect(Math.abs(focalTerm(-30, 0, 2, 0.25) - 0.75 * q0 ** 2 * Math.log1p(Math.exp(-30))) / (0.75 * q0 ** 2 * Math.log1p(Math.exp(-30)))).toBeLessThan(1e-12);
  });
});
