// A MulDE student records which checkpoint of each teacher it learns from (teachers.json); a resume with a teacher
// retrained in between, or with other teachers, is an error naming it, and nothing of the student changes.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';
import { runDistill, runTrain } from '../../src/pipeline/train.js';
import { formatEpoch } from '../../src/cli/progress.js';
import { OptionsError } from '../../src/pipeline/options-error.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-teacher-record-'));
const small = { dim: 8, batchSize: 64, lr: 0.1, initScale: 0.1, validEvery: 1 } as const;
let graph: string;
let teacher: string;
let other: string;

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  graph = await writeSyntheticDataset(path.join(tmp, 'graph'), { entities: 80, seed: 2 });
  teacher = path.join(tmp, 'teacher');
  other = path.join(tmp, 'other');
  await runTrain({ dataset: graph, model: 'DistMult', ...small, epochs: 2, seed: 1, out: teacher });
  await runTrain({ dataset: graph, model: 'DistMult', ...small, epochs: 2, seed: 2, out: other });
});

describe('teachers.json', () => {
  it('records each teacher; a resume with the same teachers goes on, a retrained or other teacher is refused', async () => {
    const student = path.join(tmp, 'student');
    const distill = { dataset: graph, student: 'DistMult', ...small, topK: 20, epochs: 1 };
    await runDistill({ ...distill, teachers: [teacher], out: student });
    const record = JSON.parse(readFileSync(path.join(student, 'teachers.json'), 'utf8')) as { format: string; teachers: { dir: string; checkpoint: string; sha256: string }[] };
    const best = JSON.parse(readFileSync(path.join(teacher, 'best.json'), 'utf8')) as { binary: { sha256: string } };
    expect(record.format).toBe('kgdistill-teachers');
    expect(record.teachers).toEqual([{ dir: teacher, checkpoint: 'best.json', sha256: best.binary.sha256 }]);
    expect((await runDistill({ out: student, resume: true, epochs: 2 })).training.epochs).toBe(2);
    // a record removed (or a run from before it existed): the resume goes on, says it cannot check, and writes it again
    rmSync(path.join(student, 'teachers.json'));
    const lines: string[] = [];
    expect((await runDistill({ out: student, resume: true, epochs: 2 }, { log: (l) => lines.push(l) })).training.epochs).toBe(2);
    expect(lines).toContain(`note: ${path.join(student, 'teachers.json')} is missing (a run made before it existed, or the file was removed): the teachers given now cannot be checked against those the student started with; it is written now from them`);
    expect(JSON.parse(readFileSync(path.join(student, 'teachers.json'), 'utf8'))).toEqual(record);

    const snapshot = (): string => readdirSync(student).sort().map((n) => `${n}:${readFileSync(path.join(student, n)).toString('base64')}`).join('|');
    await expect(runDistill({ out: student, resume: true, epochs: 3, teachers: [other] }, { naming: 'flag' })).rejects.toThrow(/--teachers/);
    for (const name of readdirSync(other).filter((n) => n.startsWith('best'))) copyFileSync(path.join(other, name), path.join(teacher, name)); // the teacher, replaced
    const before = snapshot();
    await expect(runDistill({ out: student, resume: true, epochs: 3 }, { naming: 'flag' }))
      .rejects.toThrow(`--teachers: ${teacher} changed since the run in ${student} started (its best.json checkpoint had SHA-256 ${best.binary.sha256.slice(0, 12)}…`);
    expect(snapshot()).toBe(before);
  });

  it("a new run replaces the record an earlier attempt left, and a refused resume leaves the run's files as they are", async () => {
    const student = path.join(tmp, 'student-2');
    mkdirSync(student, { recursive: true });
    writeFileSync(path.join(student, 'teachers.json'), JSON.stringify({ format: 'kgdistill-teachers', version: 1, teachers: [{ dir: '/elsewhere', checkpoint: 'best.json', sha256: '0'.repeat(64) }] }));
    writeFileSync(path.join(student, 'config.json'), '{}');
    const distill = { dataset: graph, student: 'DistMult', ...small, topK: 20, epochs: 1 };
    await runDistill({ ...distill, teachers: [other], out: student });
    const record = JSON.parse(readFileSync(path.join(student, 'teachers.json'), 'utf8')) as { teachers: { dir: string }[] };
    expect(record.teachers.map((t) => t.dir)).toEqual([other]);
    const edited = { ...record, teachers: [{ ...(record.teachers[0] as object), sha256: 'f'.repeat(64) }] };
    writeFileSync(path.join(student, 'teachers.json'), JSON.stringify(edited));
    const metrics = readFileSync(path.join(student, 'metrics.jsonl'), 'utf8');
    writeFileSync(path.join(student, 'metrics.jsonl'), `${metrics}{"epoch":2,"lo`); // a torn line, which a resume would rewrite
    await expect(runDistill({ out: student, resume: true, epochs: 2 })).rejects.toThrow(/changed since the run/);
    expect(readFileSync(path.join(student, 'metrics.jsonl'), 'utf8')).toBe(`${metrics}{"epoch":2,"lo`);
  });

  it("a teacher trained on another dataset with the same vocabulary is a warning naming both (it may have seen the student's test triples)", async () => {
    const resplit = await writeSyntheticDataset(path.join(tmp, 'resplit'), { entities: 80, seed: 2, validFraction: 0.2, testFraction: 0.2 });
    const lines: string[] = [];
    const leaky = await runDistill({ dataset: resplit, student: 'DistMult', ...small, topK: 20, epochs: 1, teachers: [teacher], out: path.join(tmp, 'leaky') }, { log: (l) => lines.push(l) });
    // counted from the files: the student's valid and test lines found in the teacher's train file
    const trainLines = new Set(readFileSync(path.join(graph, 'train.txt'), 'utf8').split('\n').filter((l) => l !== ''));
    const studentLines = ['valid.txt', 'test.txt'].flatMap((f) => readFileSync(path.join(resplit, f), 'utf8').split('\n').filter((l) => l !== ''));
    const leaked = studentLines.filter((l) => trainLines.has(l)).length;
    expect(leaked).toBeGreaterThan(0);
    const warning = `teacher ${teacher} was trained on ${graph}, the student on ${resplit}: its train split holds ${leaked} of the student's ${studentLines.length} valid and test triples, which the teacher leaks into the student (its test figures are not clean)`;
    expect(lines).toContain(`warning: ${warning}`);
    expect(leaky.summary.warnings).toContain(warning); // in --json and result.json too
    const same: string[] = [];
    await runDistill({ dataset: graph, student: 'DistMult', ...small, topK: 20, epochs: 1, teachers: [teacher], out: path.join(tmp, 'clean') }, { log: (l) => same.push(l) });
    expect(same.join('\n')).not.toContain('was trained on');
    // the same files in another directory are the same dataset (the splits' fingerprints say so): no warning, no count
    const elsewhere = path.join(tmp, 'graph-copy');
    cpSync(graph, elsewhere, { recursive: true });
    const copied: string[] = [];
    await runDistill({ dataset: elsewhere, student: 'DistMult', ...small, topK: 20, epochs: 1, teachers: [teacher], out: path.join(tmp, 'copied') }, { log: (l) => copied.push(l) });
    expect(copied.join('\n')).not.toContain('was trained on');
    // the teacher's own directory whose files were replaced since (as eval refuses it): a warning, where none was given
    const replaced = path.join(tmp, 'replaced');
    cpSync(graph, replaced, { recursive: true });
    const replacedTeacher = path.join(tmp, 'replaced-teacher');
    await runTrain({ dataset: replaced, model: 'DistMult', ...small, epochs: 1, seed: 3, out: replacedTeacher });
    for (const file of ['train.txt', 'valid.txt', 'test.txt']) copyFileSync(path.join(resplit, file), path.join(replaced, file));
    const changed = await runDistill({ dataset: replaced, student: 'DistMult', ...small, topK: 20, epochs: 1, teachers: [replacedTeacher], out: path.join(tmp, 'on-replaced') });
    // a teacher that is no run is named as a teacher (the reader named only the directory)
    const nope = path.join(tmp, 'no-such-teacher');
    await expect(runDistill({ dataset: graph, student: 'DistMult', ...small, topK: 20, epochs: 1, teachers: [teacher, nope], out: path.join(tmp, 'nope-student') }))
      .rejects.toThrow(`teacher ${nope}: no such directory (a run directory written by \`kgdistill train\` or \`distill\`)`);
    await expect(runDistill({ dataset: graph, student: 'DistMult', ...small, topK: 20, epochs: 1, teachers: [graph], out: path.join(tmp, 'graph-student') }))
      .rejects.toThrow(`teacher ${graph}: no checkpoint in this directory`);
    expect(changed.summary.warnings).toContain(`teacher ${replacedTeacher} was trained on the files of ${replaced} as they were before they changed (its train triples differ from the student's): whether its train split held the student's valid and test triples cannot be counted; if it did, the teacher leaks them into the student`);
  });

  it('a teacher still training, one that never finished, one without best.json: each a warning in the log and the summary; one checkpoint given twice is refused', async () => {
    const distill = { dataset: graph, student: 'DistMult', ...small, topK: 20, epochs: 1 };
    const copy = (name: string): string => {
      const dir = path.join(tmp, name);
      cpSync(other, dir, { recursive: true });
      return dir;
    };
    const unfinished = copy('unfinished');
    rmSync(path.join(unfinished, 'result.json'));
    const training = copy('training');
    writeFileSync(path.join(training, '.lock'), `${process.ppid} ${hostname()} ${readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()}\n`); // a live process holds it
    const noBest = copy('no-best');
    rmSync(path.join(noBest, 'best.json'));
    const lines: string[] = [];
    const run = await runDistill({ ...distill, teachers: [unfinished, training, noBest], out: path.join(tmp, 'states') }, { log: (l) => lines.push(l) }).catch((error: unknown) => error);
    // the three are copies of one run: the same best checkpoint twice is refused (a link or a copy counted double)
    expect(String(run)).toContain(`teachers ${unfinished} and ${training} are the same checkpoint (SHA-256`);
    expect(run).toBeInstanceOf(OptionsError); // a usage error (exit 2), as the same path given twice is
    expect(existsSync(path.join(tmp, 'states'))).toBe(false); // nothing written
    rmSync(path.join(training, 'best.json')); // now it loads last.json, as no-best does: still the same checkpoint
    const states = await runDistill({ ...distill, teachers: [unfinished, training], out: path.join(tmp, 'states-2') }, { log: (l) => lines.push(l) });
    expect(states.summary.warnings).toEqual([
      `teacher ${unfinished} has not finished training (no result.json: interrupted, or stopped before its end): the student learns from its best checkpoint so far`,
      `teacher ${training} is being trained by process ${process.ppid} on ${hostname()}: the student learns from its best checkpoint so far, which may still change`,
      expect.stringMatching(new RegExp(`^teacher ${training} has no best\\.json \\(not validated yet, or removed\\): using last\\.json \\(epoch \\d+\\)$`)),
    ]);
    for (const warning of states.summary.warnings) expect(lines).toContain(`warning: ${warning}`);
  });

  it('each epoch logs the loss terms (junior, senior, kd before λ) that make its loss: junior + senior + λ·kd', async () => {
    const lines: string[] = [];
    const out = path.join(tmp, 'terms');
    await runDistill({ dataset: graph, student: 'DistMult', ...small, topK: 20, epochs: 2, kdWeight: 0.3, teachers: [other], out }, { log: (l) => lines.push(l) });
    const records = readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { loss: number; terms: { junior: number; senior: number; kd: number } });
    expect(records).toHaveLength(2);
    for (const { loss, terms } of records) {
      expect(Object.keys(terms)).toEqual(['junior', 'senior', 'kd']);
      expect(terms.kd).toBeGreaterThan(0);
      expect(terms.junior + terms.senior + 0.3 * terms.kd).toBeCloseTo(loss, 5);
    }
    const { epoch, seconds, loss, terms } = records[0] as unknown as { epoch: number; seconds: number; loss: number; terms: Record<string, number> };
    expect(formatEpoch({ epoch, seconds, loss, steps: 1, terms })).toBe(`epoch 1: loss ${loss.toFixed(5)} (junior ${terms.junior!.toFixed(5)}, senior ${terms.senior!.toFixed(5)}, kd ${terms.kd!.toFixed(5)}) in ${seconds.toFixed(1)} s`);
  });
});
