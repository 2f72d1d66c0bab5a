// Options a library user mistypes: each is an error naming the key (and the key meant), before anything is read.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { train, openModel, writeSyntheticDataset, syntheticGraph, OptionsError } from '../../src/index.js';

describe('mistyped options of the library API', () => {
  it("train: a kebab- or snake-case key (PyKEEN's batch_size) names the key it meant", async () => {
    await expect(train({ dataset: 'nowhere', model: 'DistMult', batch_size: 10 } as never)).rejects.toThrow("unknown key 'batch_size' (did you mean 'batchSize'?)");
    await expect(train({ dataset: 'nowhere', model: 'DistMult', 'batch-size': 10 } as never)).rejects.toThrow("unknown key 'batch-size' (did you mean 'batchSize'?)");
    await expect(train({ dataset: 'nowhere', model: 'DistMult', valid_every: 2 } as never)).rejects.toThrow("(did you mean 'validEvery'?)");
  });

  it('a typo of a key names the key it meant (an edit away; two for long keys); one far from every key gets no guess', async () => {
    await expect(train({ dataset: 'nowhere', epoch: 3 } as never)).rejects.toThrow("unknown key 'epoch' (did you mean 'epochs'?)");
    await expect(train({ dataset: 'nowhere', valdEvry: 3 } as never)).rejects.toThrow("unknown key 'valdEvry' (did you mean 'validEvery'?)");
    await expect(train({ dataset: 'nowhere', colour: 3 } as never)).rejects.toThrow(/unknown key 'colour'$/);
  });

  it('an empty or blank out is refused in words, not as a schema minimum (it would be the working directory)', async () => {
    for (const out of ['', '  ']) {
      await expect(train({ dataset: 'nowhere', out })).rejects.toThrow(`out is empty: give the run directory (it would be the working directory) (got ${JSON.stringify(out)})`);
    }
  });

  it('a refused option is an OptionsError (exported) listing each bad key with its value', async () => {
    const error = await train({ dataset: 'nowhere', dim: -1, epoch: 3 } as never).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(OptionsError);
    expect(error).toBeInstanceOf(Error);
    expect((error as OptionsError).problems).toEqual([
      { key: 'dim', message: 'must be a positive integer', value: -1 },
      { key: 'epoch', message: "unknown key (did you mean 'epochs'?)", value: 3 },
    ]);
    expect((error as OptionsError).message).toBe("dim must be a positive integer (got -1); unknown key 'epoch' (did you mean 'epochs'?)");
  });

  it('openModel: a misspelled key is an error (it opened the best checkpoint instead of the last), a bad backend names the choices', async () => {
    await expect(openModel('nowhere', { lats: true } as never)).rejects.toThrow(/openModel: unknown key 'lats'/);
    await expect(openModel('nowhere', { last: 'yes' } as never)).rejects.toThrow(/last must be true or false/);
    await expect(openModel('nowhere', { backend: 'gpu' } as never)).rejects.toThrow(/backend must be one of auto, /);
  });

  it('train: NaN is shown as NaN, options that are not an object and a resume that is not a boolean are named', async () => {
    await expect(train({ dataset: 'nowhere', lr: NaN })).rejects.toThrow('lr must be a positive number (got NaN)');
    await expect(train(null as never)).rejects.toThrow('the options must be an object such as { dataset, out }, got null');
    await expect(train(undefined as never)).rejects.toThrow('got undefined');
    await expect(train({ dataset: 'nowhere', resume: 'yes' } as never)).rejects.toThrow('resume must be true or false (got "yes")');
  });

  it('the generated graph: a misspelled option is an error naming the options, not the default', async () => {
    expect(() => syntheticGraph({ entites: 20 } as never)).toThrow("synthetic graph: unknown option 'entites' (the options are entities, groups, seed, validFraction, testFraction)");
    await expect(writeSyntheticDataset('/nonexistent/never', { entites: 20 } as never)).rejects.toThrow("unknown option 'entites'");
  });

  it("an opened model's predict: a misspelled option is an error (it answered unfiltered)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kgdistill-api-options-'));
    const graph = await writeSyntheticDataset(path.join(dir, 'graph'), { entities: 60, seed: 1 });
    const run = await train({ dataset: graph, model: 'DistMult', dim: 8, epochs: 1, out: path.join(dir, 'run') });
    const model = await openModel(run.runDir);
    try {
      await expect(model.predict({ head: 'e1', relation: 'child' }, 3, { filterd: true } as never)).rejects.toThrow("predict: unknown key 'filterd'");
      expect((await model.predict({ head: 'e1', relation: 'child' }, 3, { filtered: true })).answers).toHaveLength(3);
      await expect(model.predict({ head: 'e1', relation: 'child' }, '3' as never)).rejects.toThrow('k must be a positive integer, got "3"'); // the string quoted
      // the options given in k's place (JavaScript callers have no types to stop them) say where they go
      await expect(model.neighbors('e1', { k: 5 } as never)).rejects.toThrow(`k must be a positive integer, got an object ({"k":5}): k is the number of answers, and the options come after it, e.g. neighbors('e1', 5, { exact: true })`);
      // neighbours: the index by default, the exact sweep when asked (the option was ignored), a misspelt key refused
      const indexed = await model.neighbors('e1', 3);
      const swept = await model.neighbors('e1', 3, { exact: true });
      expect([indexed.method, swept.method]).toEqual(['hnsw', 'exact']);
      expect(swept.neighbors.map((n) => n.id)).toEqual(indexed.neighbors.map((n) => n.id));
      await expect(model.neighbors('e1', 3, { exakt: true } as never)).rejects.toThrow("neighbors: unknown key 'exakt' (did you mean 'exact'?)");
    } finally {
      model.close();
    }
    // closed: every query says so (they answered from a disposed scorer), a second close does nothing
    await expect(model.predict({ head: 'e1', relation: 'child' }, 3)).rejects.toThrow(`${run.runDir}: this model was closed; open it again with openModel`);
    await expect(model.neighbors('e1', 3)).rejects.toThrow('this model was closed');
    await expect(model.score('e1', 'child', 'e4')).rejects.toThrow('this model was closed');
    expect(() => model.info()).toThrow('this model was closed');
    expect(() => model.close()).not.toThrow();
  });

  it('an out under a file names the option and says why (it was a bare ENOTDIR naming mkdir)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kgdistill-api-out-'));
    const graph = await writeSyntheticDataset(path.join(dir, 'graph'), { entities: 60, seed: 1 });
    writeFileSync(path.join(dir, 'afile'), 'x');
    const out = path.join(dir, 'afile', 'run');
    await expect(train({ dataset: graph, model: 'DistMult', dim: 8, epochs: 1, out })).rejects.toThrow(`out ${out}: cannot create the run directory (a part of this path is a file where a directory is needed)`);
  });
});
