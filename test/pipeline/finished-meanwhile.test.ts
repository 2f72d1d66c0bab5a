// A new run whose --out another process finished between train's checks of the directory and the lock is refused
// once the lock is held, and nothing is written: the other run's files stay as they were.
import { describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// the other process finishes its run just as this one takes the lock
vi.mock('../../src/core/run-lock.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/core/run-lock.js')>();
  return {
    ...actual,
    lockRunDir: (dir: string, onNotice?: (message: string) => void) => {
      writeFileSync(path.join(dir, 'result.json'), '{"the other run":true}');
      return actual.lockRunDir(dir, onNotice);
    },
  };
});

const { writeSyntheticDataset } = await import('../../src/kg/synthetic-graph.js');
const { runTrain } = await import('../../src/pipeline/train.js');

describe('train into a directory another process finished a run in meanwhile', () => {
  it('is refused once the lock is held, and leaves that run as it was', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-finished-meanwhile-'));
    const graph = await writeSyntheticDataset(path.join(tmp, 'graph'), { entities: 40, seed: 5 });
    const run = path.join(tmp, 'run');
    await expect(runTrain({ dataset: graph, model: 'DistMult', dim: 4, epochs: 1, out: run })).rejects.toThrow(
      `${run} holds a run that another process wrote while this one started (result.json): pass resume to continue it or out for a new one (nothing was written)`);
    expect(readdirSync(run)).toEqual(['result.json']); // no lock left, nothing of this run
    expect(readFileSync(path.join(run, 'result.json'), 'utf8')).toBe('{"the other run":true}');
  });
});
