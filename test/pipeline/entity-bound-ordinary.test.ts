// An ordinary run is unaffected by the early memory bound: train, a resumed train and distill load their graph with
// a bound far above it (the one kernel memory of 4 GiB) and finish as before.
import { describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { LoadOptions } from '../../src/kg/dataset.js';

/** The options every loadDataset call of the test was given. */
const loads: LoadOptions[] = [];
vi.mock('../../src/kg/dataset.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/kg/dataset.js')>();
  return { ...actual, loadDataset: (spec: string, options: LoadOptions = {}) => { loads.push(options); return actual.loadDataset(spec, options); } };
});

const { runDistill, runTrain } = await import('../../src/pipeline/train.js');
const { tinyTrainedRun } = await import('../helpers/tiny-run.js');

describe('an ordinary run under the early memory bound', () => {
  it('train, resume and distill finish; their bound is millions of entities', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    const { tmp, graph, run } = await tinyTrainedRun('entity-bound-ordinary', { entities: 40, seed: 7 });
    expect(existsSync(path.join(run, 'result.json'))).toBe(true);
    const resumed = await runTrain({ resume: true, out: run, epochs: 3 });
    expect(resumed.training.epochs).toBe(3);
    const student = await runDistill({ dataset: graph, teachers: [run], student: 'DistMult', dim: 8, epochs: 1, topK: 8, out: path.join(tmp, 'student') });
    expect(existsSync(path.join(student.runDir, 'result.json'))).toBe(true);
    const bounds = loads.map((options) => options.maxEntities).filter((bound) => bound !== undefined);
    expect(bounds.length).toBe(3); // the teacher's own checks load without a bound
    // DistMult d = 8: 64 bytes of tables and gradients an entity, and the step's scratch, in 4 GiB
    for (const bound of bounds) expect(bound).toBeGreaterThan(30_000_000);
  });
});
