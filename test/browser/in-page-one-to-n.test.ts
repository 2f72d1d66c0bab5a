/**
 * 1-N training in a page (kgdistill/browser's `train` and the explorer's in-page training, run here in Node as the
 * page runs them: the wasm backend, one kernel thread): `oneToN` trains as `kgdistill train --one-to-n` does on one
 * thread, to the same losses and test MRR, on the dense kernels' path (DistMult) and on tfjs' (RotH); the settings
 * `train` refuses beside it (or a `neg` of 0 without it) are refused with train's own words.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { datasetFromTriples, OptionsError } from '../../src/browser.js';
import type { NamedTriple } from '../../src/kg/split-triples.js';
import { syntheticGraph } from '../../src/kg/synthetic-graph.js';
import { runTrain } from '../../src/pipeline/train.js';
import { inPageSettings, trainInPage } from '../../src/serve/explorer/worker/in-page-training.js';
import { tempDir } from '../lookup/helpers.js';

// a page runs the kernels on one thread (kernelThreads() is 1 without Node's process): its Node twin does too
process.env.KGDISTILL_THREADS = '1';

const graph = syntheticGraph({ entities: 60, groups: 3 });
const splits = { train: graph.train, valid: graph.valid, test: graph.test } as unknown as Record<'train' | 'valid' | 'test', NamedTriple[]>;
const tmp = tempDir('in-page-one-to-n');
const dir = path.join(tmp, 'graph');
const OPTIONS = { dim: 16, epochs: 6, batchSize: 64, lr: 0.05, validEvery: 3, seed: 0, oneToN: true } as const;
const quiet = { progress: () => undefined, epoch: () => undefined };

beforeAll(() => {
  mkdirSync(dir);
  for (const name of ['train', 'valid', 'test'] as const) writeFileSync(path.join(dir, `${name}.txt`), `${splits[name].map((t) => t.join('\t')).join('\n')}\n`);
});

describe('1-N training in a page', () => {
  it.each(['DistMult', 'RotH'])('%s trains with oneToN as `kgdistill train --one-to-n` on one thread: the same losses and test MRR', async (model) => {
    const d = datasetFromTriples(splits);
    const { outcome, model: trained } = await trainInPage(d, inPageSettings(d, { ...OPTIONS, model }), quiet);
    trained.dispose();
    const node = await runTrain({ dataset: dir, ...OPTIONS, model, backend: 'wasm', out: path.join(tmp, model) });
    const losses = readFileSync(path.join(tmp, model, 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as { loss: number }).loss);
    expect(node.json.mrr).toBeGreaterThan(0.2); // learned something (chance on 60 entities: ~0.08)
    expect(outcome.summary.test?.mrr).toBe(node.json.mrr);
    expect(outcome.summary.curves.map((c) => c.loss)).toEqual(losses);
    expect(losses).toHaveLength(OPTIONS.epochs);
    // the model's facts say how it was trained (neg is not used by 1-N: not shown)
    expect(outcome.summary.settings).toMatchObject({ oneToN: true, batchSize: 64, seed: 0 });
    expect(outcome.summary.settings).not.toHaveProperty('neg');
  });

  it("takes `neg` 0 beside oneToN, as `kgdistill train --one-to-n --neg 0` does (neg is not used)", () => {
    const d = datasetFromTriples(splits);
    expect(inPageSettings(d, { oneToN: true, neg: 0 })).toMatchObject({ oneToN: true, neg: 0 });
  });

  it("refuses `neg` 0 without oneToN, and what 1-N cannot go with, in `kgdistill train`'s words", async () => {
    const d = datasetFromTriples(splits);
    for (const bad of [{ neg: 0 }, { oneToN: true, loss: 'nssa' }, { oneToN: true, queryWeights: 'subsampling' }, { oneToN: true, doubleNeg: true },
      { sharedNeg: 4, doubleNeg: true }, { model: 'TransE', oneToN: true }] as const) {
      const refused = await runTrain({ dataset: dir, ...bad, epochs: 1, backend: 'wasm', out: path.join(tmp, 'refused') }).then(() => undefined, (error: Error) => error);
      expect(refused, JSON.stringify(bad)).toBeInstanceOf(OptionsError);
      let thrown: unknown;
      try {
        inPageSettings(d, bad);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, JSON.stringify(bad)).toBeInstanceOf(OptionsError);
      expect((thrown as Error).message).toBe(refused!.message);
    }
    expect(() => inPageSettings(d, { neg: 0 })).toThrow('neg 0 samples no negatives: give oneToN to score every entity, or neg ≥ 1');
    // an L1 model has no matrix product to score every entity with: refused with the settings, before the page lets go
    // of the model it trained before (train-worker.ts disposes it after inPageSettings)
    expect(() => inPageSettings(d, { model: 'TransE', oneToN: true })).toThrow(/^oneToN scores every entity through a matrix product, which the L1 distance of TransE has not/);
  });
});
