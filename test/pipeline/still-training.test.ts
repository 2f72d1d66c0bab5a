// eval, export and the lookups (neighbors, predict, serve) of a run that another process is still training: one note
// saying so and which checkpoint (and epoch) answers, which may still change; none for a run that has ended.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { tinyTrainedRun } from '../helpers/tiny-run.js';
import { evaluateRun } from '../../src/pipeline/evaluate.js';
import { exportRun } from '../../src/pipeline/export.js';
import { CheckpointLookup } from '../../src/lookup/checkpoint-lookup.js';

describe('a run still training', () => {
  it('eval, export and a lookup note it; a run that has ended gets no note', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    const { tmp, run } = await tinyTrainedRun('still-training', { entities: 60, seed: 3 });
    const noticesOf = async (): Promise<string[][]> => {
      const [evaluated, exported, looked]: string[][] = [[], [], []];
      await evaluateRun(run, { onNotice: (n) => evaluated.push(n) });
      await exportRun(run, 'tsv', path.join(tmp, `export-${Math.random().toString(36).slice(2)}`), { onNotice: (n) => exported.push(n) });
      (await CheckpointLookup.open(run, { onNotice: (n) => looked.push(n) })).close();
      return [evaluated, exported, looked];
    };
    expect(await noticesOf()).toEqual([[], [], []]);
    writeFileSync(path.join(run, '.lock'), `${process.ppid} ${hostname()}\n`); // a live process holds it
    const note = `${run} is still being trained by process ${process.ppid} on ${hostname()}: using best.json (epoch 2), which may still change`;
    expect(await noticesOf()).toEqual([[note], [note], [note]]);
    // a served run says it in its facts (GET /models/<name>), as long as the training goes on
    const lookup = await CheckpointLookup.open(run);
    try {
      expect(lookup.info().note).toBe(`the run is still being trained by process ${process.ppid} on ${hostname()}: answers come from the checkpoint loaded (epoch 2), its curves are the training's so far; once it ends, restart to serve its final checkpoint`);
      rmSync(path.join(run, '.lock'));
      expect(lookup.info().note).toBeUndefined();
    } finally {
      lookup.close();
    }
  }, 60_000);
});
