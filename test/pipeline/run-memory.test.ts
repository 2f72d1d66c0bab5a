// A run whose step would not fit kernel memory is refused before anything is written, naming the options that make
// it large; a new run that fails in its first epoch leaves no directory; a resumed run that fails leaves its files as they were.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';
import { runDistill, runTrain } from '../../src/pipeline/train.js';
import { tinyTrainedRun } from '../helpers/tiny-run.js';

const boom = (): never => { throw new Error('a step failed'); };

/** Every file under `dir` with its bytes. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const file = path.join(dir, name);
    if (!readdirSync(path.dirname(file)).includes(path.basename(file)) || !existsSync(file)) continue;
    try { out[name] = readFileSync(file).toString('base64'); } catch { out[name] = '<dir>'; }
  }
  return out;
}

describe('kernel memory of one step', () => {
  it('refuses --neg 1000000000 before anything is written, naming the flags and the bytes', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-run-memory-'));
    const graph = await writeSyntheticDataset(path.join(tmp, 'graph'), { entities: 40, seed: 3 });
    const out = path.join(tmp, 'run');
    await expect(runTrain({ dataset: graph, model: 'DistMult', dim: 8, epochs: 1, neg: 1_000_000_000, out }, { naming: 'flag' })).rejects.toThrow(
      '--batch-size 500 (304 training queries) × (1 + --neg 1000000000) candidates need 7137.66 GiB of kernel scratch per step (7137.66 GiB in all) on top of 3 KiB of tables ' +
      'and 32.0 MiB for validation; one WebAssembly memory holds 4.00 GiB (wasm32): lower --neg or --batch-size (nothing was written)');
    expect(existsSync(out)).toBe(false);
    // the library names keys
    await expect(runTrain({ dataset: graph, model: 'DistMult', dim: 8, epochs: 1, neg: 10_000_000, out })).rejects.toThrow(
      /^batchSize 500 \(304 training queries\) × \(1 \+ neg 10000000\) candidates need 71\.\d\d GiB .*: lower neg or batchSize \(nothing was written\)$/);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a --dim whose query rows do not fit, though its tables do', async () => {
    const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-run-memory-'));
    const graph = await writeSyntheticDataset(path.join(tmp, 'graph'), { entities: 40, seed: 3 });
    const out = path.join(tmp, 'run');
    await expect(runTrain({ dataset: graph, model: 'DistMult', dim: 1_000_000, epochs: 1, out }, { naming: 'flag' })).rejects.toThrow(
      "--dim 1000000 query rows (the DistMult program's buffers, 256 rows at a time) need 13.35 GiB of kernel scratch per step (13.72 GiB in all) on top of 381.5 MiB of tables " +
      'and 184.6 MiB for validation; one WebAssembly memory holds 4.00 GiB (wasm32): lower --dim (nothing was written)');
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a distillation before the teachers are loaded or teachers.json is written', async () => {
    const { tmp, graph, run: teacher } = await tinyTrainedRun('run-memory-teacher', { entities: 40, seed: 4 });
    const out = path.join(tmp, 'student');
    await expect(runDistill({ dataset: graph, teachers: [teacher], student: 'DistMult', dim: 8, epochs: 1, neg: 1_000_000_000, out }, { naming: 'flag' })).rejects.toThrow(
      /^--batch-size 500 \(\d+ training queries\) × \(1 \+ --neg 1000000000\) candidates need \d+\.\d\d GiB .*\(nothing was written\)$/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('files a failed run leaves', () => {
  it('a new run that fails in its first epoch leaves no directory', async () => {
    const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-run-memory-'));
    const graph = await writeSyntheticDataset(path.join(tmp, 'graph'), { entities: 40, seed: 3 });
    const out = path.join(tmp, 'fresh', 'run');
    await expect(runTrain({ dataset: graph, model: 'DistMult', dim: 8, epochs: 1, out }, { events: { onStep: boom } })).rejects.toThrow('a step failed');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(path.join(tmp, 'fresh'))).toEqual([]); // the parent was there before the run made its directory
  });

  it('a resumed run that fails leaves every file of the run as it was', async () => {
    const { run } = await tinyTrainedRun('run-memory-resume', { entities: 40, seed: 6 });
    const before = snapshot(run);
    await expect(runTrain({ resume: true, out: run, epochs: 4 }, { events: { onStep: boom } })).rejects.toThrow('a step failed');
    expect(snapshot(run)).toEqual(before);
  });
});
