// The KG port of DML and DoGo: candidates and base losses by hand, and two KGE students trained together through
// the core's Trainer on a small generated graph (both learn, the peer is stepped and checkpointed).
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
import { Trainer } from '../../../src/core/trainer.js';
import { parseTrainingConfig } from '../../../src/core/training-config.js';
import { evaluateSplit, filteredValidator } from '../../../src/eval/evaluate-run.js';
import { createModel } from '../../../src/registry/models.js';
import { SeededRandom } from '../../../src/core/random.js';
import { PeerKgeObjective, peerBaseLoss, peerCandidates, type PeerMode } from '../../../src/general/kg/mutual/peer-objective.js';
import { randomRankingMrr } from '../random-ranking.js';
import { runTape } from '../../../src/core/tape.js';
import { temperatureKdLoss } from '../../../src/core/distillation-loss.js';
import { stopGradient } from '../../../src/core/stop-gradient.js';
import { softCrossEntropy } from '../../../src/general/losses/classification.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-peers-'));
let data: RunData;

const student = (seed: number): Promise<ModelRuntime> =>
  ModelRuntime.create(createModel('DistMult', { dim: 8, numEntities: data.numEntities, numRelations: data.numRelations, initScale: 0.1 }), seed);

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  data = runDataFromDataset(await loadDataset(await writeSyntheticDataset(path.join(tmp, 'graph'), { entities: 120, seed: 4 }), { verify: false }));
});

describe('peer candidates and base losses', () => {
  const batch = { entities: Int32Array.of(0, 1, 2), relations: Int32Array.of(0, 0, 1), answers: Int32Array.of(5, 6, 7) };

  it('dml: gold then N uniform negatives per query; dogo: the batch answers, gold on the diagonal', () => {
    const dml = peerCandidates(batch, 'dml', 4, 100, new SeededRandom(1));
    expect(dml.candidates.perQuery).toBe(5);
    expect(Array.from(dml.candidates.ids.filter((_, i) => i % 5 === 0))).toEqual([5, 6, 7]);
    expect(Array.from(dml.gold)).toEqual([0, 0, 0]);
    const dogo = peerCandidates(batch, 'dogo', 4, 100, new SeededRandom(1));
    expect(dogo.candidates.perQuery).toBe(3);
    expect(Array.from(dogo.candidates.ids)).toEqual([5, 6, 7, 5, 6, 7, 5, 6, 7]);
    expect(Array.from(dogo.gold)).toEqual([0, 1, 2]);
  });

  it('dml: mean of softplus(s) − y·s; dogo: contrastive cross-entropy against the gold column', () => {
    tf.tidy(() => {
      const scores = tf.tensor2d([[0, 0], [0, 0]]);
      const gold = Int32Array.of(0, 1);
      expect(peerBaseLoss('dml', scores, gold).dataSync()[0]).toBeCloseTo(Math.log(2), 6);
      expect(peerBaseLoss('dogo', scores, gold).dataSync()[0]).toBeCloseTo(Math.log(2), 6);
      const sharp = tf.tensor2d([[3, 0], [0, 3]]);
      expect(peerBaseLoss('dogo', sharp, gold).dataSync()[0]).toBeCloseTo(Math.log(1 + Math.exp(-3)), 5);
      // dml: softplus(s) − [j = gold]·s averaged over all 4 scores: (softplus(−3)·2 + softplus(0)·2) / 4 with gold 0 and 0
      const bce = (2 * Math.log(1 + Math.exp(-3)) + 2 * Math.log(2)) / 4;
      expect(peerBaseLoss('dml', tf.tensor2d([[3, 0], [3, 0]]), Int32Array.of(0, 0)).dataSync()[0]).toBeCloseTo(bce, 6);
    });
  });
});

describe('dogo: the objective on a fixed batch', () => {
  it('has the value and gradients of a replay with the former base loss (soft cross-entropy against the identity)', async () => {
    const settings = { mode: 'dogo' as const, negatives: 0, weight: 0.7, temperature: 2, optimizer: 'adagrad' as const, learningRate: 0.1 };
    const batch = { entities: Int32Array.of(0, 3, 5, 7, 9, 11), relations: Int32Array.of(0, 1, 2, 0, 1, 2), answers: Int32Array.of(1, 4, 8, 20, 30, 39) };
    const [a, b, a2, b2] = [await student(1), await student(2), await student(1), await student(2)];
    const value = new PeerKgeObjective(a, b, settings, 'wasm').gradients(batch, 1, new SeededRandom(3));
    // The replay: the same scores on the tape, base loss −mean Σ I ⊙ logSoftmax(s) as before the change.
    const B = batch.entities.length;
    const set = { ids: new Int32Array(B * B).map((_, i) => batch.answers[i % B]!), perQuery: B };
    let replayed = 0;
    runTape([a2, b2].map((s) => ({ model: s.model, store: s.store, entities: batch.entities, relations: batch.relations, candidates: { scorer: s.candidateScorer('auto', 'wasm'), set } })), [], (views) => {
      const [sa, sb] = views.map((v) => v.scores!) as [tf.Tensor2D, tf.Tensor2D];
      const eye = tf.eye(B) as tf.Tensor2D;
      const base = [softCrossEntropy(sa, eye), softCrossEntropy(sb, eye)];
      const mutual = [temperatureKdLoss(sa, stopGradient(sb), 2), temperatureKdLoss(sb, stopGradient(sa), 2)];
      replayed = base[0]!.dataSync()[0]! + 0.7 * mutual[0]!.dataSync()[0]!;
      return tf.addN([...base, ...mutual.map((m) => tf.mul(0.7, m) as tf.Scalar)]) as tf.Scalar;
    });
    expect(Math.abs(value - replayed)).toBeLessThan(1e-6);
    for (const [now, former] of [[a, a2], [b, b2]] as const) {
      for (const table of ['entity', 'relation']) {
        const g = now.store.table(table).grad.array;
        const h = former.store.table(table).grad.array;
        expect(h.some((x) => x !== 0)).toBe(true);
        g.forEach((x, i) => expect(Math.abs(x - h[i]!)).toBeLessThan(1e-6));
      }
    }
  });
});

describe('two KGE students trained together', () => {
  for (const mode of ['dml', 'dogo'] as PeerMode[]) {
    it(`${mode}: both students learn, the peer is stepped and saved with the run`, async () => {
      const a = await student(1);
      const b = await student(2);
      const bBefore = Float32Array.from(b.store.table('entity').data.array);
      const settings = { mode, negatives: 16, weight: 1, temperature: 1, optimizer: 'adagrad' as const, learningRate: 0.5 };
      const objective = new PeerKgeObjective(a, b, settings, 'wasm');
      const config = parseTrainingConfig({ epochs: 8, batchSize: 64, learningRate: 0.5, validEvery: 8, patience: 0, seed: 1 });
      const runDir = path.join(tmp, `pair-${mode}`);
      await new Trainer(a, data, config, runDir, 'wasm', { validator: filteredValidator(data), objective }).run();
      // every batch of every epoch: 8 epochs of ⌈2·472 queries (both directions of each train triple) / 64⌉ = 15 batches
      const batches = 8 * Math.ceil((2 * (data.train.length / 3)) / 64);
      expect(data.train.length / 3).toBe(472);
      expect(objective.terms.batches).toBe(batches);
      expect(objective.terms.mutualA).toBeGreaterThan(0);
      expect(Array.from(b.store.table('entity').data.array)).not.toEqual(Array.from(bBefore));
      const mrrA = (await evaluateSplit(a, data, 'test')).filtered.mrr;
      const mrrB = (await evaluateSplit(b, data, 'test')).filtered.mrr;
      // A random ranking scores 0.045; measured on wasm (seed 1): dml 0.22 and 0.27, dogo 0.49 and 0.50.
      expect(mrrA).toBeGreaterThan(3 * randomRankingMrr(data.numEntities));
      expect(mrrB).toBeGreaterThan(3 * randomRankingMrr(data.numEntities));
      const saved = objective.checkpointArrays();
      expect(Object.keys(saved)).toContain('peer:param:entity');
      expect(saved['peer-opt-step']![0]).toBe(batches); // the peer stepped once after each of A's steps
      // Restoring into a fresh peer reproduces its tables.
      const b2 = await student(3);
      new PeerKgeObjective(await student(4), b2, settings, 'wasm').restoreArrays(saved, 'test');
      expect(Array.from(b2.store.table('entity').data.array)).toEqual(Array.from(b.store.table('entity').data.array));
    }, 60_000);
  }

  it('without a peer it trains the base loss alone (the single-student baseline)', async () => {
    const a = await student(1);
    const objective = new PeerKgeObjective(a, undefined, { mode: 'dml', negatives: 16, weight: 1, temperature: 1, optimizer: 'adagrad', learningRate: 0.1 }, 'wasm');
    await new Trainer(a, data, parseTrainingConfig({ epochs: 2, batchSize: 64, learningRate: 0.1, validEvery: 2, patience: 0 }), path.join(tmp, 'single'), 'wasm', { validator: filteredValidator(data), objective }).run();
    expect(objective.terms.mutualA).toBe(0);
    expect(objective.checkpointArrays()).toEqual({});
    expect(() => new PeerKgeObjective(a, undefined, { mode: 'dml', negatives: 0, weight: 1, temperature: 1, optimizer: 'adagrad', learningRate: 0.1 }, 'wasm')).toThrow(/at least one negative/);
  }, 60_000);
});
