// FFSD's loss weights against the authors' released CIFARTrainer.py (SJLeo/FFSD): the leader's self-distillation
// term weighted by λ_fusion (not λ_sd, which weights the SD module's own loss), and a warm-up of λ_div, λ_fusion and
// λ_sd only (never the ensemble KD terms). Unit checks of `ffsdWeights`, then two runs on real digits that can only
// agree when a zero weight switches off exactly what the authors' code switches off.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { loadDigits, type ImageSet } from '../../../src/general/images/data/digits.js';
import { selectRows, stratifiedSplit } from '../../../src/general/images/data/split.js';
import { getMethod, parseMethodParams } from '../../../src/general/method-registry.js';
import { ffsdWeights, warmup, type FfsdParams } from '../../../src/general/images/methods/ffsd.js';

let train: ImageSet;
let test: ImageSet;

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  const split = stratifiedSplit(await loadDigits(), 0.25, 0);
  train = selectRows(split.train, Int32Array.from({ length: 192 }, (_, i) => i * 7));
  test = split.test;
});

const defaults = (): FfsdParams => parseMethodParams('ffsd', {}) as FfsdParams;

describe('FFSD term weights (authors: CIFARTrainer.train_with_test, train_self_distillation_model, lambda_warmup)', () => {
  it("the leader's SD term carries λ_fusion, rescaled by positions like the fusion term; λ_sd weights the SD module", () => {
    const p = defaults();
    expect(p.lambdaFusion).toBe(2.5); // 10 · (4·4)/(8·8)
    expect(p.lambdaSelfDistillation).toBe(62.5); // 1000 · (8·8)/(32·32)
    // our first stage 8×8 (64 positions), last 4×4 (16)
    const after = ffsdWeights(p, 6, 64, 16);
    // authors: λ_fusion = 10 on both leader terms, on 8×8 (fusion) and 32×32 (SD) maps → 10·16/64 and 10·64/1024
    expect(after.leaderFusion).toBeCloseTo(10 * 16 / 64, 12);
    expect(after.leaderSelfDistillation).toBeCloseTo(10 * 64 / 1024, 12); // was λ_sd = 64 before the fix
    expect(after.selfDistillationModule).toBeCloseTo(1000 * 64 / 1024, 12); // was 1 before the fix
    expect(ffsdWeights({ ...p, lambdaFusion: 0 }, 6, 64, 16).leaderSelfDistillation).toBe(0);
    expect(ffsdWeights({ ...p, lambdaSelfDistillation: 0 }, 6, 64, 16).leaderSelfDistillation).toBeCloseTo(0.625, 12);
  });

  it('only λ_div, λ_fusion and λ_sd are warmed up over the first 5 epochs; the ensemble KD and DML weights never', () => {
    const p = defaults();
    for (const epoch of [1, 2, 3, 4, 5, 6, 30]) {
      const w = warmup(epoch, 5);
      const got = ffsdWeights(p, epoch, 64, 16);
      expect(got.fusionEnsemble, `epoch ${epoch}`).toBe(1); // was w·1 (0.041 in epoch 1) before the fix
      expect(got.leaderEnsemble, `epoch ${epoch}`).toBe(1);
      expect(got.logit).toBe(1);
      expect(got.diversity).toBeCloseTo(w * 1e-5, 18);
      expect(got.leaderFusion).toBeCloseTo(w * 2.5, 12);
      expect(got.leaderSelfDistillation).toBeCloseTo(w * 0.625, 12);
      expect(got.selfDistillationModule).toBeCloseTo(w * 62.5, 10);
    }
    expect(ffsdWeights(p, 1, 64, 16).leaderFusion).toBeCloseTo(2.5 * Math.exp(-5 * 0.64), 12);
  });
});

describe('FFSD runs: zero weights switch off what the authors switch off', () => {
  const budget = { epochs: 3, batchSize: 32, learningRate: 0.01 };
  const run = (params: Record<string, unknown>, baseline = false): { accuracy: number; fused?: number } => {
    const ffsd = getMethod('ffsd').images;
    const ctx = { train, test, seed: 0, budget, arch: 'cnn' as const, params: parseMethodParams('ffsd', params), log: () => undefined };
    const outcome = baseline ? ffsd.runBaseline(ctx) : ffsd.runMethod(ctx);
    return { accuracy: outcome.accuracy, fused: outcome.extra?.fused };
  };

  it("with λ_fusion = λ_ens = 0 the leader is its CE baseline exactly (λ_sd reaches only the SD module)", () => {
    // Before the fix λ_sd (64) weighted the leader's SD-attention term, so the leader left its baseline.
    const base = run({}, true);
    const leader = run({ lambdaFusion: 0, lambdaEnsemble: 0, lambdaSelfDistillation: 1000 });
    expect(base.accuracy).toBeGreaterThan(0.3);
    expect(leader.accuracy).toBe(base.accuracy);
  }, 60_000);

  it('with λ_div = λ_fusion = 0, the warm-up changes nothing (the ensemble KD terms are not warmed)', () => {
    // Before the fix the warm-up scaled both λ_ens terms, so the fused classifier and the leader moved with it.
    const cold = run({ lambdaDiversity: 0, lambdaFusion: 0, warmupEpochs: 0 });
    const warm = run({ lambdaDiversity: 0, lambdaFusion: 0, warmupEpochs: 5 });
    expect(warm).toEqual(cold);
  }, 60_000);
});
