// What a crash at an awkward instant leaves, and what the next run makes of it: a best checkpoint saved after the
// last one (a kill between the two saves), the run lock (stale, empty, left over), a new run in a directory that
// holds an earlier run's files, and the epoch's metrics record written before its `last` checkpoint.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';
import { runTrain } from '../../src/pipeline/train.js';
import { lockRunDir, runLockHolder } from '../../src/core/run-lock.js';
import { foreignFiles } from '../../src/core/run-dir-files.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-durability-'));
let graph: string;
const base = { model: 'DistMult', dim: 8, epochs: 4, validEvery: 2, batchSize: 64, lr: 0.1, initScale: 0.1, testEval: false } as const;

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  graph = await writeSyntheticDataset(path.join(tmp, 'graph'), { entities: 120, seed: 3 });
});

const json = (file: string): Record<string, unknown> => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
const metricsOf = (dir: string): { epoch: number; best?: boolean; valid?: { mrr: number } }[] =>
  readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { epoch: number; best?: boolean; valid?: { mrr: number } });

/** A run stopped after epoch 2 whose best.json claims `bestEpoch` and `bestMrr` (as a kill after saving that best, before `last`, leaves it). */
async function bestAhead(name: string, bestEpoch: number, bestMrr: number): Promise<string> {
  const out = path.join(tmp, name);
  await runTrain({ dataset: graph, ...base, epochs: 2, out });
  const file = path.join(out, 'best.json');
  const header = json(file) as { progress: { bestEpoch: number; bestMrr: number } };
  header.progress.bestEpoch = bestEpoch;
  header.progress.bestMrr = bestMrr;
  writeFileSync(file, JSON.stringify(header));
  return out;
}

describe('a best checkpoint saved after the last one', () => {
  it('stays the best to beat: a worse validation never replaces it, and the run reports it', async () => {
    const out = await bestAhead('best-ahead', 4, 0.99);
    const before = readFileSync(path.join(out, 'best.json'), 'utf8');
    const lines: string[] = [];
    const result = await runTrain({ out, resume: true, epochs: 6 }, { log: (l) => lines.push(l) });
    expect(lines).toContain(`note: ${path.join(out, 'best.json')} is of epoch 4, after ${path.join(out, 'last.json')}'s epoch 2 (a session ended between the two saves): it stays the best to beat (validation MRR 0.9900)`);
    expect(readFileSync(path.join(out, 'best.json'), 'utf8')).toBe(before);
    expect(result.training).toMatchObject({ bestEpoch: 4, bestValidMrr: 0.99, epochs: 6 });
    expect(metricsOf(out).filter((r) => r.best).map((r) => r.epoch)).toEqual([2]); // epoch 2's own record only
  });

  it('the replayed epoch of that best counts as the best, as in the run that was never killed', async () => {
    const whole = path.join(tmp, 'never-killed');
    const reference = await runTrain({ dataset: graph, ...base, out: whole });
    const epoch4 = metricsOf(whole).find((r) => r.epoch === 4)!.valid!.mrr;
    const out = await bestAhead('best-ahead-replayed', 4, epoch4);
    const result = await runTrain({ out, resume: true, epochs: 4 });
    expect(result.training.bestEpoch).toBe(reference.training.bestEpoch);
    expect(result.training.bestValidMrr).toBe(reference.training.bestValidMrr);
    expect(metricsOf(out)).toEqual(metricsOf(whole).map((r) => ({ ...r, seconds: expect.any(Number) as number, ...(r.valid ? { valid: { ...r.valid, seconds: expect.any(Number) as number } } : {}) })));
  });
});

describe('the run lock', () => {
  it("a dead process's lock is taken over with a note; an empty lock is someone's being written, until it is old", async () => {
    const dir = path.join(tmp, 'lock-stale');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, '.lock');
    writeFileSync(file, `2147483646 ${hostname()}\n`);
    const notices: string[] = [];
    const lock = lockRunDir(dir, (n) => notices.push(n));
    expect(notices).toEqual([`took over the lock ${file} of process 2147483646, which is gone`]);
    expect(readFileSync(file, 'utf8')).toMatch(new RegExp(`^${process.pid} ${hostname()} \\S+( \\d+)?\n$`)); // pid, host, boot, start time
    lock.release();
    expect(existsSync(file)).toBe(false);
    writeFileSync(file, ''); // created a moment ago by a process that has not written it yet
    expect(() => lockRunDir(dir)).toThrow(`${dir} is being locked by another process (lock file ${file}); try again in a few seconds`);
    const old = new Date(Date.now() - 60_000);
    utimesSync(file, old, old); // a minute old and still empty: damaged
    const again: string[] = [];
    lockRunDir(dir, (n) => again.push(n)).release();
    expect(again).toEqual([`took over the unreadable lock ${file} (older than 10 s)`]);
    expect(readdirSync(dir)).toEqual([]); // no staged or set-aside copy is left
  });

  it('takeovers of a stale lock happen one at a time: while one is under way (.lock.takeover) another waits; a guard left by a killed process expires', () => {
    const dir = path.join(tmp, 'lock-takeover');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, '.lock');
    writeFileSync(file, `2147483646 ${hostname()}\n`); // stale
    writeFileSync(`${file}.takeover`, '4242\n'); // another process is taking it over right now
    expect(() => lockRunDir(dir)).toThrow(`${dir}: could not take the lock file ${file}: another process is taking over its stale lock (${file}.takeover, cleared after 10 s if that process died); try again in a few seconds`);
    expect(readFileSync(file, 'utf8')).toBe(`2147483646 ${hostname()}\n`); // not removed under the other's feet
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${file}.takeover`, old, old); // a guard a minute old: its process was killed
    lockRunDir(dir).release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it("a lock written before the host's last boot is stale even when its pid is alive again", () => {
    const dir = path.join(tmp, 'lock-reboot');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, '.lock');
    const alive = process.ppid; // a running process, as an unrelated one reusing the pid after a reboot would be
    const boot = existsSync('/proc/sys/kernel/random/boot_id') ? readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() : '-';
    writeFileSync(file, `${alive} ${hostname()} ${boot}\n`); // this boot: held
    expect(() => lockRunDir(dir)).toThrow(`is in use by process ${alive}`);
    writeFileSync(file, `${alive} ${hostname()} 00000000-before-the-reboot\n`);
    const notices: string[] = [];
    lockRunDir(dir, (n) => notices.push(n)).release();
    expect(notices).toEqual([`took over the lock ${file} of process ${alive}, written before this host's last boot`]);
  });

  it.runIf(existsSync('/proc/self/stat'))('a lock whose pid another process took in the same boot (another start time) is stale; the writer\'s own start time holds it', () => {
    const dir = path.join(tmp, 'lock-pid-reused');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, '.lock');
    const alive = process.ppid; // a running process, as one that took a killed writer's pid would be
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const stat = readFileSync(`/proc/${alive}/stat`, 'utf8');
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
    writeFileSync(file, `${alive} ${hostname()} ${boot} ${start}\n`); // the running process is the writer: held
    expect(() => lockRunDir(dir)).toThrow(`is in use by process ${alive}`);
    expect(runLockHolder(dir)).toEqual({ pid: alive, host: hostname() });
    writeFileSync(file, `${alive} ${hostname()} ${boot} ${Number(start) + 1}\n`); // written by an earlier process of that pid
    expect(runLockHolder(dir)).toBeUndefined();
    const notices: string[] = [];
    lockRunDir(dir, (n) => notices.push(n)).release();
    expect(notices).toEqual([`took over the lock ${file} of process ${alive}, which is gone (another process, started later, has its id now)`]);
  });

  it.runIf(existsSync('/proc/self/task'))('a lock naming a thread of a live process, or this process when it does not hold the lock, is stale; one it holds is in use', () => {
    // a machine restored with its pid sequence gives a dead owner's pid to a thread of another process, or to the
    // process reading the lock (seen on 2026-12-06: a run refused "in use by process" that was a thread of another)
    const dir = path.join(tmp, 'lock-pid-reused');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, '.lock');
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const thread = readdirSync('/proc/self/task').map(Number).find((id) => id !== process.pid);
    expect(thread).toBeGreaterThan(0);
    writeFileSync(file, `${thread} ${hostname()} ${boot}\n`);
    const notices: string[] = [];
    lockRunDir(dir, (n) => notices.push(n)).release();
    writeFileSync(file, `${process.pid} ${hostname()} ${boot}\n`);
    lockRunDir(dir, (n) => notices.push(n)).release();
    expect(notices).toEqual([
      `took over the lock ${file} of process ${thread}, which is gone`,
      `took over the lock ${file} of an earlier process ${process.pid} (this process has its id)`,
    ]);
    const held = lockRunDir(dir);
    expect(() => lockRunDir(dir)).toThrow(`${dir} is in use by process ${process.pid}`);
    held.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('what a kill while taking the lock leaves is a run file, not a foreign one', async () => {
    const dir = path.join(tmp, 'lock-leftovers');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'config.json'), '{}');
    writeFileSync(path.join(dir, '.lock.4242-0badc0de'), '4242 h\n');
    writeFileSync(path.join(dir, '.lock.stale-4242-0badc0de'), '4241 h\n');
    writeFileSync(path.join(dir, '.lock.takeover'), '4242\n');
    writeFileSync(path.join(dir, '.lock.mine'), '');
    expect(await foreignFiles(dir)).toEqual(['.lock.mine']);
  });
});

describe('a new run in a directory that holds an earlier run', () => {
  it("is refused when the earlier run finished (its result.json), even without last.json; nothing is written", async () => {
    const earlier = path.join(tmp, 'earlier');
    await runTrain({ dataset: graph, ...base, out: earlier });
    const dir = path.join(tmp, 'only-result');
    mkdirSync(dir, { recursive: true });
    cpSync(path.join(earlier, 'result.json'), path.join(dir, 'result.json'));
    await expect(runTrain({ dataset: graph, ...base, out: dir })).rejects.toThrow(`${dir} holds an earlier run's result.json (and no last.json to resume from): give a new out, or remove that run's files (nothing was written)`);
    expect(readdirSync(dir)).toEqual(['result.json']);
    // an attempt killed at its first validation, between its first best.json and its first last.json: replaced, said
    const killed = path.join(tmp, 'killed-first-validation');
    mkdirSync(killed, { recursive: true });
    for (const file of ['config.json', 'metrics.jsonl', 'best.json', (json(path.join(earlier, 'best.json')) as { binary: { file: string } }).binary.file]) cpSync(path.join(earlier, file), path.join(killed, file));
    const lines: string[] = [];
    const run = await runTrain({ dataset: graph, ...base, out: killed }, { log: (l) => lines.push(l) });
    expect(lines).toContain(`note: ${killed} holds the best.json of an attempt that ended before its first last.json (nothing to resume): this run replaces it`);
    expect(run.training.epochs).toBe(4);
  });
});
