// Sampled evaluation (OGB-style): candidates fixed per query whatever the batching, distinct, never the gold nor
// another known answer; its ranks never worse than the full filtered ranks; the CLI reports it as its own protocol.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';
import { runTrain } from '../../src/pipeline/train.js';
import { evaluateRun, type EvaluateOptions } from '../../src/pipeline/evaluate.js';
import { queryCandidates, evaluateSampled, evaluateSampledAsync, type CandidateScoringModel } from '../../src/eval/sampled-evaluation.js';
import { loadRun } from '../../src/registry/load-run.js';
import { loadDataset } from '../../src/kg/dataset.js';
import { runDataFromDataset } from '../../src/core/training-data.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-sampled-'));
let run: string;
let graph: string;

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  graph = await writeSyntheticDataset(path.join(tmp, 'graph'), { entities: 200, seed: 6 });
  run = path.join(tmp, 'run');
  await runTrain({ dataset: graph, model: 'DistMult', dim: 16, epochs: 10, validEvery: 5, batchSize: 64, lr: 0.1, initScale: 0.1, out: run });
});

describe('sampled evaluation', () => {
  it('draws distinct candidates, never the gold or a known answer, the same for a query whatever else is drawn', () => {
    const known = Int32Array.of(3, 7, 9);
    const a = new Int32Array(20);
    queryCandidates(5, 7, known, 30, 20, 1, a, 0);
    expect(new Set(a).size).toBe(20);
    for (const e of a) expect([3, 7, 9]).not.toContain(e);
    const b = new Int32Array(25);
    queryCandidates(5, 7, known, 30, 20, 1, b, 5);
    expect(Array.from(b.subarray(5))).toEqual(Array.from(a));
    expect(() => queryCandidates(0, 7, known, 30, 28, 1, a, 0)).toThrow(/only 27 entities are not known answers/);
  });

  it('a gold that is not among the known answers is excluded too; the seed chooses the candidates', () => {
    // 30 entities, known {3, 9}, gold 7 (not known): 30 − 2 − 1 = 27 can be drawn, so 27 candidates are exactly the rest
    const known = Int32Array.of(3, 9);
    const all = new Int32Array(27);
    queryCandidates(4, 7, known, 30, 27, 0, all, 0);
    expect(Array.from(all).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, e) => e).filter((e) => e !== 3 && e !== 7 && e !== 9));
    expect(() => queryCandidates(4, 7, known, 30, 29, 0, all, 0)).toThrow(/only 27 entities are not known answers of query 4, fewer than --eval-candidates 29/);
    // the same query under two seeds: 10 of 27 drawn each time, in another order or another set
    const [one, two] = [1, 2].map((seed) => {
      const out = new Int32Array(10);
      queryCandidates(4, 7, known, 30, 10, seed, out, 0);
      return Array.from(out);
    });
    const again = new Int32Array(10);
    queryCandidates(4, 7, known, 30, 10, 1, again, 0);
    expect(Array.from(again)).toEqual(one);
    expect(two).not.toEqual(one);
  });

  it('gives the same metrics for any batch size, and ranks no worse than the full filtered evaluation', async () => {
    const loaded = await loadRun(run);
    const data = runDataFromDataset(await loadDataset(graph, { unseen: 'keep' }));
    const one = evaluateSampled(loaded.runtime, data.test, data.numRelations, data.known, { candidates: 50, seed: 2, backend: 'wasm', batchSize: 7 });
    const two = evaluateSampled(loaded.runtime, data.test, data.numRelations, data.known, { candidates: 50, seed: 2, backend: 'wasm', batchSize: 1000 });
    expect(two.filtered).toEqual(one.filtered);
    const full = await evaluateRun(run);
    expect(one.filtered.mrr).toBeGreaterThanOrEqual((full.metrics as { mrr: number }).mrr);
    expect(one.filtered.count).toBe(full.report!.filtered.count);
    expect(one.protocol).toBe('sampled: gold + 50 fixed filtered candidates per query (OGB-style), seed 2');
    const cli = await evaluateRun(run, { candidates: 50, candidateSeed: 2 });
    expect(cli.metrics.mrr).toBe(one.filtered.mrr);
    expect(cli.metrics.protocol).toBe(one.protocol);
  });

  it('the yielding evaluation gives the very report of the one that runs straight through', async () => {
    const loaded = await loadRun(run);
    const data = runDataFromDataset(await loadDataset(graph, { unseen: 'keep' }));
    const options = { candidates: 40, seed: 3, backend: 'wasm', batchSize: 5 };
    const straight = evaluateSampled(loaded.runtime, data.test, data.numRelations, data.known, options);
    const done: number[] = [];
    const yielding = await evaluateSampledAsync(loaded.runtime, data.test, data.numRelations, data.known, { ...options, onProgress: (n) => done.push(n) });
    expect(yielding.filtered).toEqual(straight.filtered); // toEqual compares numbers exactly (Object.is)
    expect(yielding.byDirection).toEqual(straight.byDirection);
    expect(yielding.protocol).toBe(straight.protocol);
    expect(done.at(-1)).toBe(yielding.filtered.count);
  });

  it('ranks the gold among its candidates by hand: greater ones, half the ties, and a NaN gold last, per direction', () => {
    /** Rows of 1 + 5 scores, gold first: 2 above it and 2 tied (rank 1 + 2 + 1 = 4); a NaN gold (rank 6); a NaN candidate below (rank 1). */
    const rowsOf = [[1, 3, 1, 0, 2, 1], [Number.NaN, 0, 0, 0, 0, 0], [2, Number.NaN, 1, 1, 1, 1]];
    let next = 0;
    const fixed: CandidateScoringModel = {
      model: { config: { numEntities: 50 } },
      scoreCandidates(entities) {
        return Float32Array.from(Array.from(entities, () => rowsOf[next++ % 3]!).flat());
      },
    };
    const triples = Int32Array.of(10, 0, 11, 12, 0, 13); // 2 triples: queries tail, head, tail, head → ranks 4, 6, 1, 4
    const none = { answers: () => new Int32Array(0) };
    const report = evaluateSampled(fixed, triples, 1, none, { candidates: 5, backend: 'cpu', batchSize: 3 }); // batches of 3 and 1
    expect(report.filtered.count).toBe(4);
    expect(report.filtered.mr).toBeCloseTo(15 / 4, 12);
    expect(report.filtered['hits@1']).toBeCloseTo(1 / 4, 12);
    expect(report.byDirection.tail.mr).toBeCloseTo((4 + 1) / 2, 12);
    expect(report.byDirection.head.mr).toBeCloseTo((6 + 4) / 2, 12);
  });

  it('a long sampled evaluation lets the event loop run: a timer set before it fires while batches remain (Ctrl-C is seen)', async () => {
    let fired = false;
    const seenAt: boolean[] = [];
    /** A slow model of 50 entities: 60 ms of work a batch; notes, per batch, whether the timer has fired. */
    const slow: CandidateScoringModel = {
      model: { config: { numEntities: 50 } },
      scoreCandidates(entities, _relations, candidates) {
        seenAt.push(fired);
        const until = performance.now() + 60;
        while (performance.now() < until) { /* busy, as a kernel sweep is */ }
        return new Float32Array(entities.length * candidates.perQuery).fill(1);
      },
    };
    const triples = Int32Array.from({ length: 3 * 10 }, (_, i) => (i % 3 === 1 ? 0 : i % 4));
    const none = { answers: () => new Int32Array(0) };
    setTimeout(() => { fired = true; }, 0);
    const report = await evaluateSampledAsync(slow, triples, 1, none, { candidates: 5, backend: 'cpu', batchSize: 2 }); // 10 batches, 0.6 s
    expect(seenAt).toHaveLength(10);
    expect(seenAt.indexOf(true)).toBeGreaterThan(0); // the first slice runs ~200 ms before yielding
    expect(seenAt.indexOf(true)).toBeLessThan(7);
    expect(report.filtered.mr).toBe(3.5); // all tied: the mean of rank 1 and rank 6
    // the straight-through evaluation sees the timer only at its end
    fired = false;
    seenAt.length = 0;
    setTimeout(() => { fired = true; }, 0);
    const straight = evaluateSampled(slow, triples, 1, none, { candidates: 5, backend: 'cpu', batchSize: 2 });
    expect(seenAt).not.toContain(true);
    expect(straight.filtered).toEqual(report.filtered);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(fired).toBe(true);
  });

  it('train --eval-candidates validates and tests with the sampled protocol: the same test numbers as eval --eval-candidates', async () => {
    const out = path.join(tmp, 'run-sampled');
    const lines: string[] = [];
    const result = await runTrain({ dataset: graph, model: 'DistMult', dim: 16, epochs: 10, validEvery: 5, batchSize: 64, lr: 0.1, initScale: 0.1, out, evalCandidates: 30, evalSeed: 4 },
      { log: (l) => lines.push(l) });
    expect(result.test).toBeUndefined();
    expect(result.json.protocol).toBe('sampled: gold + 30 fixed filtered candidates per query (OGB-style), seed 4');
    const again = await evaluateRun(out, { candidates: 30, candidateSeed: 4 });
    expect(result.json.mrr).toBe(again.metrics.mrr);
    expect(result.json['hits@10']).toBe(again.metrics['hits@10']);
    // validation used the same protocol on the valid split: the best valid MRR is the sampled one of that checkpoint
    const valid = await evaluateRun(out, { candidates: 30, candidateSeed: 4, split: 'valid' });
    expect(result.training.bestValidMrr).toBeCloseTo(valid.metrics.mrr as number, 6);
    const full = await evaluateRun(out, { split: 'valid', candidates: 0 }); // all entities (by default: the run's sampled protocol)
    expect(result.training.bestValidMrr).not.toBeCloseTo(full.metrics.mrr as number, 3);
    const saved = JSON.parse(readFileSync(path.join(out, 'result.json'), 'utf8')) as { protocol: string };
    expect(saved.protocol).toMatch(/^sampled: gold \+ 30/);
  });

  it('evaluate refuses bad options by key before reading the run (a typo no longer evaluates test silently)', async () => {
    const run = path.join(tmp, 'run-sampled');
    const bad = (options: unknown): Promise<unknown> => evaluateRun(run, options as EvaluateOptions);
    await expect(bad({ splt: 'valid' })).rejects.toThrow("evaluate: unknown key 'splt'");
    await expect(bad({ split: 'train' })).rejects.toThrow('evaluate: split must be valid or test (got "train")');
    await expect(bad({ backend: 'gpu' })).rejects.toThrow('evaluate: backend must be one of auto, tensorflow-gpu, tensorflow, wasm, cpu (got "gpu")');
    await expect(bad({ candidates: '5' })).rejects.toThrow('evaluate: candidates must be an integer ≥ 0 (got "5")');
    await expect(bad({ candidates: -1 })).rejects.toThrow('evaluate: candidates must be an integer ≥ 0 (got -1)');
    await expect(bad({ reading: { unseen: 'purge' } })).rejects.toThrow('reading: unseen must be one of keep, drop, error');
    // the reader's hints name the option as the caller does: the key in code, the flag for the command line
    const wide = path.join(tmp, 'wide');
    mkdirSync(wide, { recursive: true });
    for (const split of ['train', 'valid', 'test']) writeFileSync(path.join(wide, `${split}.txt`), 'a\tr\tb\t1\n');
    await expect(evaluateRun(run, { dataset: wide })).rejects.toThrow(/expected 3 fields, found 4 .*with columns, e\.g\. 0,1,2\)$/);
    await expect(evaluateRun(run, { dataset: wide, naming: 'flag' })).rejects.toThrow(/expected 3 fields, found 4 .*with --columns, e\.g\. 0,1,2\)$/);
  });
});
