// A MulDE student records which checkpoint of each teacher it learns from (teachers.json); a resume with a teacher
// retrained in between, or with other teachers, is an error naming it, and nothing of the student changes.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';
import { runDistill, runTrain } from '../../src/pipeline/train.js';

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
    await runDistill({ dataset: resplit, student: 'DistMult', ...small, topK: 20, epochs: 1, teachers: [teacher], out: path.join(tmp, 'leaky') }, { log: (l) => lines.push(l) });
    expect(lines).toContain(`warning: teacher ${teacher} was trained on ${graph}, the student on ${resplit}: their vocabularies agree, but if that dataset's train split holds the student's valid or test triples, the teacher leaks them into the student`);
    const same: string[] = [];
    await runDistill({ dataset: graph, student: 'DistMult', ...small, topK: 20, epochs: 1, teachers: [teacher], out: path.join(tmp, 'clean') }, { log: (l) => same.push(l) });
    expect(same.join('\n')).not.toContain('was trained on');
  });
});
