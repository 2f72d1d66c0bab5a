// A run's checkpoint records fingerprints of its splits' triples: evaluating it on its own dataset after the files were
// changed (another split of the same graph keeps the vocabulary, so that check passes) is refused, naming the file;
// the same files in another order count as changed too; a dataset given explicitly is evaluated.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tinyTrainedRun } from '../helpers/tiny-run.js';
import { runTrain } from '../../src/pipeline/train.js';
import { evaluateRun } from '../../src/pipeline/evaluate.js';
import { readCheckpointHeader } from '../../src/core/checkpoint.js';
import { tripleFingerprint } from '../../src/kg/triple-fingerprint.js';

describe('eval of a run whose dataset files changed since it trained', () => {
  it('is refused naming the split file; untouched files and an explicit dataset are evaluated', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    const { graph, run } = await tinyTrainedRun('changed-dataset', { entities: 60, seed: 3 });
    const { header } = await readCheckpointHeader(run, 'best');
    const testFile = path.join(graph, 'test.txt');
    const lines = readFileSync(testFile, 'utf8').split('\n').filter((line) => line.length > 0);
    expect(header.dataset.triples?.test).toMatch(new RegExp(`^${lines.length}:[0-9a-f]{16}$`));
    const before = (await evaluateRun(run)).metrics.mrr;

    // a test triple swapped for a train triple (the same names, so the same vocabulary)
    const trainLine = readFileSync(path.join(graph, 'train.txt'), 'utf8').split('\n')[0]!;
    writeFileSync(testFile, [trainLine, ...lines.slice(1)].join('\n') + '\n');
    await expect(evaluateRun(run)).rejects.toThrow(`${testFile}: the test triples differ from those ${path.join(run, 'best.json')} was trained with (${lines.length} triples then and now, other ones or in another order): the dataset changed since; train again on it, or give its directory with dataset to evaluate on these files knowingly`);
    // given explicitly, the changed files are evaluated
    expect(Number.isFinite((await evaluateRun(run, { dataset: graph })).metrics.mrr)).toBe(true);
    // the original lines in another order: refused as well (the fingerprint follows the file order)
    writeFileSync(testFile, [...lines].reverse().join('\n') + '\n');
    await expect(evaluateRun(run)).rejects.toThrow(/test\.txt: the test triples differ/);
    // one triple fewer: the counts are named
    writeFileSync(testFile, lines.slice(1).join('\n') + '\n');
    await expect(evaluateRun(run)).rejects.toThrow(`(${lines.length} triples then, ${lines.length - 1} now)`);
    // restored: evaluated as before
    writeFileSync(testFile, lines.join('\n') + '\n');
    expect((await evaluateRun(run)).metrics.mrr).toBe(before);
  }, 60_000);

  it('resume of a run whose train file changed since it started is refused naming the file, before anything is written', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    const { graph, run } = await tinyTrainedRun('changed-resume', { entities: 60, seed: 4 });
    const trainFile = path.join(graph, 'train.txt');
    const lines = readFileSync(trainFile, 'utf8').split('\n').filter((line) => line.length > 0);
    writeFileSync(trainFile, [lines[1], lines[0], ...lines.slice(2)].join('\n') + '\n'); // two lines swapped
    const before = readdirSync(run).map((file) => [file, readFileSync(path.join(run, file)).toString('base64')]);
    await expect(runTrain({ out: run, resume: true, epochs: 3 })).rejects.toThrow(`${trainFile}: the train triples differ from those ${path.join(run, 'last.json')} was trained with (${lines.length} triples then and now, other ones or in another order): the dataset changed since; a resumed run goes on with the triples it started with: restore the files, or start a new run`);
    expect(readdirSync(run).map((file) => [file, readFileSync(path.join(run, file)).toString('base64')])).toEqual(before);
    writeFileSync(trainFile, lines.join('\n') + '\n');
    expect((await runTrain({ out: run, resume: true, epochs: 3 })).training.epochs).toBe(3);
  }, 60_000);

  it('the fingerprint: the count and a hash that any changed id, or order, changes', () => {
    const a = Int32Array.of(0, 1, 2, 3, 0, 4);
    expect(tripleFingerprint(a)).toMatch(/^2:[0-9a-f]{16}$/);
    expect(tripleFingerprint(a)).toBe(tripleFingerprint(Int32Array.of(0, 1, 2, 3, 0, 4)));
    expect(tripleFingerprint(a)).not.toBe(tripleFingerprint(Int32Array.of(0, 1, 2, 3, 0, 5)));
    expect(tripleFingerprint(a)).not.toBe(tripleFingerprint(Int32Array.of(3, 0, 4, 0, 1, 2)));
    expect(tripleFingerprint(new Int32Array(0))).toMatch(/^0:/);
  });
});
