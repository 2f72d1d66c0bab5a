// A damaged (cut-off, empty, foreign) config.json: eval goes on from the checkpoint, which records the dataset, its
// vocabulary and --unseen, with one note naming the file and what it fell back to (the reading options); train
// --resume refuses it, naming the file, what is wrong and how to go on, before anything is written.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';
import { runTrain } from '../../src/pipeline/train.js';
import { evaluateRun } from '../../src/pipeline/evaluate.js';
import { inspectRunConfig } from '../../src/pipeline/run-config.js';
import { registerEvalCommand } from '../../src/cli/commands/eval.js';
import { registerTrainCommand } from '../../src/cli/commands/train.js';
import { runCliCapturing } from '../helpers/run-cli.js';

const REPO_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-damaged-config-'));
const base = { model: 'DistMult', dim: 8, epochs: 2, validEvery: 2, batchSize: 64, lr: 0.1, initScale: 0.1 } as const;
let graph: string;
let run: string;
let config: string;
let intact: string;

/** Writes the first `bytes` bytes of the intact config.json over it (a write cut short). */
const cutOff = (bytes: number): void => writeFileSync(config, intact.slice(0, bytes));

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  graph = await writeSyntheticDataset(path.join(tmp, 'graph'), { entities: 120, seed: 3 });
  run = path.join(tmp, 'run');
  await runTrain({ dataset: graph, ...base, out: run });
  config = path.join(run, 'config.json');
  intact = readFileSync(config, 'utf8');
});

describe('a damaged config.json', () => {
  it('is told apart from a missing one: cut off, empty, not JSON, not a run configuration', () => {
    cutOff(200);
    expect(inspectRunConfig(run)).toEqual({ file: config, damage: 'it is cut off: its JSON ends mid-way, after 200 bytes' });
    writeFileSync(config, `${intact.slice(0, 100)}\0\0\0\0`); // a write cut short may leave NUL bytes
    expect(inspectRunConfig(run).damage).toBe('it is cut off: its JSON ends mid-way, after 100 bytes');
    writeFileSync(config, ' \n');
    expect(inspectRunConfig(run).damage).toBe('it is empty');
    writeFileSync(config, '{"format": kgdistill}');
    expect(inspectRunConfig(run).damage).toMatch(/^it is not valid JSON: /);
    writeFileSync(config, '{"a": 1}');
    expect(inspectRunConfig(run).damage).toMatch(/^it is not a kgdistill run configuration: /);
    writeFileSync(config, intact);
    expect(inspectRunConfig(run).config?.options.model).toBe('DistMult');
    expect(inspectRunConfig(tmp)).toEqual({ file: path.join(tmp, 'config.json') });
  });

  it('eval goes on from the checkpoint with one note naming the file and what it fell back to: the same metrics', async () => {
    writeFileSync(config, intact);
    const expected = await evaluateRun(run);
    cutOff(200);
    const notes: string[] = [];
    const result = await evaluateRun(run, { onNotice: (m) => notes.push(m) });
    expect(result.metrics.mrr).toBe(expected.metrics.mrr);
    expect(result.metrics['hits@10']).toBe(expected.metrics['hits@10']);
    expect(notes).toEqual([`${config} is damaged (it is cut off: its JSON ends mid-way, after 200 bytes): going on from the checkpoint ${path.join(run, 'best.json')} alone, with the dataset it records (${graph}) read with the default --delimiter, --columns, --header, --encoding (give the run's own if it read its files otherwise)`]);
    const sampled = await evaluateRun(run, { candidates: 20, onNotice: () => undefined });
    expect(sampled.metrics.queries).toBe(expected.metrics.queries);
  });

  it('kgdistill eval prints its metrics and the note once on stderr', async () => {
    cutOff(150);
    const { out, err } = await runCliCapturing([registerEvalCommand], ['eval', '--checkpoint', run, '--json']);
    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toHaveProperty('mrr');
    const notes = err.split(/[\r\n]/).filter((line) => line.startsWith('note: '));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain(`note: ${config} is damaged (it is cut off`);
  });

  it('when the defaults do not read the files as the run did, the error says so and which flags to give; given, eval works', async () => {
    const htr = path.join(tmp, 'graph-htr');
    const other = path.join(tmp, 'run-htr');
    await writeSyntheticDataset(htr, { entities: 120, seed: 3 });
    for (const split of ['train', 'valid', 'test']) {
      const file = path.join(htr, `${split}.txt`);
      const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => l.split('\t'));
      writeFileSync(file, `${lines.map(([h, r, t]) => `${h}\t${t}\t${r}`).join('\n')}\n`);
    }
    await runTrain({ dataset: htr, ...base, columns: 'htr', out: other });
    const otherConfig = path.join(other, 'config.json');
    const expected = await evaluateRun(other);
    writeFileSync(otherConfig, readFileSync(otherConfig, 'utf8').slice(0, 120));
    await expect(evaluateRun(other)).rejects.toThrow(`(${otherConfig} is damaged, so the files were read with the default --delimiter, --columns, --header, --encoding: give the run's own, or restore config.json)`);
    const notes: string[] = [];
    const given = await evaluateRun(other, { reading: { columns: 'htr' }, onNotice: (m) => notes.push(m) });
    expect(given.metrics.mrr).toBe(expected.metrics.mrr);
    expect(notes[0]).toContain('read with the default --delimiter, --header, --encoding');
  });

  it('train --resume refuses it, naming the file, what is wrong and how to go on, and writes nothing', async () => {
    for (const [damage, write] of [['it is cut off', () => cutOff(200)], ['it is empty', () => writeFileSync(config, '')]] as const) {
      write();
      const before = Object.fromEntries(readdirSync(run).map((f) => [f, readFileSync(path.join(run, f), 'utf8')]));
      await expect(runTrain({ out: run, resume: true, epochs: 4 })).rejects.toThrow(`${config} is damaged (${damage}`);
      await expect(runTrain({ out: run, resume: true, epochs: 4 })).rejects.toThrow('so the settings the run was made with cannot be read from it: restore it from a copy, or delete it');
      expect(Object.fromEntries(readdirSync(run).map((f) => [f, readFileSync(path.join(run, f), 'utf8')]))).toEqual(before);
    }
    cutOff(200);
    await expect(runCliCapturing([registerTrainCommand], ['train', '--out', run, '--resume', '--epochs', '4'])).rejects.toThrow(`${config} is damaged`);
  });

  it('exit codes of the real process: eval 0 with the note, train --resume 1 naming the file', async () => {
    cutOff(200);
    const tsx = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
    const main = path.join(REPO_ROOT, 'src', 'cli', 'main.ts');
    const evaluated = await promisify(execFile)(tsx, [main, 'eval', '--checkpoint', run, '--json'], { cwd: REPO_ROOT });
    expect(evaluated.stderr).toContain(`note: ${config} is damaged (it is cut off`);
    expect(JSON.parse(evaluated.stdout.trim().split('\n').at(-1)!)).toHaveProperty('mrr');
    const resumed = await promisify(execFile)(tsx, [main, 'train', '--out', run, '--resume', '--epochs', '4'], { cwd: REPO_ROOT }).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(resumed?.code).toBe(1);
    expect(resumed?.stderr).toContain(`kgdistill: ${config} is damaged (it is cut off: its JSON ends mid-way, after 200 bytes)`);
    writeFileSync(config, intact);
    expect((await runTrain({ out: run, resume: true, epochs: 4 })).training.epochs).toBe(4); // restored, it resumes
  }, 60_000);
});
