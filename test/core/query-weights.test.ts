// Query weights in the sampled loss (Sun et al. 2019's subsampling weights): the batch loss is Σ w·ℓ / Σ w over the
// queries' own losses ℓ. The weighted loss blocks (the BCE and self-adversarial kernels, the margin ranking loop)
// against hand values, a float64 oracle, its central finite differences and tfjs autodiff of weightedSampledLoss;
// the weighted fused step against the weighted tfjs step (batches longer than a chunk); weights of 1 against the
// unweighted step; one thread against two, in place against compact (Σ w is the whole batch's); the refusals.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { weightedSampledLoss, type SampledLoss } from '../../src/core/losses.js';
import { marginRankingBlock } from '../../src/core/sampled-loss-block.js';
import { loadKernels, type Kernels } from '../../src/kernels/kernels.js';
import { SeededRandom } from '../../src/core/random.js';
import { ModelRuntime } from '../../src/core/model-runtime.js';
import { kgeObjective } from '../../src/core/kge-objective.js';
import { TableOptimizer } from '../../src/core/optimizers.js';
import { MIN_PARALLEL_ROWS, parallelStepReady } from '../../src/core/fused-step-parallel.js';
import { compactStepWorthIt, setCompactSteps } from '../../src/core/fused-compact-step.js';
import type { QueryBatch } from '../../src/core/batch.js';
import { createModel } from '../../src/registry/models.js';
import { randomQueryBatch } from '../helpers/query-batches.js';

let kernels: Kernels;
beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  kernels = await loadKernels();
});
afterEach(() => setCompactSteps('auto'));

const BCE: SampledLoss = { loss: 'bce', margin: 0, adversarialTemperature: 1 };
const NSSA: SampledLoss = { loss: 'nssa', margin: 3, adversarialTemperature: 0.7 };
const MARGIN: SampledLoss = { loss: 'margin', margin: 1, adversarialTemperature: 1 };
const LOSSES = [BCE, NSSA, MARGIN];

const total = (w: Float32Array): number => w.reduce((a, x) => a + x, 0);
const softplus = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));

/** The weighted loss of n gold-first rows as the fused step computes it: a kernel through kernel memory, or the margin loop. */
function weightedBlock(settings: SampledLoss, scores: Float32Array, dscore: Float32Array, n: number, M: number, weights: Float32Array): number {
  if (settings.loss === 'margin') return marginRankingBlock(settings, scores, dscore, n, M, n, { weights, total: total(weights) });
  const s = kernels.memory.allocF32(n * M), d = kernels.memory.allocF32(n * M), w = kernels.memory.allocF32(n);
  s.array.set(scores);
  w.array.set(weights);
  const value = settings.loss === 'nssa'
    ? kernels.fused.sampledNssaLoss(n, M, s, d, settings.margin, settings.adversarialTemperature, 0.5 / total(weights), w)
    : kernels.fused.sampledSoftplusLoss(n, M, true, s, d, 1 / (M * total(weights)), w);
  dscore.set(d.array);
  return value;
}

/** Float64 oracle Σ w·ℓ / Σ w; the self-adversarial weights p come from `pFrom` (held constant). */
function oracle(settings: SampledLoss, scores: Float64Array, pFrom: Float32Array, n: number, M: number, weights: Float32Array): number {
  let sum = 0;
  for (let b = 0; b < n; b++) {
    const row = b * M;
    let l = 0;
    if (settings.loss === 'bce') {
      l = softplus(-scores[row]!);
      for (let j = 1; j < M; j++) l += softplus(scores[row + j]!);
      l /= M;
    } else if (settings.loss === 'margin') {
      for (let j = 1; j < M; j++) l += Math.max(0, settings.margin - scores[row]! + scores[row + j]!) / (M - 1);
    } else {
      const e = Array.from({ length: M - 1 }, (_, j) => Math.exp(settings.adversarialTemperature * pFrom[row + 1 + j]!));
      const z = e.reduce((a, x) => a + x, 0);
      l = softplus(-settings.margin - scores[row]!);
      for (let j = 1; j < M; j++) l += (e[j - 1]! / z) * softplus(settings.margin + scores[row + j]!);
      l *= 0.5;
    }
    sum += weights[b]! * l;
  }
  return sum / total(weights);
}

function randomFloats(length: number, seed: number, scale: number, offset = 0): Float32Array {
  const rng = new SeededRandom(seed);
  return Float32Array.from({ length }, () => offset + scale * (offset === 0 ? rng.normal() : rng.next()));
}

describe('weighted loss blocks', () => {
  it('margin ranking: hand-computed value and gradient', () => {
    // query 1: gold 1, negatives 0, −2 (no active pair); query 2: gold 0.5, negatives 1, 0 (γ − s⁺ + s⁻ = 1.5, 0.5)
    const scores = Float32Array.of(1, 0, -2, 0.5, 1, 0), d = new Float32Array(6);
    const weights = Float32Array.of(1 / 3, 1 / 2); // ℓ = 0 and 1: (0/3 + 1/2) / (1/3 + 1/2) = 0.6
    expect(weightedBlock(MARGIN, scores, d, 2, 3, weights)).toBeCloseTo(0.6, 6);
    // each active pair: w₂/(Σw·N) = 0.5/((5/6)·2) = 0.3; the gold score −2·0.3
    [0, 0, 0, -0.6, 0.3, 0.3].forEach((g, i) => expect(d[i]).toBeCloseTo(g, 6));
  });

  it('BCE and self-adversarial: hand-computed values of two queries', () => {
    const scores = Float32Array.of(1, 0, -2, 0.5, 1, 0), d = new Float32Array(6);
    const weights = Float32Array.of(1 / 3, 1 / Math.sqrt(8));
    const sp = softplus;
    const bce = [(sp(-1) + sp(0) + sp(-2)) / 3, (sp(-0.5) + sp(1) + sp(0)) / 3];
    const w = [weights[0]!, weights[1]!];
    expect(weightedBlock(BCE, scores, d, 2, 3, weights)).toBeCloseTo((w[0]! * bce[0]! + w[1]! * bce[1]!) / (w[0]! + w[1]!), 6);
    const nssa1 = { loss: 'nssa', margin: 3, adversarialTemperature: 1 } as const;
    const p1 = [1, Math.exp(-2)].map((e) => e / (1 + Math.exp(-2))), p2 = [Math.exp(1), 1].map((e) => e / (Math.exp(1) + 1));
    const l1 = 0.5 * (sp(-4) + p1[0]! * sp(3) + p1[1]! * sp(1)), l2 = 0.5 * (sp(-3.5) + p2[0]! * sp(4) + p2[1]! * sp(3));
    expect(weightedBlock(nssa1, scores, d, 2, 3, weights)).toBeCloseTo((w[0]! * l1 + w[1]! * l2) / (w[0]! + w[1]!), 6);
  });

  for (const settings of LOSSES) {
    it(`${settings.loss}: equals the float64 oracle, its finite differences and tfjs autodiff of weightedSampledLoss`, () => {
      const n = 6, M = 9;
      const scores = randomFloats(n * M, 5, 3), weights = randomFloats(n, 6, 0.5, 0.1);
      const d = new Float32Array(n * M);
      const value = weightedBlock(settings, scores, d, n, M, weights);
      const s64 = Float64Array.from(scores);
      expect(value).toBeCloseTo(oracle(settings, s64, scores, n, M, weights), 5);
      const { tfValue, grad } = tf.tidy(() => {
        const { value: v, grad: g } = tf.valueAndGrad((x: tf.Tensor) => weightedSampledLoss(settings, x as tf.Tensor2D, weights))(tf.tensor2d(scores, [n, M]));
        return { tfValue: v.dataSync()[0]!, grad: Array.from(g.dataSync()) };
      });
      expect(value).toBeCloseTo(tfValue, 5);
      grad.forEach((g, i) => expect(Math.abs(d[i]! - g)).toBeLessThan(1e-6 + 1e-4 * Math.abs(g)));
      if (settings.loss === 'margin') return; // piecewise linear: autodiff above is the check
      const h = 1e-4;
      for (let i = 0; i < n * M; i += 2) {
        const up = Float64Array.from(s64); up[i] += h;
        const down = Float64Array.from(s64); down[i] -= h;
        const fd = (oracle(settings, up, scores, n, M, weights) - oracle(settings, down, scores, n, M, weights)) / (2 * h);
        expect(Math.abs(d[i]! - fd)).toBeLessThan(1e-5 + 2e-4 * Math.abs(fd));
      }
    });
  }
});

const E = 300, R = 5;

/** A batch with weights: 'random' in [0.1, 0.6), 'ones', or none. */
function weightedBatch(size: number, seed: number, weights: 'random' | 'ones' | 'none'): QueryBatch {
  const batch = randomQueryBatch(size, seed, E, R);
  if (weights === 'none') return batch;
  return { ...batch, weights: weights === 'ones' ? new Float32Array(size).fill(1) : randomFloats(size, 100 + seed, 0.5, 0.1) };
}

interface StepRun { losses: number[]; params: Float32Array[]; grads: Float32Array[]; parallel: boolean; compact: boolean }

/** Three optimiser steps of a model on weighted batches of `size` queries (gradients of the first step kept). */
async function run(model: string, loss: SampledLoss, weights: 'random' | 'ones' | 'none', options: { path?: 'fused' | 'tfjs'; threads?: 1 | 2; size?: number; compact?: boolean } = {}): Promise<StepRun> {
  const previous = process.env.KGDISTILL_THREADS;
  process.env.KGDISTILL_THREADS = String(options.threads ?? 1);
  setCompactSteps(options.compact ? 'always' : 'never');
  try {
    const runtime = await ModelRuntime.create(createModel(model, { dim: 8, numEntities: E, numRelations: R, initScale: 0.2 }), 3);
    const objective = kgeObjective(runtime, { negatives: 6, doubleNegatives: false, regularizer: 'n3', regularizerWeight: 0.01, path: options.path ?? 'fused', loss }, 'wasm');
    const optimizer = new TableOptimizer('adagrad', 0.1, runtime.store, runtime.kernels);
    const rng = new SeededRandom('weights');
    const size = options.size ?? 300;
    const result: StepRun = { losses: [], params: [], grads: [], parallel: parallelStepReady(runtime.store, size, 7), compact: compactStepWorthIt(runtime.model, runtime.store) };
    for (let s = 0; s < 3; s++) {
      result.losses.push(objective.gradients(weightedBatch(size, s, weights), 1, rng));
      if (s === 0) result.grads = runtime.store.tables().map((t) => t.grad.array.slice());
      optimizer.step();
    }
    result.params = runtime.store.tables().map((t) => t.data.array.slice());
    return result;
  } finally {
    if (previous === undefined) delete process.env.KGDISTILL_THREADS;
    else process.env.KGDISTILL_THREADS = previous;
  }
}

/** Every value of b within `tolerance` of a's (relative to the largest of a's table). */
function expectClose(a: Float32Array[], b: Float32Array[], tolerance: number): void {
  a.forEach((table, i) => {
    const scale = Math.max(1e-3, ...Array.from(table, Math.abs));
    table.forEach((x, k) => expect(Math.abs(b[i]![k]! - x)).toBeLessThan(tolerance * scale));
  });
}

describe('the weighted sampled step', () => {
  for (const loss of LOSSES) {
    it(`${loss.loss}: the fused step equals the tfjs step (RotatE, 300 queries: two chunks)`, async () => {
      const fused = await run('RotatE', loss, 'random');
      const reference = await run('RotatE', loss, 'random', { path: 'tfjs' });
      fused.losses.forEach((l, i) => expect(l).toBeCloseTo(reference.losses[i]!, 5));
      expectClose(reference.grads, fused.grads, 1e-4);
      expectClose(reference.params, fused.params, 1e-4);
    });

    it(`${loss.loss}: weights of 1 give the unweighted step's gradients bit for bit, its loss up to the order of sums`, async () => {
      const unweighted = await run('DistMult', loss, 'none');
      const ones = await run('DistMult', loss, 'ones');
      ones.grads.forEach((g, i) => expect(Array.from(g)).toEqual(Array.from(unweighted.grads[i]!)));
      ones.losses.forEach((l, i) => expect(Math.abs(l - unweighted.losses[i]!)).toBeLessThan(1e-12 * Math.abs(l)));
    });

    it(`${loss.loss}: compact steps give the numbers of steps in place`, async () => {
      const inPlace = await run('DistMult', loss, 'random');
      const compact = await run('DistMult', loss, 'random', { compact: true });
      expect([inPlace.compact, compact.compact]).toEqual([false, true]);
      expect(compact.losses).toEqual(inPlace.losses);
      compact.params.forEach((p, i) => expect(Array.from(p)).toEqual(Array.from(inPlace.params[i]!)));
    });
  }

  for (const loss of [BCE, NSSA]) {
    it(`${loss.loss}: two threads give the one-thread step up to the order of sums (Σ w of the whole batch)`, async () => {
      const size = MIN_PARALLEL_ROWS + 7;
      const one = await run('RotatE', loss, 'random', { size });
      const two = await run('RotatE', loss, 'random', { size, threads: 2 });
      expect([one.parallel, two.parallel]).toEqual([false, true]);
      two.losses.forEach((l, i) => expect(Math.abs(l - one.losses[i]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(l))));
      expectClose(one.params, two.params, 1e-4);
    });
  }

  it('refuses weights with double negatives (fused and tfjs) and in 1-N training', async () => {
    const runtime = await ModelRuntime.create(createModel('DistMult', { dim: 4, numEntities: 10, numRelations: 1 }), 1);
    const batch = { entities: Int32Array.of(0), relations: Int32Array.of(0), answers: Int32Array.of(1), weights: Float32Array.of(0.5) };
    for (const path of ['fused', 'tfjs'] as const) {
      const objective = kgeObjective(runtime, { negatives: 2, doubleNegatives: true, regularizer: 'none', regularizerWeight: 0, path }, 'wasm');
      expect(() => objective.gradients(batch, 1, new SeededRandom(1))).toThrow(/query weights .* cannot be used with double negatives/);
    }
    const oneToN = kgeObjective(runtime, { negatives: 0, doubleNegatives: false, regularizer: 'none', regularizerWeight: 0, path: 'auto' }, 'wasm');
    expect(() => oneToN.gradients(batch, 1, new SeededRandom(1))).toThrow(/1-N training has no per-query weights/);
  });
});
