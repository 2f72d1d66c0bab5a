// A damaged (cut-off, empty, foreign) or missing config.json: every checkpoint keeps a copy of the run's
// configuration, so eval and train --resume go on from it with one note naming the file (resume writes config.json
// again). A checkpoint from before the copy existed: eval goes on from what it records (the dataset, its vocabulary
// and --unseen) with a note naming what it fell back to (the reading options); train --resume refuses, naming the
// file, what is wrong and how to go on, before anything is written.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';
import { runTrain } from '../../src/pipeline/train.js';
import { evaluateRun } from '../../src/pipeline/evaluate.js';
import { inspectRunConfig } from '../../src/pipeline/run-config.js';
import { runReadingOptions } from '../../src/pipeline/options.js';
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
/** The test MRR of the run evaluated with its config.json intact: what every fallback must give again. */
let intactMrr: number;

/** Writes the first `bytes` bytes of the intact config.json over it (a write cut short). */
const cutOff = (bytes: number): void => writeFileSync(config, intact.slice(0, bytes));

/** A copy of run `from` at `to` whose checkpoint headers lack the configuration copy (as written before 2026-12-05). */
function olderRun(from: string, to: string): string {
  rmSync(to, { recursive: true, force: true });
  cpSync(from, to, { recursive: true });
  for (const stem of ['best', 'last']) {
    const file = path.join(to, `${stem}.json`);
    const { runConfig, ...header } = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(runConfig).toBeDefined();
    writeFileSync(file, JSON.stringify(header));
  }
  return to;
}

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  graph = await writeSyntheticDataset(path.join(tmp, 'graph'), { entities: 120, seed: 3 });
  run = path.join(tmp, 'run');
  await runTrain({ dataset: graph, ...base, out: run });
  config = path.join(run, 'config.json');
  intact = readFileSync(config, 'utf8');
  intactMrr = (await evaluateRun(run)).metrics.mrr;
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
    for (const stem of ['best', 'last']) { // each checkpoint keeps a copy of config.json
      expect((JSON.parse(readFileSync(path.join(run, `${stem}.json`), 'utf8')) as { runConfig: unknown }).runConfig).toEqual(JSON.parse(intact));
    }
  });

  it('eval goes on from the checkpoint with one note naming the file and what it fell back to: the same metrics', async () => {
    writeFileSync(config, intact);
    const expected = await evaluateRun(run);
    cutOff(200);
    const notes: string[] = [];
    const result = await evaluateRun(run, { onNotice: (m) => notes.push(m) });
    expect(result.metrics.mrr).toBe(expected.metrics.mrr);
    expect(result.metrics['hits@10']).toBe(expected.metrics['hits@10']);
    expect(notes).toEqual([`${config} is damaged (it is cut off: its JSON ends mid-way, after 200 bytes): using the copy of the run's configuration kept in ${path.join(run, 'best.json')}`]);
    const sampled = await evaluateRun(run, { candidates: 20, onNotice: () => undefined });
    expect(sampled.metrics.queries).toBe(expected.metrics.queries);
    const older = olderRun(run, path.join(tmp, 'run-older'));
    notes.length = 0;
    expect((await evaluateRun(older, { onNotice: (m) => notes.push(m) })).metrics.mrr).toBe(expected.metrics.mrr);
    const olderConfig = path.join(older, 'config.json');
    expect(notes).toEqual([`${olderConfig} is damaged (it is cut off: its JSON ends mid-way, after 200 bytes): going on from the checkpoint ${path.join(older, 'best.json')} alone, with the dataset it records (${graph}) read with the default --delimiter, --columns, --header, --encoding (give the run's own if it read its files otherwise)`]);
  });

  it('kgdistill eval prints its metrics and the note once on stderr', async () => {
    cutOff(150);
    const { out, err } = await runCliCapturing([registerEvalCommand], ['eval', '--checkpoint', run, '--json']);
    expect(JSON.parse(out.trim().split('\n').at(-1)!).mrr).toBe(intactMrr);
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
    const expected = await evaluateRun(other);
    const intactHtr = readFileSync(path.join(other, 'config.json'), 'utf8');
    const intactReading = runReadingOptions(other);
    expect(intactReading).not.toEqual({});
    rmSync(path.join(other, 'config.json'));
    const lookupNotes: string[] = []; // predict, neighbors and serve read the run's options this way
    expect(runReadingOptions(other, (m) => lookupNotes.push(m))).toEqual(intactReading);
    expect(lookupNotes).toEqual([`${path.join(other, 'config.json')} is missing: using the copy of the run's configuration kept in ${path.join(other, 'best.json')}`]);
    expect((await evaluateRun(other, { onNotice: () => undefined })).metrics.mrr).toBe(expected.metrics.mrr); // the copy names --columns htr
    const older = olderRun(other, path.join(tmp, 'run-htr-older'));
    const otherConfig = path.join(older, 'config.json');
    writeFileSync(otherConfig, intactHtr.slice(0, 120));
    await expect(evaluateRun(older)).rejects.toThrow(`(${otherConfig} is damaged, so the files were read with the default --delimiter, --columns, --header, --encoding: give the run's own, or restore config.json)`);
    const notes: string[] = [];
    const given = await evaluateRun(older, { reading: { columns: 'htr' }, onNotice: (m) => notes.push(m) });
    expect(given.metrics.mrr).toBe(expected.metrics.mrr);
    expect(notes[0]).toContain('read with the default --delimiter, --header, --encoding');
  });

  it('train --resume goes on from the checkpoint\'s copy and writes config.json again; from an older checkpoint it refuses and writes nothing', async () => {
    const fresh = path.join(tmp, 'run-resumed');
    rmSync(fresh, { recursive: true, force: true });
    cpSync(run, fresh, { recursive: true });
    const freshConfig = path.join(fresh, 'config.json');
    writeFileSync(freshConfig, intact.slice(0, 200));
    const lines: string[] = [];
    expect((await runTrain({ out: fresh, resume: true, epochs: 4 }, { log: (l) => lines.push(l) })).training.epochs).toBe(4);
    expect(lines).toContain(`note: ${freshConfig} is damaged (it is cut off: its JSON ends mid-way, after 200 bytes): using the copy of the run's configuration kept in ${path.join(fresh, 'last.json')}; config.json is written again from it`);
    const rewritten = JSON.parse(readFileSync(freshConfig, 'utf8')) as { options: Record<string, unknown> };
    expect(rewritten.options).toEqual({ ...(JSON.parse(intact) as { options: Record<string, unknown> }).options, epochs: 4 });
    const older = olderRun(run, path.join(tmp, 'run-older-resume'));
    const olderConfig = path.join(older, 'config.json');
    for (const [damage, write] of [['it is cut off', () => writeFileSync(olderConfig, intact.slice(0, 200))], ['it is empty', () => writeFileSync(olderConfig, '')]] as const) {
      write();
      const before = Object.fromEntries(readdirSync(older).map((f) => [f, readFileSync(path.join(older, f), 'utf8')]));
      await expect(runTrain({ out: older, resume: true, epochs: 4 })).rejects.toThrow(`${olderConfig} is damaged (${damage}`);
      await expect(runTrain({ out: older, resume: true, epochs: 4 })).rejects.toThrow('so the settings the run was made with cannot be read from it: restore it from a copy, or delete it');
      expect(Object.fromEntries(readdirSync(older).map((f) => [f, readFileSync(path.join(older, f), 'utf8')]))).toEqual(before);
    }
    await expect(runCliCapturing([registerTrainCommand], ['train', '--out', older, '--resume', '--epochs', '4'])).rejects.toThrow(`${olderConfig} is damaged`);
  });

  it("a missing config.json with an edited copy in the checkpoint: a copy that is no configuration gets one note and the checkpoint's own record; a wrong value is an error naming the header, writing nothing", async () => {
    /** A copy of `run` without config.json whose best and last headers' runConfig is `edit` of it. */
    const edited = (name: string, edit: (copy: { options: Record<string, unknown> }) => unknown): string => {
      const to = path.join(tmp, name);
      rmSync(to, { recursive: true, force: true });
      cpSync(run, to, { recursive: true });
      rmSync(path.join(to, 'config.json'));
      for (const stem of ['best', 'last']) {
        const file = path.join(to, `${stem}.json`);
        const header = JSON.parse(readFileSync(file, 'utf8')) as { runConfig: { options: Record<string, unknown> } };
        writeFileSync(file, JSON.stringify({ ...header, runConfig: edit(header.runConfig) }));
      }
      return to;
    };
    const foreign = edited('run-foreign-copy', () => ({ format: 'x' }));
    const notices: string[] = [];
    const evaluated = await evaluateRun(foreign, { onNotice: (n) => notices.push(n) });
    expect(evaluated.metrics.mrr).toBe(intactMrr); // the checkpoint's own record of the settings reads the same run
    expect(notices).toEqual([`${path.join(foreign, 'config.json')} is missing and the copy of the run's configuration kept in ${path.join(foreign, 'best.json')} (its runConfig) is not valid (format: Invalid input: expected "kgdistill-config"; version: Invalid option: expected one of 1|2; command: Invalid option: expected one of "train"|"distill"; options: Invalid input: expected record, received undefined): going on from the checkpoint's own record of the run's settings`]);
    const readNotices: string[] = [];
    runReadingOptions(foreign, (n) => readNotices.push(n)); // predict, neighbors and serve read it so
    expect(readNotices).toEqual(notices);
    const lines: string[] = [];
    expect((await runTrain({ out: foreign, resume: true, epochs: 3 }, { log: (l) => lines.push(l) })).training.epochs).toBe(3);
    expect(lines.filter((l) => l.startsWith('note: '))).toEqual([`note: ${notices[0]!.replace('best.json', 'last.json')}; config.json is written again from it`]);
    expect((JSON.parse(readFileSync(path.join(foreign, 'config.json'), 'utf8')) as { options: { dim: number } }).options.dim).toBe(8);
    for (const [name, edit, message] of [
      ['run-copy-dim', (c: { options: Record<string, unknown> }) => ({ ...c, options: { ...c.options, dim: 'eight' } }),
        `/last.json: its copy of the run's configuration (runConfig) has dim "eight", but the checkpoint's model has 8; the copy was edited: restore the run's config.json, or remove runConfig from `],
      ['run-copy-patience', (c: { options: Record<string, unknown> }) => ({ ...c, options: { ...c.options, patience: 'x' } }),
        `/last.json: runConfig.options.patience must be an integer ≥ 0 (got "x"); its copy of the run's configuration was edited: restore the run's config.json, or give --patience to resume`],
    ] as const) {
      const dir = edited(name, edit);
      const before = Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(path.join(dir, f), 'utf8')]));
      const logged: string[] = [];
      await expect(runCliCapturing([registerTrainCommand], ['train', '--out', dir, '--resume', '--epochs', '4'])).rejects.toThrow(message);
      await expect(runTrain({ out: dir, resume: true, epochs: 4 }, { log: (l) => logged.push(l) })).rejects.toThrow(path.join(dir, 'last.json'));
      expect(logged).toEqual([]); // no note that config.json is written again: nothing is
      expect(Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(path.join(dir, f), 'utf8')]))).toEqual(before);
    }
    const givenPatience = edited('run-copy-patience-given', (c) => ({ ...c, options: { ...c.options, patience: 'x' } }));
    expect((await runTrain({ out: givenPatience, resume: true, epochs: 3, patience: 5 })).training.epochs).toBe(3); // given, it resumes
  });

  it('exit codes of the real process: eval 0 with the note, train --resume of an older checkpoint 1 naming the file', async () => {
    cutOff(200);
    const tsx = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
    const main = path.join(REPO_ROOT, 'src', 'cli', 'main.ts');
    const evaluated = await promisify(execFile)(tsx, [main, 'eval', '--checkpoint', run, '--json'], { cwd: REPO_ROOT });
    expect(evaluated.stderr).toContain(`note: ${config} is damaged (it is cut off`);
    expect(JSON.parse(evaluated.stdout.trim().split('\n').at(-1)!).mrr).toBe(intactMrr);
    const older = olderRun(run, path.join(tmp, 'run-older-process'));
    const resumed = await promisify(execFile)(tsx, [main, 'train', '--out', older, '--resume', '--epochs', '4'], { cwd: REPO_ROOT }).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(resumed?.code).toBe(1);
    expect(resumed?.stderr).toContain(`kgdistill: ${path.join(older, 'config.json')} is damaged (it is cut off: its JSON ends mid-way, after 200 bytes)`);
    writeFileSync(path.join(older, 'config.json'), intact);
    expect((await runTrain({ out: older, resume: true, epochs: 4 })).training.epochs).toBe(4); // restored, it resumes
  }, 60_000);

  it('train --resume of a directory that does not exist, or holds no last.json, says why there is nothing to continue', async () => {
    const missing = path.join(tmp, 'never-made');
    await expect(runCliCapturing([registerTrainCommand], ['train', '--out', missing, '--resume'])).rejects.toThrow(`--resume: ${missing} does not exist (give the run directory of the run to continue)`);
    const early = path.join(tmp, 'ended-early');
    mkdirSync(early);
    writeFileSync(path.join(early, 'config.json'), intact);
    await expect(runCliCapturing([registerTrainCommand], ['train', '--out', early, '--resume'])).rejects.toThrow(
      `--resume: ${early} holds no last.json: the run ended before its first checkpoint (one is saved at each validation, after an epoch 10 minutes or more since the last save, and on Ctrl-C, SIGTERM or SIGHUP), so there is nothing to continue: start it again without --resume`);
  });
});
