// Zero columns that let the fused kernels run any --dim (core/table-padding.ts): the padded model trains in the
// kernels, its added columns stay exactly zero under every optimiser, and its scores are those of the model at the
// asked dimension (the same tables without the added columns, scored by the tfjs reference path); checkpoints record
// the stored width, export gives the asked one, and a checkpoint saved unpadded still opens.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';
import { loadDataset } from '../../src/kg/dataset.js';
import { runDataFromDataset, type RunData } from '../../src/core/training-data.js';
import { ModelRuntime } from '../../src/core/model-runtime.js';
import { Trainer } from '../../src/core/trainer.js';
import { parseTrainingConfig } from '../../src/core/training-config.js';
import { createModel, modelFromConfig } from '../../src/registry/models.js';
import { loadRun } from '../../src/registry/load-run.js';
import { kernelWidthObstacle } from '../../src/core/kernel-widths.js';
import { fusedStepSupports } from '../../src/core/fused-negative-step.js';
import { logicalRows, nonZeroPadding, padColumnsOf } from '../../src/core/table-padding.js';
import { train } from '../../src/index.js';
import { exportRun } from '../../src/pipeline/export.js';

let data: RunData;
let graph: string;
const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-padding-'));

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  graph = await writeSyntheticDataset(path.join(tmp, 'graph'), { entities: 120, seed: 3 });
  data = runDataFromDataset(await loadDataset(graph, { verify: false }));
});

const shape = (dim: number) => ({ dim, numEntities: data.numEntities, numRelations: data.numRelations });

describe('which columns are padding', () => {
  it('real rows gain columns at the end, [Re | Im] rows at the end of each half', () => {
    expect(padColumnsOf(50, 52, false)).toEqual([50, 51]);
    expect(padColumnsOf(25, 28, false)).toEqual([25, 26, 27]);
    expect(padColumnsOf(50, 52, true)).toEqual([25, 51]);
    expect(padColumnsOf(50, 56, true)).toEqual([25, 26, 27, 53, 54, 55]);
    expect(padColumnsOf(48, 48, true)).toEqual([]);
  });

  it('pads a model whose tables the kernels cannot read, keeps its dim and its initialisation; AttH keeps its width', () => {
    const distmult = createModel('DistMult', shape(50));
    expect([distmult.config.dim, distmult.config.storedDim]).toEqual([50, 52]);
    expect(distmult.tables.map((t) => [t.name, t.dim, t.padColumns])).toEqual([['entity', 52, [50, 51]], ['relation', 52, [50, 51]]]);
    const rotate = createModel('RotatE', shape(50));
    expect(rotate.config.storedDim).toBe(56);
    expect(rotate.tables.map((t) => [t.name, t.dim, t.padColumns])).toEqual([['entity', 56, [25, 26, 27, 53, 54, 55]], ['phase', 28, [25, 26, 27]]]);
    // TransE's uniform ±6/√d is that of d = 50, not of the stored 52
    const transe = createModel('TransE', shape(50));
    expect(transe.tables[0]!.init).toEqual({ kind: 'uniform', low: -6 / Math.sqrt(50), high: 6 / Math.sqrt(50) });
    // AttH keeps its attention temperature 1/√50 on 52-wide rows: its program and its tfjs query carry the width
    const atth = createModel('AttH', shape(50));
    expect([atth.config.storedDim, atth.fusedQuery?.logicalWidth]).toEqual([52, 50]);
    for (const model of [distmult, rotate, transe, atth]) expect(kernelWidthObstacle(model)).toBeNull();
    // RotatE at --dim 2: at 4 its phase table would be 2 wide, which the kernels do not read either: stored as at 8
    const tiny = createModel('RotatE', shape(2));
    expect(tiny.tables.map((t) => [t.name, t.dim, t.padColumns])).toEqual([['entity', 8, [1, 2, 3, 5, 6, 7]], ['phase', 4, [1, 2, 3]]]);
    // a dimension the kernels read is not padded; a checkpoint's width is kept
    expect(createModel('DistMult', shape(48)).config.storedDim).toBeUndefined();
    expect(createModel('DistMult', shape(50), 50).config.storedDim).toBeUndefined();
    // a checkpoint's storedDim must be --dim or the width chosen here: anything else is named as damaged (no huge allocation)
    expect(() => createModel('RotatE', shape(2), 4)).toThrow('model.storedDim 4 is not a width RotatE at --dim 2 is stored at (2 or 8): a damaged checkpoint');
    for (const bad of [7, 48, 56, 500_000_000]) {
      expect(() => createModel('DistMult', shape(50), bad)).toThrow(`model.storedDim ${bad} is not a width DistMult at --dim 50 is stored at (50 or 52)`);
    }
    expect(() => modelFromConfig({ ...distmult.config, storedDim: 17 }, 'run/best.json')).toThrow('run/best.json: model.storedDim 17 is not a width');
    // an edited header's unknown model is named with the file too
    expect(() => modelFromConfig({ ...distmult.config, model: 'Foo' }, 'run/best.json')).toThrow(/^run\/best\.json: unknown model 'Foo'; known models: TransE, /);
    expect(modelFromConfig(distmult.config).tables[0]!.padColumns).toEqual([50, 51]);
    expect(tiny.config.storedDim).toBe(8);
  });
});

describe('a padded model starts where the model of its dimension starts', () => {
  it.each([['DistMult', 50], ['ComplEx', 50], ['RotatE', 50], ['RotH', 46], ['AttH', 50]] as const)('%s d=%i: the same seed gives the same initial tables', async (name, dim) => {
    const padded = await ModelRuntime.create(createModel(name, shape(dim)), 3);
    const plain = await ModelRuntime.create(createModel(name, shape(dim), dim), 3);
    expect(padded.model.config.storedDim).toBeGreaterThan(dim);
    for (const table of padded.store.tables()) {
      expect(Array.from(logicalRows(table).values), table.spec.name).toEqual(Array.from(plain.store.table(table.spec.name).data.array));
    }
    padded.dispose();
    plain.dispose();
  });
});

describe('a padded model is the model of its dimension', () => {
  it.each([
    ['DistMult', 50, {}, 'adagrad', 20],
    ['ComplEx', 50, {}, 'adam', 20],
    ['RotatE', 50, { norm: 2 }, 'adam', 20],
    ['RotatE', 42, { norm: 1 }, 'adagrad', 20],
    ['RotatE', 2, { norm: 2 }, 'adam', 20],
    ['TransE', 50, { norm: 1 }, 'adam', 20],
    ['TransE', 30, { norm: 2, entityConstraint: 'none' }, 'adagrad', 20],
    ['RotH', 50, {}, 'adam', 20],
    ['RefH', 46, {}, 'adagrad', 20],
    ['MuRP', 50, {}, 'adam', 20],
    ['RotE', 50, {}, 'adam', 20],
    ['MuRE', 38, {}, 'adagrad', 20],
    ['AttH', 50, {}, 'adam', 20], // its attention temperature stays 1/√50 on the 52-wide rows
    ['AttE', 46, {}, 'adagrad', 20],
    ['ComplEx', 50, {}, 'adagrad', 0], // 1-N scoring
    // the tfjs path (--path tfjs, or a native backend): its |x| has the kernels' subgradient 0 at 0 (was −1)
    ['TransE', 30, { norm: 1 }, 'adam', 20, 'tfjs'],
    ['RotatE', 42, { norm: 1 }, 'adagrad', 20, 'tfjs'],
    ['RotH', 50, {}, 'adam', 20, 'tfjs'],
    ['AttH', 50, {}, 'adam', 20, 'tfjs'],
  ] as const)('%s d=%i %j (%s, %i negatives, %s): padding stays 0, scores equal the unpadded model', async (name, dim, options, optimizer, negatives, path_: 'fused' | 'tfjs' = 'fused') => {
    const padded = createModel(name, { ...shape(dim), ...options });
    expect(padded.config.storedDim).toBeGreaterThan(dim);
    const runtime = await ModelRuntime.create(padded, 7);
    if (negatives > 0) expect(fusedStepSupports(runtime.model, runtime.store)).toBe(true);
    const config = parseTrainingConfig({ epochs: 4, batchSize: 64, optimizer, learningRate: optimizer === 'adam' ? 0.01 : 0.1, negatives, validEvery: 1000, patience: 0, regularizer: 'n3', regularizerWeight: 0.01, path: path_ });
    const before = runtime.store.table('entity').data.array.slice();
    const result = await new Trainer(runtime, data, config, path.join(tmp, `run-${name}-${dim}-${negatives}`), 'wasm', { validator: null }).run();
    expect(result.scoringPath).toBe(negatives > 0 ? path_ : 'one-to-n');
    expect(runtime.store.table('entity').data.array).not.toEqual(before);
    for (const table of runtime.store.tables()) expect(nonZeroPadding(table), table.spec.name).toBeNull();
    // attention: context rows large enough that the temperature 1/√d shows in the scores (4 epochs from 1e-3 do not)
    if (runtime.model.tables.some((t) => t.name === 'context')) {
      const context = runtime.store.table('context');
      const pads = new Set(context.spec.padColumns ?? []);
      context.data.array.forEach((_, i, a) => { a[i] = pads.has(i % context.dim) ? 0 : 3 * Math.sin(1 + i); });
    }
    // the same tables without the added columns, in the model built at the asked dimension
    const plain = await ModelRuntime.create(createModel(name, { ...shape(dim), ...options }, dim), 0);
    expect(plain.model.config.storedDim).toBeUndefined();
    const arrays = Object.fromEntries(runtime.store.tables().map((t) => [`param:${t.spec.name}`, logicalRows(t).values]));
    plain.loadParameterArrays(arrays, 'test');
    const heads = Int32Array.from({ length: 12 }, (_, i) => (7 * i) % data.numEntities);
    const relations = Int32Array.from({ length: 12 }, (_, i) => i % (2 * data.numRelations));
    const [ours, theirs] = [runtime.entityScorer(), plain.entityScorer()];
    const got = await ours.scoreAll(heads, relations);
    const want = await theirs.scoreAll(heads, relations);
    ours.dispose();
    theirs.dispose();
    const spread = Math.max(...want.map(Math.abs));
    expect(spread).toBeGreaterThan(0);
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
    expect(worst).toBeLessThan(1e-4 * Math.max(1, spread));
    runtime.dispose();
    plain.dispose();
  });
});

describe('checkpoints and export of a padded model', () => {
  it('the run records the stored width, reopens padded, exports rows of the asked width; an unpadded checkpoint still opens', async () => {
    const out = path.join(tmp, 'api-run');
    const logs: string[] = [];
    const run = await train({ dataset: graph, model: 'ComplEx', dim: 50, epochs: 2, out, backend: 'wasm' }, { log: (line: string) => logs.push(line) });
    expect(logs.join('\n')).toContain('the tables of ComplEx at --dim 50 are stored as at --dim 52');
    const header = JSON.parse(readFileSync(path.join(out, 'best.json'), 'utf8')) as { model: { dim: number; storedDim?: number } };
    expect([header.model.dim, header.model.storedDim]).toEqual([50, 52]);
    // version 3: a kgdistill that reads versions 1 and 2 refuses it by its version, not by a size
    expect((header as unknown as { version: number }).version).toBe(3);
    const opened = await loadRun(out);
    expect(opened.runtime.model.config.storedDim).toBe(52);
    expect(opened.runtime.store.table('entity').dim).toBe(52);
    opened.runtime.dispose();
    const report = await exportRun(out, 'npy', path.join(tmp, 'export'));
    expect(report.tables.map((t) => [t.name, t.dim])).toEqual([['entity', 50], ['relation', 50]]);
    const manifest = JSON.parse(readFileSync(path.join(tmp, 'export', 'export.json'), 'utf8')) as { model: Record<string, unknown>; tables: { dim: number }[] };
    expect(manifest.model.dim).toBe(50);
    expect(manifest.model).not.toHaveProperty('storedDim');
    expect(manifest.tables.map((t) => t.dim)).toEqual([50, 50]);
    expect(run.metrics?.mrr).toBeGreaterThan(0);
    run.model.close();

    // a checkpoint saved before padding existed: its tables 50 wide, no storedDim
    const plainDir = path.join(tmp, 'unpadded-run');
    const plain = await ModelRuntime.create(createModel('ComplEx', shape(50), 50), 1);
    await new Trainer(plain, data, parseTrainingConfig({ epochs: 1, batchSize: 64, validEvery: 1000 }), plainDir, 'wasm', { validator: null }).run();
    const reopened = await loadRun(plainDir);
    expect(reopened.runtime.model.config.storedDim).toBeUndefined();
    expect(reopened.runtime.store.table('entity').dim).toBe(50);
    reopened.runtime.dispose();
    // and resumes as it was saved (50 wide, through the tfjs path)
    const resumeLog: string[] = [];
    const resumed = await train({ dataset: graph, model: 'ComplEx', dim: 50, epochs: 2, batchSize: 64, out: plainDir, resume: true, backend: 'wasm' }, { log: (line: string) => resumeLog.push(line) });
    expect(resumeLog.join('\n')).toContain('this checkpoint was saved at its own width, so it resumes through the tfjs reference path, several times slower; a new run at --dim 50 stores its tables padded for the kernels');
    expect(resumed.summary).toMatchObject({ epochs: 2, scoringPath: 'tfjs' });
    resumed.model.close();
    const plainHeader = JSON.parse(readFileSync(path.join(plainDir, 'last.json'), 'utf8')) as { version: number; model: { storedDim?: number } };
    expect([plainHeader.version, plainHeader.model.storedDim]).toEqual([2, undefined]);
  });

  it('refuses a checkpoint whose model.storedDim is not the width it is stored at, naming the file and the key', async () => {
    const out = path.join(tmp, 'bad-stored-dim');
    await train({ dataset: graph, model: 'DistMult', dim: 50, epochs: 1, out, backend: 'wasm' });
    const file = path.join(out, 'best.json');
    const header = JSON.parse(readFileSync(file, 'utf8')) as { model: { storedDim: number } };
    header.model.storedDim = 500_000_000;
    writeFileSync(file, JSON.stringify(header));
    await expect(loadRun(out)).rejects.toThrow(`${file}: model.storedDim 500000000 is not a width DistMult at --dim 50 is stored at (50 or 52): a damaged checkpoint`);
  });

  it('refuses to resume from optimiser state whose padding is not zero, naming the file, slot, row and column', async () => {
    const out = path.join(tmp, 'damaged-moments');
    await train({ dataset: graph, model: 'DistMult', dim: 50, epochs: 1, optimizer: 'adam', out, backend: 'wasm' });
    const file = path.join(out, 'last.json');
    const header = JSON.parse(readFileSync(file, 'utf8')) as { binary: { file: string; sha256: string }; arrays: { name: string; offset: number }[] };
    const binary = path.join(out, header.binary.file);
    const bytes = readFileSync(binary);
    const slot = header.arrays.find((a) => a.name.startsWith('opt:entity.'))!;
    new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4)[slot.offset + 2 * 52 + 50] = 0.25; // row 2, column 50
    writeFileSync(binary, bytes);
    header.binary.sha256 = createHash('sha256').update(bytes).digest('hex');
    writeFileSync(file, JSON.stringify(header));
    await expect(train({ dataset: graph, model: 'DistMult', dim: 50, epochs: 2, optimizer: 'adam', out, resume: true, backend: 'wasm' }))
      .rejects.toThrow(`${file}: optimiser state '${slot.name.slice(4)}' holds 0.25 at row 2, column 50, a column stored only for the kernels`);
  });

  it('refuses a checkpoint whose padding is not zero, naming the file, table, row and column', async () => {
    const out = path.join(tmp, 'damaged-run');
    await train({ dataset: graph, model: 'DistMult', dim: 50, epochs: 1, out, backend: 'wasm' });
    const header = JSON.parse(readFileSync(path.join(out, 'best.json'), 'utf8')) as { binary: { file: string }; arrays: { name: string; offset: number }[] };
    const binary = path.join(out, header.binary.file);
    const bytes = readFileSync(binary);
    const entity = header.arrays.find((a) => a.name === 'param:entity')!;
    const floats = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    floats[entity.offset + 52 + 51] = 0.5; // row 1, column 51: padding
    writeFileSync(binary, bytes);
    // a checksum that matches: the damage is in what the floats say, not in the file
    const json = JSON.parse(readFileSync(path.join(out, 'best.json'), 'utf8')) as { binary: { sha256: string } };
    json.binary.sha256 = createHash('sha256').update(bytes).digest('hex');
    writeFileSync(path.join(out, 'best.json'), JSON.stringify(json));
    await expect(loadRun(out)).rejects.toThrow(/parameter table 'entity' holds 0.5 at row 1, column 51, a column stored only for the kernels/);
  });
});
