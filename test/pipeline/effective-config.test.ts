// A run's config.json is its effective configuration (as LibKGE writes it): the defaults that depend on the model or
// the loss (norm, entityConstraint, initScale, loss, margin, advTemperature) are saved resolved, so replaying an
// older run's config.json trains the same model after a default changed; `--resume` still accepts a run whose
// config.json predates this (its checkpoint records those values), and a dataset found by name is saved as the
// directory it was found in (a fetchable benchmark keeps its name).
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';
import { runTrain } from '../../src/pipeline/train.js';
import { evaluateRun } from '../../src/pipeline/evaluate.js';
import { readOptionsFile } from '../../src/pipeline/run-config.js';
import { datasetRecord, effectiveOptions, resolvedLossOptions } from '../../src/pipeline/effective-options.js';
import { createModel } from '../../src/registry/models.js';
import { useGraphFixture } from '../helpers/graph-fixture.js';

const fixture = useGraphFixture('kgdistill-effective-', 60);
const { tmp } = fixture;
const base = { dim: 8, epochs: 1, validEvery: 1, batchSize: 64 } as const;
const training = (run: string): Record<string, unknown> => (JSON.parse(readFileSync(path.join(run, 'last.json'), 'utf8')) as { training: Record<string, unknown> }).training;
const options = (run: string): Record<string, unknown> => (JSON.parse(readFileSync(path.join(run, 'config.json'), 'utf8')) as { options: Record<string, unknown> }).options;
const pick = (o: Record<string, unknown>, keys: string[]): unknown[] => keys.map((key) => o[key]);
const KEYS = ['norm', 'entityConstraint', 'initScale', 'loss', 'margin', 'advTemperature', 'backend', 'path'];

describe("config.json records a run's effective options", () => {
  it('resolves the model and loss defaults as the checkpoint records them; backend and path stay as given', async () => {
    const transe = path.join(tmp, 'transe');
    await runTrain({ dataset: fixture.graph, model: 'TransE', ...base, out: transe });
    expect(pick(options(transe), KEYS)).toEqual([1, 'unit', undefined, 'nssa', 3, 4, 'auto', 'auto']);
    expect(pick(training(transe), ['loss', 'margin', 'adversarialTemperature'])).toEqual(['nssa', 3, 4]);
    const distmult = path.join(tmp, 'distmult');
    await runTrain({ dataset: fixture.graph, model: 'DistMult', ...base, out: distmult });
    expect(pick(options(distmult), KEYS)).toEqual([undefined, undefined, 0.001, 'nssa', 0, 1, 'auto', 'auto']);
    const rotate = path.join(tmp, 'rotate');
    await runTrain({ dataset: fixture.graph, model: 'RotatE', ...base, loss: 'margin', out: rotate });
    expect(pick(options(rotate), KEYS)).toEqual([2, undefined, undefined, 'margin', 1, undefined, 'auto', 'auto']); // PyKEEN's margin of a loss not the model's own
    const oneToN = path.join(tmp, 'one-to-n');
    await runTrain({ dataset: fixture.graph, model: 'DistMult', ...base, oneToN: true, out: oneToN });
    expect(pick(options(oneToN), KEYS)).toEqual([undefined, undefined, 0.001, 'softmax', undefined, undefined, 'auto', 'auto']);
    // the saved file replays the run: the same loss, the same numbers
    const again = await runTrain({ ...readOptionsFile(path.join(transe, 'config.json')), out: path.join(tmp, 'transe-again') } as never);
    expect(options(path.join(tmp, 'transe-again'))).toEqual(options(transe));
    expect(again.training.bestValidMrr).toBe((await evaluateRun(transe, { split: 'valid' })).metrics.mrr);
  });

  it("--resume accepts a run whose older config.json left them out, compares with the checkpoint's values and then records them", async () => {
    const old = path.join(tmp, 'old-transe');
    await runTrain({ dataset: fixture.graph, model: 'TransE', ...base, out: old });
    const file = path.join(old, 'config.json');
    const now = options(old); // as written now: every default resolved
    const config = JSON.parse(readFileSync(file, 'utf8')) as { options: Record<string, unknown> };
    const { norm: _n, entityConstraint: _e, margin: _m, advTemperature: _a, ...older } = config.options;
    writeFileSync(file, JSON.stringify({ ...config, options: { ...older, loss: 'auto' } })); // as kgdistill wrote it before
    // the options of a run written now (every default resolved) resume it: they equal what its checkpoint records
    expect((await runTrain({ ...now, out: old, resume: true, epochs: 2 } as never)).training.epochs).toBe(2);
    expect(pick(options(old), KEYS)).toEqual([1, 'unit', undefined, 'nssa', 3, 4, 'auto', 'auto']);
    writeFileSync(file, JSON.stringify({ ...config, options: { ...older, loss: 'auto', epochs: 2 } }));
    await expect(runTrain({ out: old, resume: true, norm: 2, epochs: 3 })).rejects.toThrow(`resume ${old}: norm 2 (the run has 1)`);
    await expect(runTrain({ out: old, resume: true, loss: 'margin', epochs: 3 })).rejects.toThrow(`resume ${old}: loss "margin" (the run has "nssa")`);
    expect((await runTrain({ out: old, resume: true, epochs: 3 })).training.epochs).toBe(3);
    expect(options(old).loss).toBe('nssa');
    // a resolved key edited in config.json is refused like the other keys a run keeps, naming the file
    const edited = JSON.parse(readFileSync(file, 'utf8')) as { options: Record<string, unknown> };
    writeFileSync(file, JSON.stringify({ ...edited, options: { ...edited.options, norm: 2 } }));
    await expect(runTrain({ out: old, resume: true, epochs: 4 })).rejects.toThrow(`${file}: norm 2 differs from the checkpoint's 1 (${path.join(old, 'last.json')}); the file was edited`);
  });
});

describe('a dataset found by name', () => {
  it('is saved as the directory it was found in, and a resumed run whose name finds another directory reads its own', async () => {
    const first = await writeSyntheticDataset(path.join(tmp, 'w1', 'gg'), { entities: 60, seed: 1 });
    const second = await writeSyntheticDataset(path.join(tmp, 'w2', 'gg'), { entities: 60, seed: 2 });
    const saved = process.env.KGDISTILL_DATA;
    try {
      process.env.KGDISTILL_DATA = path.join(tmp, 'w1');
      const run = path.join(tmp, 'by-name');
      await runTrain({ dataset: 'gg', model: 'DistMult', ...base, out: run });
      expect(options(run).dataset).toBe(first);
      // an older config.json kept the bare name: resumed where the name finds another directory, the run's own is read
      const file = path.join(run, 'config.json');
      const config = JSON.parse(readFileSync(file, 'utf8')) as { options: Record<string, unknown> };
      writeFileSync(file, JSON.stringify({ ...config, options: { ...config.options, dataset: 'gg' } }));
      process.env.KGDISTILL_DATA = path.join(tmp, 'w2');
      const lines: string[] = [];
      expect((await runTrain({ out: run, resume: true, epochs: 2 }, { log: (line) => lines.push(line) })).training.epochs).toBe(2);
      expect(lines).toContain(`note: the dataset name 'gg' finds ${second} from here, but the run was trained on ${first}: resuming with that directory`);
      expect(options(run).dataset).toBe(first);
      // given by name now, the name that finds another directory is refused, saying where it leads
      await expect(runTrain({ out: run, resume: true, dataset: 'gg', epochs: 3 })).rejects.toThrow(`dataset "gg" (found in ${second}) (the run has "${first}")`);
    } finally {
      if (saved === undefined) delete process.env.KGDISTILL_DATA;
      else process.env.KGDISTILL_DATA = saved;
    }
  });

  it('a fetchable benchmark found by name keeps its name; a directory given by name here is saved absolute', () => {
    expect(datasetRecord('wn18rr', '/cache/kgdistill/WN18RR')).toBe('WN18RR');
    expect(datasetRecord('mine', '/data/mine')).toBe('/data/mine');
    expect(datasetRecord('WN18RR', path.resolve('WN18RR'))).toBe(path.resolve('WN18RR'));
    expect(datasetRecord('./WN18RR', '/x/WN18RR')).toBe('/x/WN18RR');
  });
});

describe('the loss options a run records, by hand', () => {
  it('1-N training records its loss alone (bce or softmax); a sampled bce records no margin, nssa its temperature', () => {
    expect(resolvedLossOptions({ negatives: 0, oneToNLoss: 'bce', loss: 'nssa', margin: 3 })).toEqual({ loss: 'bce' });
    expect(resolvedLossOptions({ negatives: 0, oneToNLoss: 'softmax' })).toEqual({ loss: 'softmax' });
    expect(resolvedLossOptions({ negatives: 0 })).toEqual({ loss: 'softmax' });
    expect(resolvedLossOptions({ negatives: 8, loss: 'bce', margin: 3, adversarialTemperature: 1 })).toEqual({ loss: 'bce' });
    expect(resolvedLossOptions({ negatives: 8, loss: 'margin', margin: 2, adversarialTemperature: 1 })).toEqual({ loss: 'margin', margin: 2 });
    expect(resolvedLossOptions({ negatives: 8, loss: 'nssa', margin: 9, adversarialTemperature: 0.5 })).toEqual({ loss: 'nssa', margin: 9, advTemperature: 0.5 });
    expect(resolvedLossOptions({ negatives: 8 })).toEqual({});
  });

  it("the given margin and temperature are replaced by the trained loss's (train's model, distill's Junior)", () => {
    const model = createModel('DistMult', { dim: 8, numEntities: 5, numRelations: 2 }).config;
    const settings = { model: 'DistMult', lr: 0.1, margin: 5, advTemperature: 2 };
    expect(effectiveOptions(settings, model, { negatives: 0, oneToNLoss: 'bce' }, tmp)).toEqual({ model: 'DistMult', lr: 0.1, initScale: 0.001, loss: 'bce' });
    expect(effectiveOptions(settings, model, { negatives: 8, loss: 'margin', margin: 1, adversarialTemperature: 1 }, tmp))
      .toEqual({ model: 'DistMult', lr: 0.1, initScale: 0.001, loss: 'margin', margin: 1 });
    expect(effectiveOptions({ ...settings, loss: 'auto' }, model, { negatives: 8, loss: 'bce', margin: 0, adversarialTemperature: 1 }, tmp))
      .toEqual({ model: 'DistMult', lr: 0.1, initScale: 0.001, loss: 'bce' });
  });
});
