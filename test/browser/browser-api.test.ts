/**
 * kgdistill/browser's pieces that need no page: datasets of triples held in memory (the same dataset as the same
 * triples read from files), what `train` refuses, and the kernels' file loader on a host without Node.
 */
import { describe, expect, it } from 'vitest';
import { OptionsError, datasetFromBytes, datasetFromTriples, train } from '../../src/browser.js';
import { KgInputError } from '../../src/kg/errors.js';
import type { NamedTriple } from '../../src/kg/split-triples.js';
import { syntheticGraph } from '../../src/kg/synthetic-graph.js';
import { nodeModule } from '../../src/kernels/node-modules.js';
import { loadKernelsFromUrl } from '../../src/kernels/kernel-loader-browser.js';
import { inPageSettings, trainInPage } from '../../src/serve/explorer/worker/in-page-training.js';

const graph = syntheticGraph({ entities: 60, groups: 3 });
const splits = { train: graph.train, valid: graph.valid, test: graph.test } as unknown as Record<'train' | 'valid' | 'test', NamedTriple[]>;
const tsv = (triples: readonly NamedTriple[]): Uint8Array => new TextEncoder().encode(`${triples.map((t) => t.join('\t')).join('\n')}\n`);
/** What training sees of a dataset. */
const content = (d: ReturnType<typeof datasetFromTriples>) => ({ entities: d.entities, relations: d.relations, train: d.train, valid: d.valid, test: d.test });

describe('datasetFromTriples', () => {
  it('makes of three splits the dataset datasetFromBytes makes of the same triples as files', () => {
    const files = datasetFromBytes([{ name: 'train.txt', bytes: tsv(splits.train) }, { name: 'valid.txt', bytes: tsv(splits.valid) }, { name: 'test.txt', bytes: tsv(splits.test) }]);
    const triples = datasetFromTriples(splits);
    expect(triples.train.length).toBeGreaterThan(0);
    expect(content(triples)).toEqual(content(files));
    expect(triples.name).toBe('triples');
  });

  it('splits one list 80/10/10 by the seed as one file is split', () => {
    const all = [...splits.train, ...splits.valid, ...splits.test];
    for (const seed of [0, 7]) expect(content(datasetFromTriples(all, { seed }))).toEqual(content(datasetFromBytes([{ name: 'all.tsv', bytes: tsv(all) }], { seed })));
    expect(content(datasetFromTriples(all, { seed: 7 }))).not.toEqual(content(datasetFromTriples(all, { seed: 0 })));
  });

  it('takes valid and test as optional', () => {
    const d = datasetFromTriples({ train: splits.train });
    expect([d.valid.length, d.test.length]).toEqual([0, 0]);
  });

  it('takes triples typed as lists of names, as a plain literal or split lines are (the README example; checked when read)', () => {
    const literal = [['alice', 'knows', 'bob'], ['bob', 'knows', 'carol'], ['carol', 'likes', 'tea'], ['dave', 'likes', 'tea'], ['alice', 'likes', 'coffee']];
    const lines = 'alice\tknows\tbob\nbob\tknows\tcarol\ncarol\tlikes\ttea\ndave\tlikes\ttea\nalice\tlikes\tcoffee'.split('\n').map((line) => line.split('\t'));
    const fromLiteral = datasetFromTriples({ train: literal });
    expect([fromLiteral.entities.size, fromLiteral.relations.size, fromLiteral.train.length]).toEqual([6, 2, 15]);
    expect(content(datasetFromTriples({ train: lines }))).toEqual(content(fromLiteral));
  });

  it('names the split and position of a triple that is not three names', () => {
    const bad = [...splits.train.slice(0, 2), ['a', 'r']];
    expect(() => datasetFromTriples({ train: bad })).toThrow(KgInputError);
    expect(() => datasetFromTriples({ train: bad })).toThrow(/^train:3: triple 3 must be three non-empty names/);
    expect(() => datasetFromTriples({ train: splits.train, test: [['a', 'r', 'b\tc']] })).toThrow(/^test:1: .*without a tab or line break/);
    expect(() => datasetFromTriples({ train: [] })).toThrow(/the train split has no triples/);
  });
});

describe('train in a page', () => {
  it("refuses the options that mean nothing there, before training", async () => {
    const d = datasetFromTriples(splits);
    await expect(train(d, { out: 'runs/x' } as never)).rejects.toThrow("train: 'out' is not an option in a page");
    await expect(train(d, { dataset: 'x', backend: 'cpu' } as never)).rejects.toThrow("'dataset', 'backend' are not options in a page");
    const refused = await train(d, { dataset: 'x', backend: 'cpu' } as never).then(() => undefined, (e: unknown) => e);
    expect(refused).toBeInstanceOf(OptionsError); // as every refused option: the keys in problems
    expect((refused as OptionsError).problems.map(({ key, value }) => [key, value])).toEqual([['dataset', 'x'], ['backend', 'cpu']]);
  });

  it('says what to do when given triples for a dataset, or called before initEngine (tfjs would fail unclearly, for good)', async () => {
    await expect(train(splits.train as never)).rejects.toThrow('train: the first argument is a dataset: make it with datasetFromTriples(triples) or datasetFromBytes(files)');
    await expect(train(datasetFromTriples(splits), { model: 'DistMult', epochs: 1 })).rejects.toThrow("train: call initEngine() first (it loads the kernels and starts tfjs' wasm backend)");
  });

  it("makes the model and checks its memory as `kgdistill train` does (norm was dropped, a step too large met V8's words)", async () => {
    const d = datasetFromTriples(splits);
    const quiet = { progress: () => undefined, epoch: () => undefined };
    // the model's own refusals come with the settings, before the page lets go of the model trained before
    expect(() => inPageSettings(d, { model: 'DistMult', norm: 2, epochs: 1 })).toThrow('norm applies to TransE and RotatE only (the model is DistMult)');
    await expect(trainInPage(d, inPageSettings(d, { model: 'DistMult', neg: 1_000_000_000, epochs: 1 }), quiet)).rejects.toThrow(/^batchSize 500 \(\d+ training queries\) × \(1 \+ neg 1000000000\) candidates need \d+\.\d\d GiB of kernel scratch per step/);
  });

  it("takes `kgdistill train`'s options and defaults; the explorer's patience stays 10 unless given", () => {
    const d = datasetFromTriples(splits);
    expect(inPageSettings(d, { model: 'DistMult' }).patience).toBe(10);
    expect(inPageSettings(d, { patience: 3 }).patience).toBe(3);
    expect(() => inPageSettings(d, { dimm: 3 })).toThrow(/unknown key 'dimm' \(did you mean 'dim'\?\)/);
  });
});

describe("the kernels' URL loader", () => {
  const answer = (body: BodyInit, status = 200): typeof fetch => (async () => new Response(body, { status, statusText: status === 404 ? 'Not Found' : 'OK' })) as typeof fetch;

  it('says how to provide the kernels when their URL answers 404, and names a page served in their place', async () => {
    await expect(loadKernelsFromUrl('http://site/build/kernels.wasm', answer('', 404))).rejects.toThrow(
      "kernels: http://site/build/kernels.wasm answered 404 Not Found: copy kgdistill's build/kernels.wasm (the package export 'kgdistill/kernels.wasm') to your site and give its URL (initEngine({ kernels: '/kernels.wasm' }))");
    await expect(loadKernelsFromUrl('/kernels.wasm', answer('<!doctype html>\n<html><body>app</body></html>'))).rejects.toThrow(
      'kernels: /kernels.wasm is not a WebAssembly module (it begins "<!doctype html> ": a page served in its place?); give the URL of kgdistill\'s build/kernels.wasm');
  });
});

describe("the kernels' file loader", () => {
  it('says what to do on a host without Node, instead of failing inside a Node module', () => {
    const node = process as { getBuiltinModule?: unknown };
    const saved = node.getBuiltinModule;
    node.getBuiltinModule = undefined;
    try {
      expect(() => nodeModule('fs')).toThrow(/no Node to read the kernels' wasm file with: hand the compiled module in first \(kgdistill\/browser's initEngine/);
    } finally {
      node.getBuiltinModule = saved;
    }
    expect(typeof nodeModule('fs').readFileSync).toBe('function');
  });
});
