// TransE's entity constraint end to end (--entity-constraint unit|none): recorded in config.json and the checkpoint
// and kept by the trained entity table; unit by default, with nssa γ = 3, α = 4 as the default loss (none: γ = 0, α = 8); a checkpoint without it (fixtures/transe-before-norm, saved before the
// option) loads as none and evaluates to the MRR its build recorded; distill takes it for a TransE student; the
// flag is refused for other models and for a bad value, naming the flag, and the command exits 2.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadRun } from '../../src/registry/load-run.js';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';
import { registerTrainCommand } from '../../src/cli/commands/train.js';
import { registerDistillCommand } from '../../src/cli/commands/distill.js';
import { runCli } from '../helpers/run-cli.js';
import { beforeNormTestMrr } from './norm-runs.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-transe-constraint-'));
const cli = (args: string[]): Promise<string> => runCli([registerTrainCommand, registerDistillCommand], args);
const small = ['--dim', '8', '--epochs', '2', '--batch-size', '64', '--valid-every', '2', '--seed', '0'];
const readJson = (file: string): Record<string, any> => JSON.parse(readFileSync(file, 'utf8')) as Record<string, any>;

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

describe('kgdistill train --entity-constraint (TransE)', () => {
  let graph: string;
  beforeAll(async () => {
    graph = await writeSyntheticDataset(path.join(tmp, 'graph-40'), { entities: 40, seed: 2 });
  });

  it('trains with unit entities, records the option in config.json and the checkpoint', async () => {
    const out = path.join(tmp, 'unit');
    await cli(['train', '--dataset', graph, '--model', 'TransE', ...small, '--entity-constraint', 'unit', '--out', out, '--json']);
    expect(readJson(path.join(out, 'config.json')).options.entityConstraint).toBe('unit');
    const loaded = await loadRun(out);
    expect(loaded.header.model.options.entityConstraint).toBe('unit');
    const entity = loaded.runtime.store.table('entity');
    expect(entity.spec.constraint).toBe('unitNorm');
    const a = entity.data.array;
    for (let row = 0; row < entity.rows; row++) expect(Math.abs(Math.hypot(...a.subarray(row * 8, row * 8 + 8)) - 1)).toBeLessThan(1e-6);
  });

  it('without the flag TransE records unit (the default) and trains with the self-adversarial loss at γ = 3, α = 4; with none, free rows and γ = 0, α = 8', async () => {
    const byDefault = path.join(tmp, 'default');
    await cli(['train', '--dataset', graph, '--model', 'TransE', ...small, '--out', byDefault, '--json']);
    const loaded = await loadRun(byDefault);
    expect(loaded.header.model.options.entityConstraint).toBe('unit');
    expect(loaded.runtime.store.table('entity').spec.constraint).toBe('unitNorm');
    expect(loaded.header.training).toMatchObject({ loss: 'nssa', margin: 3, adversarialTemperature: 4 });
    const free = path.join(tmp, 'none');
    await cli(['train', '--dataset', graph, '--model', 'TransE', ...small, '--entity-constraint', 'none', '--out', free, '--json']);
    const freeRun = await loadRun(free);
    expect(freeRun.header.model.options.entityConstraint).toBe('none');
    expect(freeRun.header.training).toMatchObject({ loss: 'nssa', margin: 0, adversarialTemperature: 8 });
  });

  it('distill takes it for a TransE student', async () => {
    const out = path.join(tmp, 'distilled');
    await cli(['distill', '--dataset', graph, '--teachers', path.join(tmp, 'unit'), '--student', 'TransE', ...small, '--top-k', '8',
      '--entity-constraint', 'unit', '--out', out, '--json']);
    expect((await loadRun(out)).header.model.options.entityConstraint).toBe('unit');
  });

  it('refuses other models and bad values, naming the flag', async () => {
    const bad = (extra: string[]): Promise<string> => cli(['train', '--dataset', graph, ...small, ...extra, '--out', path.join(tmp, 'bad')]);
    await expect(bad(['--model', 'DistMult', '--entity-constraint', 'unit'])).rejects.toThrow(/--entity-constraint applies to TransE only \(the model is DistMult\)/);
    await expect(bad(['--model', 'RotatE', '--entity-constraint', 'none'])).rejects.toThrow(/--entity-constraint applies to TransE only \(the model is RotatE\)/);
    await expect(bad(['--model', 'TransE', '--entity-constraint', 'l2'])).rejects.toThrow(/--entity-constraint.*'l2' is invalid\. Allowed choices are unit, none/);
  });

  it('the command exits 2 (a usage error) with the message', () => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'train', '--dataset', graph, '--model', 'DistMult',
      '--entity-constraint', 'unit', '--out', path.join(tmp, 'bad-process')], { encoding: 'utf8' });
    expect(child.status).toBe(2);
    expect(child.stderr).toMatch(/--entity-constraint applies to TransE only \(the model is DistMult\)/);
  });
});

describe('a TransE checkpoint saved before the option', () => {
  it('loads as none and reproduces the test MRR its build recorded', async () => {
    expect(await beforeNormTestMrr('transe-before-norm', tmp)).toBe(0.08210055936442744); // result.json of the run, by the build of 384e2d6
    const loaded = await loadRun(path.join(tmp, 'transe-before-norm'));
    expect(loaded.header.model.options.entityConstraint).toBeUndefined();
    expect(loaded.runtime.model.config.options.entityConstraint).toBe('none');
    expect(loaded.runtime.store.tables().map((t) => t.spec.constraint)).toEqual([undefined, undefined]);
  });
});
