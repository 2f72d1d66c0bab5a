// The self-adversarial and margin ranking losses: the fused path's hand-derived gradients (the sampledNssaLoss
// kernel, sampled-loss-block.ts's margin ranking) against tfjs autodiff of the reference definitions (losses.ts) and against float64 central finite differences,
// hand-computed values, and the fused step with these losses equal to the tfjs step.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { bySampledLoss, marginRankingLoss, selfAdversarialLoss, type SampledLoss, type SampledLossName } from '../../src/core/losses.js';
import { marginRankingBlock } from '../../src/core/sampled-loss-block.js';
import { loadKernels, type Kernels } from '../../src/kernels/kernels.js';
import { SeededRandom } from '../../src/core/random.js';
import { ModelRuntime } from '../../src/core/model-runtime.js';
import { kgeObjective } from '../../src/core/kge-objective.js';
import { createModel } from '../../src/registry/models.js';

let kernels: Kernels;
beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  kernels = await loadKernels();
});

/** The fused step's loss of a block: the nssa kernel (through kernel memory) or the margin ranking loop. */
function sampledLossBlock(settings: SampledLoss, scores: Float32Array, dscore: Float32Array, n: number, M: number, B: number): number {
  if (settings.loss !== 'nssa') return marginRankingBlock(settings, scores, dscore, n, M, B);
  const s = kernels.memory.allocF32(n * M), d = kernels.memory.allocF32(n * M);
  s.array.set(scores);
  const value = kernels.fused.sampledNssaLoss(n, M, s, d, settings.margin, settings.adversarialTemperature, 0.5 / B);
  dscore.set(d.array);
  return value;
}

const NSSA: SampledLoss = { loss: 'nssa', margin: 3, adversarialTemperature: 0.7 };
const MARGIN: SampledLoss = { loss: 'margin', margin: 1, adversarialTemperature: 1 };

function randomScores(n: number, M: number, seed: number): Float32Array {
  const rng = new SeededRandom(seed);
  return Float32Array.from({ length: n * M }, () => 4 * rng.normal());
}

/** An independent float64 loss for finite differences; the self-adversarial weights are those of `weightsFrom` (constant). */
function referenceLoss(settings: SampledLoss, scores: Float64Array, weightsFrom: Float32Array, n: number, M: number, B: number): number {
  const softplus = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
  let total = 0;
  for (let b = 0; b < n; b++) {
    const row = b * M;
    if (settings.loss === 'margin') {
      for (let j = 1; j < M; j++) total += Math.max(0, settings.margin - scores[row]! + scores[row + j]!) / (B * (M - 1));
      continue;
    }
    const e = Array.from({ length: M - 1 }, (_, j) => Math.exp(settings.adversarialTemperature * weightsFrom[row + 1 + j]!));
    const z = e.reduce((a, x) => a + x, 0);
    let l = softplus(-settings.margin - scores[row]!);
    for (let j = 1; j < M; j++) l += (e[j - 1]! / z) * softplus(settings.margin + scores[row + j]!);
    total += (0.5 * l) / B;
  }
  return total;
}

describe('self-adversarial and margin ranking losses', () => {
  it('match hand-computed values', () => {
    const s = Float32Array.of(1, 0, -2); // one query: gold 1, negatives 0 and −2
    const d = new Float32Array(3);
    const sig = (x: number): number => 1 / (1 + Math.exp(-x));
    const p = [Math.exp(0), Math.exp(-2)].map((e, _, a) => e / (a[0]! + a[1]!));
    const want = 0.5 * (-Math.log(sig(3 + 1)) - p[0]! * Math.log(sig(-3 - 0)) - p[1]! * Math.log(sig(-3 + 2)));
    expect(sampledLossBlock({ loss: 'nssa', margin: 3, adversarialTemperature: 1 }, s, d, 1, 3, 1)).toBeCloseTo(want, 6);
    expect(sampledLossBlock(MARGIN, s, d, 1, 3, 1)).toBeCloseTo((Math.max(0, 1 - 1 + 0) + Math.max(0, 1 - 1 - 2)) / 2, 7);
    expect(Array.from(d)).toEqual([0, 0, 0]); // the only pair at the margin (v = 0) is inactive
  });

  it('margin ranking: a non-finite score makes the loss NaN on both paths (relu and `v > 0` made it a silent 0)', () => {
    for (const s of [Float32Array.of(1, Number.NaN, -2), Float32Array.of(-Infinity, -Infinity, 0)]) {
      expect(marginRankingBlock(MARGIN, s, new Float32Array(3), 1, 3, 1)).toBeNaN();
      expect(marginRankingBlock(MARGIN, s, new Float32Array(3), 1, 3, 1, { weights: Float32Array.of(1), total: 1 })).toBeNaN();
      const loss = marginRankingLoss(tf.tensor2d(s, [1, 3]), MARGIN.margin);
      expect(loss.dataSync()[0]).toBeNaN();
      loss.dispose();
    }
    expect(marginRankingBlock(MARGIN, Float32Array.of(1, Infinity, -2), new Float32Array(3), 1, 3, 1)).toBe(Infinity); // counted, not dropped
  });

  for (const settings of [NSSA, MARGIN]) {
    it(`${settings.loss}: the hand gradient equals tfjs autodiff and float64 finite differences`, () => {
      const n = 5, M = 7, B = 9;
      const scores = randomScores(n, M, settings.loss === 'nssa' ? 1 : 2);
      const d = new Float32Array(n * M);
      const value = sampledLossBlock(settings, scores, d, n, M, B);
      const reference = (x: tf.Tensor2D): tf.Scalar => tf.mul(n / B, settings.loss === 'nssa' ? selfAdversarialLoss(x, settings.margin, settings.adversarialTemperature) : tf.mul(1, marginRankingLoss(x, settings.margin))) as tf.Scalar;
      const { value: tfValue, grad } = tf.tidy(() => {
        const { value: v, grad: g } = tf.valueAndGrad(reference)(tf.tensor2d(scores, [n, M]));
        return { value: v.dataSync()[0]!, grad: Array.from(g.dataSync()) };
      });
      expect(value).toBeCloseTo(tfValue, 5);
      grad.forEach((g, i) => expect(Math.abs(d[i]! - g)).toBeLessThan(1e-6 + 1e-4 * Math.abs(g)));
      const h = 1e-4;
      const s64 = Float64Array.from(scores);
      expect(value).toBeCloseTo(referenceLoss(settings, s64, scores, n, M, B), 5);
      for (let i = 0; i < n * M; i += 3) {
        const up = Float64Array.from(s64); up[i] += h;
        const down = Float64Array.from(s64); down[i] -= h;
        const fd = (referenceLoss(settings, up, scores, n, M, B) - referenceLoss(settings, down, scores, n, M, B)) / (2 * h);
        if (settings.loss === 'margin') continue; // piecewise linear: finite differences only away from the kinks, checked by autodiff above
        expect(Math.abs(d[i]! - fd)).toBeLessThan(2e-4 * Math.max(1, Math.abs(fd)));
      }
    });
  }

  it('the fused step with each loss equals the tfjs step (same draws, loss and gradients)', async () => {
    for (const settings of [NSSA, MARGIN]) {
      const results = await Promise.all((['fused', 'tfjs'] as const).map(async (path) => {
        const runtime = await ModelRuntime.create(createModel('RotatE', { dim: 8, numEntities: 30, numRelations: 3 }), 4);
        const batch = { entities: Int32Array.of(0, 5, 9, 12), relations: Int32Array.of(0, 1, 4, 5), answers: Int32Array.of(3, 7, 1, 20) };
        const objective = kgeObjective(runtime, { negatives: 6, doubleNegatives: false, regularizer: 'none', regularizerWeight: 0, path, loss: settings }, 'wasm');
        const loss = objective.gradients(batch, 1, new SeededRandom(8));
        return { loss, grad: Array.from(runtime.store.table('entity').grad.array) };
      }));
      expect(results[0]!.loss).toBeCloseTo(results[1]!.loss, 5);
      const scale = Math.max(...results[1]!.grad.map(Math.abs));
      results[0]!.grad.forEach((g, i) => expect(Math.abs(g - results[1]!.grad[i]!)).toBeLessThan(1e-4 * scale));
    }
  });

  it('refuses double negatives and a query without negatives', async () => {
    const runtime = await ModelRuntime.create(createModel('DistMult', { dim: 4, numEntities: 10, numRelations: 1 }), 1);
    const batch = { entities: Int32Array.of(0), relations: Int32Array.of(0), answers: Int32Array.of(1) };
    const objective = kgeObjective(runtime, { negatives: 2, doubleNegatives: true, regularizer: 'none', regularizerWeight: 0, path: 'auto', loss: NSSA }, 'wasm');
    expect(() => objective.gradients(batch, 1, new SeededRandom(1))).toThrow(/nssa loss compares each query with its own negatives/);
  });
});

describe('bySampledLoss', () => {
  it('runs the case of the name, and refuses a name it has no case for (a ternary ran an unknown loss as BCE or margin ranking)', () => {
    const cases = { bce: () => 'b', nssa: () => 'n', margin: () => 'm' };
    expect((['bce', 'nssa', 'margin'] as const).map((name) => bySampledLoss(name, cases))).toEqual(['b', 'n', 'm']);
    expect(() => bySampledLoss('hinge' as SampledLossName, cases)).toThrow("unknown sampled loss 'hinge'");
  });
});
