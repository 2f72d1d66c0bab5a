// The KG port of CBD: answer frequencies, the entity-balanced sampler's probabilities by hand (and by draws),
// frequency buckets, bucketed MRR against the core's evaluation, and the whole experiment on a generated graph.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeSyntheticDataset } from '../../../src/kg/synthetic-graph.js';
import { loadDataset } from '../../../src/kg/dataset.js';
import { runDataFromDataset, type RunData } from '../../../src/core/training-data.js';
import { ModelRuntime } from '../../../src/core/model-runtime.js';
import { SeededRandom } from '../../../src/core/random.js';
import { epochBatches, trainingQueries } from '../../../src/core/batch.js';
import { evaluateSplit } from '../../../src/eval/evaluate-run.js';
import { createModel } from '../../../src/registry/models.js';
import { EntityBalancedSampler, answerFrequencies } from '../../../src/general/kg/long-tail/entity-balanced-sampler.js';
import { bucketOf, bucketedMrr } from '../../../src/general/kg/long-tail/frequency-buckets.js';
import { runCbdKgeComparison } from '../../../src/general/kg/long-tail/cbd-kge-run.js';
import { formatCbdKgeComparison } from '../../../src/cli/kd-port-tables.js';
import { cbdKgeOptions, cbdKgeParamsSchema } from '../../../src/general/kg/long-tail/port.js';
import { randomRankingMrr } from '../random-ranking.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-cbd-'));
let data: RunData;

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  data = runDataFromDataset(await loadDataset(await writeSyntheticDataset(path.join(tmp, 'graph'), { entities: 120, seed: 4 }), { verify: false }));
});

describe('entity-balanced sampling', () => {
  // Queries 0–2 answer entity 0, query 3 entity 1, queries 4–5 entity 2; entity 3 is never an answer.
  const answers = Int32Array.of(0, 0, 0, 1, 2, 2);

  it('counts answer frequencies', () => {
    expect(Array.from(answerFrequencies(answers, 4))).toEqual([3, 1, 2, 0]);
  });

  it('p_i = n_a^(q − 1) / Σ_b n_b^q: balanced (q = 0), instance (q = 1), square root (q = ½)', () => {
    const close = (p: Float64Array, expected: number[]): void => p.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 10));
    close(new EntityBalancedSampler(answers, 4, 0).queryProbabilities(), [1 / 9, 1 / 9, 1 / 9, 1 / 3, 1 / 6, 1 / 6]);
    close(new EntityBalancedSampler(answers, 4, 1).queryProbabilities(), [1 / 6, 1 / 6, 1 / 6, 1 / 6, 1 / 6, 1 / 6]);
    const z = Math.sqrt(3) + 1 + Math.sqrt(2);
    const half = [1 / Math.sqrt(3) / z, 1 / Math.sqrt(3) / z, 1 / Math.sqrt(3) / z, 1 / z, 1 / Math.sqrt(2) / z, 1 / Math.sqrt(2) / z];
    close(new EntityBalancedSampler(answers, 4, 0.5).queryProbabilities(), half);
    expect(() => new EntityBalancedSampler(answers, 4, 2)).toThrow(/power/);
  });

  it('draws match the probabilities, and an epoch has as many steps as an instance epoch', () => {
    const sampler = new EntityBalancedSampler(answers, 4, 0);
    const rng = new SeededRandom(5);
    const hits = new Array<number>(6).fill(0);
    const n = 60_000;
    for (let i = 0; i < n; i++) hits[sampler.draw(rng)]!++;
    [1 / 9, 1 / 9, 1 / 9, 1 / 3, 1 / 6, 1 / 6].forEach((p, i) => expect(Math.abs(hits[i]! / n - p)).toBeLessThan(0.01));
    const queries = { entities: Int32Array.of(5, 6, 7, 8, 9, 10), relations: new Int32Array(6), answers };
    const batches = [...epochBatches(queries, 4, { kind: 'sampler', sampler }, rng)];
    expect(batches.map((b) => b.entities.length)).toEqual([4, 2]);
    for (const b of batches) b.indices!.forEach((q, i) => expect(b.answers[i]).toBe(answers[q]));
    const instance = [...epochBatches(queries, 4, { kind: 'shuffled' }, rng)];
    expect(instance.flatMap((b) => Array.from(b.indices!)).sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

describe('answer-frequency buckets', () => {
  it('unseen f = 0, rare 1–2, medium 3–10, frequent ≥ 11 by default', () => {
    expect([0, 1, 2, 3, 10, 11, 500].map((f) => bucketOf(f))).toEqual(['unseen', 'rare', 'rare', 'medium', 'medium', 'frequent', 'frequent']);
    expect(bucketOf(4, { rareMax: 4, frequentMin: 6 })).toBe('rare');
    expect(() => cbdKgeParamsSchema.parse({ rareMax: 5, frequentMin: 5 })).toThrow(/frequentMin/);
    const settings = { model: 'DistMult', dim: 8, initScale: 0.1, batchSize: 8, learningRate: 0.1, optimizer: 'adagrad' as const, negatives: 4 };
    expect(cbdKgeOptions(settings, cbdKgeParamsSchema.parse({ rareMax: 4, frequentMin: 6 }))).toMatchObject({ epochs: 20, thresholds: { rareMax: 4, frequentMin: 6 } });
  });

  it('bucketed MRR over all queries equals the core evaluation; bucket counts add up', async () => {
    const runtime = await ModelRuntime.create(createModel('DistMult', { dim: 8, numEntities: data.numEntities, numRelations: data.numRelations, initScale: 0.1 }), 3);
    const frequency = answerFrequencies(trainingQueries(data.train, data.numRelations).answers, data.numEntities);
    const thresholds = { rareMax: 4, frequentMin: 7 };
    const result = await bucketedMrr(runtime, data.test, data.numRelations, data.known, frequency, thresholds);
    expect(result.all).toBeCloseTo((await evaluateSplit(runtime, data, 'test')).filtered.mrr, 10);
    const counts = Object.values(result.buckets).map((b) => b.count);
    expect(counts.reduce((s, n) => s + n, 0)).toBe((2 * data.test.length) / 3);
    // Each count by hand from the frequencies.
    let rare = 0;
    for (let i = 0; i < data.test.length; i += 3) for (const a of [data.test[i + 2]!, data.test[i]!]) if (frequency[a]! >= 1 && frequency[a]! <= 4) rare++;
    expect(result.buckets.rare.count).toBe(rare);
  });
});

describe('CBD-KGE end to end', () => {
  it('teachers, balanced baseline and CBD student on a generated graph', async () => {
    const options = { model: 'DistMult', dim: 8, initScale: 0.1, epochs: 6, batchSize: 64, learningRate: 0.5, optimizer: 'adagrad' as const, negatives: 16,
      teachers: 2, alpha: 0.5, temperature: 2, power: 0, thresholds: { rareMax: 4, frequentMin: 7 } };
    const report = await runCbdKgeComparison(data, options, [0], 'wasm');
    const r = report.seeds[0]!;
    expect(r.teachers).toHaveLength(2);
    expect(r.instance).toBe(r.teachers[0]);
    // A random ranking scores 0.045; measured on wasm (seed 0): instance 0.21, balanced 0.25, CBD 0.25.
    for (const m of [r.instance, r.balanced, r.cbd]) expect(m.all).toBeGreaterThan(3 * randomRankingMrr(data.numEntities));
    expect(r.cbd.all).not.toBe(r.balanced.all);
    expect(report.summary.cbd.all.mean).toBe(r.cbd.all);
    const table = formatCbdKgeComparison(report);
    expect(table).toContain('rare (1 ≤ f ≤ 4)');
    expect(table).toContain('| Δ CBD − balanced (paired) |');
  }, 60_000);
});
