// A model the kernels cannot run (AttH at d = 6: its tables are not padded, table-padding.ts) predicts through the core's all-entity scorer; the rank of a triple
// needs all of a query's scores too. Both share one scorer per opened run: its tensors exist once, and close() frees them.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { initBackend } from '../../src/core/backend.js';
import { runTrain } from '../../src/pipeline/train.js';
import { CheckpointLookup } from '../../src/lookup/checkpoint-lookup.js';
import { namedGraph } from './trained-run.js';
import { tempDir } from './helpers.js';

const tmp = tempDir('one-scorer');
let run: string;

beforeAll(async () => {
  await initBackend('wasm');
  const graph = await namedGraph(path.join(tmp, 'graph'));
  run = path.join(tmp, 'run');
  await runTrain({ dataset: graph, model: 'AttH', dim: 6, epochs: 1, out: run, testEval: false });
});

describe('one all-entity scorer per opened run', () => {
  it('predictions and triple ranks of a d = 6 model hold one set of tensors, freed by close()', async () => {
    const before = tf.memory().numTensors;
    const lookup = await CheckpointLookup.open(run);
    expect(lookup.search.kernelQueries).toBe(false);
    for (const head of ['e1', 'e2', 'e3']) await lookup.predict({ head, relation: 'parent', k: 5 });
    const afterPredict = tf.memory().numTensors;
    expect(afterPredict).toBeGreaterThan(before);
    for (const head of ['e1', 'e2', 'e3']) await lookup.score(head, 'parent', 'e4');
    expect(tf.memory().numTensors).toBe(afterPredict); // was: a second scorer, its own copy of the candidate side
    lookup.close();
    expect(tf.memory().numTensors).toBe(before);
  });
});
