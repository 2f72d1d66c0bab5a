// A model the kernels cannot run (RotH d = 6 saved at its own width, as before table-padding.ts) predicts through the core's all-entity scorer; the rank of a triple
// needs all of a query's scores too. Both share one scorer per opened run: its tensors exist once, and close() frees them.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createModel } from '../../src/registry/models.js';
import { CheckpointLookup } from '../../src/lookup/checkpoint-lookup.js';
import { trainModelRun } from './trained-run.js';
import { tempDir } from './helpers.js';

const tmp = tempDir('one-scorer');
let run: string;

beforeAll(async () => {
  // stored at its own width (the last argument of createModel): 6 floats a row, which the kernels do not read
  run = await trainModelRun(tmp, (sizes) => createModel('RotH', { dim: 6, ...sizes }, 6), 1);
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
