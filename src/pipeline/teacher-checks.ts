/**
 * What a distillation says about its teachers before it trains (each a warning in the log and in the run's summary):
 * a teacher still being trained, one that never finished, one without best.json; and, for a teacher trained on
 * another dataset than the student's, how many of the student's valid and test triples its train split holds (a
 * teacher that trained on them leaks them into the student, and the student's test figures are not clean).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { runLockHolder } from '../core/run-lock.js';
import type { RunData } from '../core/training-data.js';
import { loadDataset } from '../kg/dataset.js';
import { runReadingOptions } from './options.js';
import { resultFile } from './run-result.js';

/** Warnings about teachers that are not finished runs: one still training (its lock is held), one without result.json (a directory without best.json or last.json: none). */
export function unfinishedTeacherWarnings(teacherDirs: readonly string[]): string[] {
  return teacherDirs.flatMap((dir) => {
    if (!existsSync(dir)) return []; // no such run: reading the teacher says so
    // no checkpoint at all: not a run (or one not yet saved), which reading the teacher refuses; no warning before that
    if (!existsSync(path.join(dir, 'best.json')) && !existsSync(path.join(dir, 'last.json'))) return [];
    const holder = runLockHolder(dir);
    if (holder) return [`teacher ${dir} is being trained by process ${holder.pid} on ${holder.host}: the student learns from its best checkpoint so far, which may still change`];
    if (!existsSync(resultFile(dir))) return [`teacher ${dir} has not finished training (no result.json: interrupted, or stopped before its end): the student learns from its best checkpoint so far`];
    return [];
  });
}

/** The student's valid and test triples (by name) found in the train split of `dataset`, read as the teacher run `teacherDir` read it. */
export async function leakedTriples(teacherDir: string, dataset: string, student: RunData): Promise<{ leaked: number; of: number }> {
  const teacherData = await loadDataset(dataset, { ...runReadingOptions(teacherDir), unseen: 'keep', download: false });
  const key = (h: string, r: string, t: string): string => `${h}\t${r}\t${t}`;
  const train = new Set<string>();
  const { entities, relations } = teacherData;
  for (let i = 0; i < teacherData.train.length; i += 3) {
    train.add(key(entities.names[teacherData.train[i]!]!, relations.names[teacherData.train[i + 1]!]!, entities.names[teacherData.train[i + 2]!]!));
  }
  let leaked = 0, of = 0;
  for (const split of [student.valid, student.test]) {
    for (let i = 0; i < split.length; i += 3, of++) {
      if (train.has(key(student.entityNames[split[i]!]!, student.relationNames[split[i + 1]!]!, student.entityNames[split[i + 2]!]!))) leaked++;
    }
  }
  return { leaked, of };
}
