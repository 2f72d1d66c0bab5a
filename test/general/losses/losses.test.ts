// Every registered loss on hand-computed tensors: values, gradient signs, symmetry, and detached targets.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createLoss } from '../../../src/general/losses/registry.js';
import { temperatureKdLoss } from '../../../src/core/distillation-loss.js';
import { stopGradient } from '../../../src/core/stop-gradient.js';
import { l2NormalizeRows } from '../../../src/general/tensor-ops.js';

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

const t2 = (rows: number[][]): tf.Tensor2D => tf.tensor2d(rows);
const value = (f: () => tf.Scalar): number => tf.tidy(() => f().dataSync()[0]!);
const grad = (f: (x: tf.Tensor2D) => tf.Scalar, x: number[][]): number[][] => tf.tidy(() => tf.grad((v: tf.Tensor) => f(v as tf.Tensor2D))(t2(x)).arraySync() as number[][]);

describe('classification losses', () => {
  it('ce: −log softmax at the label, averaged over rows', () => {
    // logits (1, 2, 3), label 2: −log(e³/(e + e² + e³)) = log(1 + e⁻¹ + e⁻²) = 0.407606.
    const ce = createLoss('ce');
    expect(value(() => ce({ logits: t2([[1, 2, 3]]), labels: Int32Array.of(2) }))).toBeCloseTo(Math.log(1 + Math.exp(-1) + Math.exp(-2)), 5);
    // Two rows: mean of log 2 (uniform pair) and the row above.
    expect(value(() => ce({ logits: t2([[0, 0, -100], [1, 2, 3]]), labels: Int32Array.of(0, 2) }))).toBeCloseTo((Math.log(2) + 0.407606) / 2, 4);
    const g = grad((x) => ce({ logits: x, labels: Int32Array.of(2) }), [[1, 2, 3]]);
    expect(g[0]![2]).toBeLessThan(0); // raising the true class lowers the loss
    expect(g[0]![0]).toBeGreaterThan(0);
    expect(g[0]!.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 6); // softmax gradients sum to zero
  });

  it('kd: the core temperature KD loss, T²·KL (here T = 2: 4·0.110988)', () => {
    // Teacher (2, 0)/2 → p = (0.731059, 0.268941); student (0, 0) → q = (½, ½).
    const p = 1 / (1 + Math.exp(-1));
    const expected = 4 * (p * Math.log(2 * p) + (1 - p) * Math.log(2 * (1 - p)));
    const kd = createLoss('kd', { temperature: 2 });
    expect(value(() => kd({ student: t2([[0, 0]]), teacher: t2([[2, 0]]) }))).toBeCloseTo(expected, 5);
    expect(value(() => kd({ student: t2([[0, 0]]), teacher: t2([[2, 0]]) }))).toBeCloseTo(value(() => temperatureKdLoss(t2([[0, 0]]), t2([[2, 0]]), 2)), 6);
    // ∂L/∂s = T·(q − p): −2(p − ½) on the teacher's class, +2(p − ½) on the other.
    const g = grad((x) => kd({ student: x, teacher: t2([[2, 0]]) }), [[0, 0]]);
    expect(g[0]![0]).toBeCloseTo(-2 * (p - 0.5), 4);
    expect(g[0]![1]).toBeCloseTo(2 * (p - 0.5), 4);
  });

  it('hinton-kd: (1 − α)·CE + α·T²·KL', () => {
    const mix = createLoss('hinton-kd', { temperature: 2, alpha: 0.25 });
    const p = 1 / (1 + Math.exp(-1));
    const kdPart = 4 * (p * Math.log(2 * p) + (1 - p) * Math.log(2 * (1 - p)));
    const expected = 0.75 * Math.log(2) + 0.25 * kdPart; // student (0, 0), label 1: CE = log 2
    expect(value(() => mix({ student: t2([[0, 0]]), teacher: t2([[2, 0]]), labels: Int32Array.of(1) }))).toBeCloseTo(expected, 5);
  });
});

describe('mutual losses', () => {
  it('dml: CE plus the mean KL from the peers, with no gradient into the peers', () => {
    const dml = createLoss('dml', {});
    // Self (0, 0), peer (ln 3, 0) → KL((¾, ¼) ‖ (½, ½)) = 0.130812; label 0: CE = log 2.
    const kl = 0.75 * Math.log(1.5) + 0.25 * Math.log(0.5);
    expect(value(() => dml({ logits: t2([[0, 0]]), peers: [t2([[Math.log(3), 0]])], labels: Int32Array.of(0) }))).toBeCloseTo(Math.log(2) + kl, 5);
    // Two peers: the mean of their KLs (the second peer agrees with self: KL 0).
    expect(value(() => dml({ logits: t2([[0, 0]]), peers: [t2([[Math.log(3), 0]]), t2([[0, 0]])], labels: Int32Array.of(0) }))).toBeCloseTo(Math.log(2) + kl / 2, 5);
    const peerGrad = grad((peer) => dml({ logits: t2([[0, 0]]), peers: [peer], labels: Int32Array.of(0) }), [[1, 0]]);
    expect(peerGrad[0]).toEqual([0, 0]);
    expect(() => dml({ logits: t2([[0, 0]]), peers: [], labels: Int32Array.of(0) })).toThrow(/at least one peer/);
  });

  it('dcm: CE on every classifier plus two-way KL across nets; symmetric in the two nets', () => {
    const dcm = createLoss('dcm', {});
    const kl = 0.75 * Math.log(1.5) + 0.25 * Math.log(0.5);
    const klReverse = 0.5 * Math.log(0.5 / 0.75) + 0.5 * Math.log(0.5 / 0.25);
    const a = [t2([[0, 0]])];
    const b = [t2([[Math.log(3), 0]])];
    const ce = Math.log(2) + -Math.log(0.75);
    expect(value(() => dcm({ a, b, labels: Int32Array.of(0) }))).toBeCloseTo(ce + kl + klReverse, 5);
    expect(value(() => dcm({ a: b, b: a, labels: Int32Array.of(0) }))).toBeCloseTo(ce + kl + klReverse, 5);
    // Dense pairs: 2 classifiers per net → 4 cross pairs, each in both directions; identical logits give only CE.
    const same = [t2([[1, 0]]), t2([[1, 0]])];
    const ceOne = Math.log(1 + Math.exp(-1));
    expect(value(() => dcm({ a: same, b: same, labels: Int32Array.of(0) }))).toBeCloseTo(4 * ceOne, 5);
    tf.dispose([...a, ...b, ...same]);
  });
});

describe('contrastive losses', () => {
  it('nt-xent: SimCLR eq. (1) on orthogonal views; symmetric in the two views', () => {
    // Views (1,0), (0,1), (1,0), (0,1) at τ = 1: ℓ = −log(e / (2 + e)) for every anchor.
    const nt = createLoss('nt-xent', { temperature: 1 });
    const z = [[1, 0], [0, 1]];
    const expected = Math.log(2 + Math.E) - 1;
    expect(value(() => nt({ z1: t2(z), z2: t2(z) }))).toBeCloseTo(expected, 5);
    const z1 = [[1, 0.2], [0.1, 1]];
    const z2 = [[0.9, 0.3], [0.2, 0.8]];
    expect(value(() => nt({ z1: t2(z1), z2: t2(z2) }))).toBeCloseTo(value(() => nt({ z1: t2(z2), z2: t2(z1) })), 5);
    // Pulling a view towards its positive lowers the loss.
    const g = grad((x) => nt({ z1: x, z2: t2([[1, 0], [0, 1]]) }), [[0.8, 0.6], [0, 1]]);
    expect(g[0]![1]).toBeGreaterThan(0); // moving view 0 away from (0, 1) … lowers the loss
    expect(() => nt({ z1: t2([[1, 0]]), z2: t2([[1, 0]]) })).toThrow(/at least 2 samples/);
  });

  it('similarity-kl: 0 between equal models; KL(uniform ‖ softmax(0, 1, 0)) = 0.119495; no gradient into the peer', () => {
    const kl = createLoss('similarity-kl', { temperature: 1 });
    const z = [[1, 0], [0, 1]];
    expect(value(() => kl({ z1: t2(z), z2: t2(z), peerZ1: t2(z), peerZ2: t2(z) }))).toBeCloseTo(0, 6);
    // The peer maps everything to one direction: uniform rows (⅓, ⅓, ⅓); self rows softmax(0, 1, 0).
    const q = [1, Math.E, 1].map((v) => v / (2 + Math.E));
    const expected = q.reduce((sum, qi) => sum + (1 / 3) * Math.log(1 / 3 / qi), 0);
    const collapsed = [[1, 0], [1, 0]];
    expect(expected).toBeCloseTo(0.119495, 5);
    expect(value(() => kl({ z1: t2(z), z2: t2(z), peerZ1: t2(collapsed), peerZ2: t2(collapsed) }))).toBeCloseTo(expected, 5);
    const peerGrad = grad((p) => kl({ z1: t2(z), z2: t2(z), peerZ1: p, peerZ2: t2(collapsed) }), [[1, 0.5], [1, 0]]);
    expect(peerGrad.flat().every((v) => v === 0)).toBe(true);
  });
});

describe('feature losses', () => {
  it('feature-mse: (0.6, 0.8) vs (0.8, 0.6) → 0.04', () => {
    const mse = createLoss('feature-mse', {});
    expect(value(() => mse({ student: t2([[3, 4]]), target: t2([[4, 3]]) }))).toBeCloseTo(0.04, 6);
    expect(value(() => mse({ student: t2([[3, 4]]), target: t2([[6, 8]]) }))).toBeCloseTo(0, 6); // scale-free
    expect(() => mse({ student: t2([[3, 4]]), target: t2([[1, 2, 3]]) })).toThrow(/must hold as many values/);
  });

  it('attention: squared activations (dense) or channel means of squares (conv), normalised', () => {
    const at = createLoss('attention', {});
    // A = (1, 4) vs (4, 1): unit vectors (1, 4)/√17 and (4, 1)/√17 → each squared difference 9/17.
    expect(value(() => at({ student: t2([[1, 2]]), target: t2([[2, 1]]) }))).toBeCloseTo(9 / 17, 5);
    // Conv [1, 1, 2, 2]: channel means of squares (1+1)/2 = 1 and (4+0)/2 = 2 → A = (1, 2); target A = (2, 1).
    const student = tf.tensor4d([1, 1, 2, 0], [1, 1, 2, 2]);
    const target = tf.tensor4d([2, 0, 1, 1], [1, 1, 2, 2]);
    expect(value(() => at({ student, target }))).toBeCloseTo(1 / 5, 5); // (1,2)/√5 vs (2,1)/√5: (1/√5)² each
    tf.dispose([student, target]);
  });

  it('ffsd-diversity: the predecessor map reversed above its 1/3-quantile (hand-computed 0.081001)', () => {
    const div = createLoss('ffsd-diversity', {});
    // Previous (1, 2, 3) → A = (1, 4, 9)/√98; θ = the smallest; target (½, 1 − 4/√98, 1 − 9/√98).
    const n = Math.sqrt(98);
    const target = [0.5, 1 - 4 / n, 1 - 9 / n];
    const x = 1 / Math.sqrt(3);
    const expected = target.reduce((sum, t) => sum + (x - t) ** 2, 0) / 3;
    expect(expected).toBeCloseTo(0.081001, 5);
    expect(value(() => div({ student: t2([[1, 1, 1]]), previous: t2([[1, 2, 3]]) }))).toBeCloseTo(expected, 5);
    // θ is the k-th smallest with k = ⌊3q⌋: q = 0.5 → k = 1 (the same target as above); q = 0.7 → k = 2, θ = 4/√98, so the
    // smallest keeps ŷ = 1/√98, the middle one sits at θ (sign 0 → ½) and the largest is reversed: (1/√98, ½, 1 − 9/√98).
    expect(value(() => createLoss('ffsd-diversity', { quantile: 0.5 })({ student: t2([[1, 1, 1]]), previous: t2([[1, 2, 3]]) }))).toBeCloseTo(expected, 5);
    const second = [1 / n, 0.5, 1 - 9 / n].reduce((sum, t) => sum + (x - t) ** 2, 0) / 3;
    expect(second).toBeCloseTo(0.156516, 5);
    expect(value(() => createLoss('ffsd-diversity', { quantile: 0.7 })({ student: t2([[1, 1, 1]]), previous: t2([[1, 2, 3]]) }))).toBeCloseTo(second, 5);
    const previousGrad = grad((p) => div({ student: t2([[1, 1, 1]]), previous: p }), [[1, 2, 3]]);
    expect(previousGrad[0]).toEqual([0, 0, 0]);
  });
});

describe('focal', () => {
  it('α-balanced sigmoid focal loss normalised by positive anchors', () => {
    const focal = createLoss('focal', {});
    // z = 0 → p = ½: positive term 0.25·¼·ln 2, negative term 0.75·¼·ln 2; one positive anchor.
    const pos = 0.25 * 0.25 * Math.log(2);
    const neg = 0.75 * 0.25 * Math.log(2);
    expect(value(() => focal({ logits: t2([[0, 0]]), targets: t2([[1, 0]]) }))).toBeCloseTo(pos + neg, 6);
    // A background anchor (all-zero row) adds its terms but not to the normaliser.
    expect(value(() => focal({ logits: t2([[0, 0], [0, 0]]), targets: t2([[1, 0], [0, 0]]) }))).toBeCloseTo(pos + 3 * neg, 6);
    // γ = 0, α = ½ is half the binary cross-entropy.
    const bce = createLoss('focal', { gamma: 0, alpha: 0.5 });
    expect(value(() => bce({ logits: t2([[2]]), targets: t2([[1]]) }))).toBeCloseTo(0.5 * Math.log(1 + Math.exp(-2)), 6);
    const g = grad((x) => focal({ logits: x, targets: t2([[1, 0]]) }), [[0, 0]]);
    expect(g[0]![0]).toBeLessThan(0);
    expect(g[0]![1]).toBeGreaterThan(0);
  });
  it('has finite gradients for γ < 1 when a logit saturates (the power at 1 − p_t = 0 gave NaN), and its values', () => {
    // soft targets keep the standard form α_t (1 − p_t)^γ (−log p_t) with p_t = t·p + (1 − t)(1 − p): z = 3, t = ½, γ = 2
    // (p_t = ½, α_t = ½·0.25 + ½·0.75 = ½, one positive anchor at most): ½ · ½² · (½ softplus(−3) + ½ softplus(3)) ≈ 0.1936
    const soft = 0.5 * 0.5 ** 2 * (0.5 * Math.log(1 + Math.exp(-3)) + 0.5 * Math.log(1 + Math.exp(3)));
    expect(value(() => createLoss('focal', {})({ logits: t2([[3]]), targets: t2([[0.5]]) }))).toBeCloseTo(soft, 5);
    const focal = createLoss('focal', { gamma: 0.5 });
    // a positive at z = 0: α·(½)^½·ln 2 on one positive anchor
    expect(value(() => focal({ logits: t2([[0]]), targets: t2([[1]]) }))).toBeCloseTo(0.25 * Math.SQRT1_2 * Math.log(2), 6);
    const targets = t2([[0, 1], [1, 0]]);
    const g = grad((x) => focal({ logits: x, targets }), [[-20, 3], [2, 0.5]]).flat();
    expect(g.every(Number.isFinite)).toBe(true);
    expect(Math.abs(g[0]!)).toBeLessThan(1e-6); // an easy negative: σ(−20) ≈ 2e-9, nothing to learn
    expect(g[1]!).toBeLessThan(0); // the positives are pushed up, the hard negative down
    expect(g[2]!).toBeLessThan(0);
    expect(g[3]!).toBeGreaterThan(0);
  });
});

describe('l2NormalizeRows', () => {
  it('divides by the norm and gives an all-zero row a finite gradient (it was NaN)', () => {
    const weights = t2([[1, 1, 1], [1, 0, 0]]);
    const g = grad((x) => tf.sum(tf.mul(l2NormalizeRows(x), weights)) as tf.Scalar, [[0, 0, 0], [1, 2, 2]]);
    expect(g.flat().every(Number.isFinite)).toBe(true);
    g[0]!.forEach((v) => expect(v / 1e12).toBeCloseTo(1, 5)); // the zero row: 1/1e-12 per unit weight, as PyTorch's F.normalize
    // row (1, 2, 2), norm 3, weights (1, 0, 0): ∂(x₁/‖x‖)/∂x = e₁/3 − x₁·x/27
    g[1]!.forEach((v, i) => expect(v).toBeCloseTo([8 / 27, -2 / 27, -2 / 27][i]!, 5));
    expect(value(() => tf.sum(l2NormalizeRows(t2([[3, 4]]))) as tf.Scalar)).toBeCloseTo(1.4, 6);
  });
});

describe('stopGradient', () => {
  it('passes values and blocks gradients', () => {
    const g = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(tf.add(tf.mul(x, 2), stopGradient(tf.mul(x, 5)))))(tf.tensor1d([1, 2])).arraySync());
    expect(g).toEqual([2, 2]);
    expect(tf.tidy(() => Array.from(stopGradient(tf.tensor1d([3, 4])).dataSync()))).toEqual([3, 4]);
  });
});
