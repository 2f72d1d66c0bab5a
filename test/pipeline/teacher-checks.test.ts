// The warnings a distillation gives about its teachers: one still training, one without result.json; a teacher
// directory that does not exist, or holds no checkpoint (a dataset given by mistake), gets none (reading it says so,
// and "has not finished training" would be wrong).
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { unfinishedTeacherWarnings } from '../../src/pipeline/teacher-checks.js';

describe('unfinishedTeacherWarnings', () => {
  it('warns of a teacher in training and of one without result.json, and of nothing for a finished one, one that is gone or one without a checkpoint', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'kgdistill-teacher-checks-'));
    const [finished, interrupted, training, gone, dataset, unsaved] = ['finished', 'interrupted', 'training', 'gone', 'dataset', 'unsaved'].map((name) => path.join(root, name)) as [string, string, string, string, string, string];
    for (const dir of [finished, interrupted, training, dataset, unsaved]) mkdirSync(dir);
    writeFileSync(path.join(finished, 'result.json'), '{}');
    writeFileSync(path.join(finished, 'best.json'), '{}');
    writeFileSync(path.join(interrupted, 'best.json'), '{}');
    writeFileSync(path.join(training, 'last.json'), '{}');
    writeFileSync(path.join(training, '.lock'), `${process.ppid} ${hostname()}\n`);
    writeFileSync(path.join(dataset, 'train.txt'), 'a\tr\tb\n'); // a dataset directory given as a teacher: no warning before "no checkpoint"
    writeFileSync(path.join(unsaved, '.lock'), `${process.ppid} ${hostname()}\n`); // a run in training with no checkpoint yet: nothing to learn from
    expect(unfinishedTeacherWarnings([finished, interrupted, training, gone, dataset, unsaved])).toEqual([
      `teacher ${interrupted} has not finished training (no result.json: interrupted, or stopped before its end): the student learns from its best checkpoint so far`,
      `teacher ${training} is being trained by process ${process.ppid} on ${hostname()}: the student learns from its best checkpoint so far, which may still change`,
    ]);
  });
});
