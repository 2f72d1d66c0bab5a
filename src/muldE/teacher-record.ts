/**
 * `<student run>/teachers.json`: which checkpoint of which teacher a MulDE student learns from (each teacher's run
 * directory, the checkpoint file and its binary's SHA-256). Written when the student's run starts; a resume compares
 * the teachers it is given with it, so a teacher retrained in between is an error instead of a silent change of what
 * the student learns. Atomic, versioned, validated on read.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../core/atomic-file.js';
import { readJsonFile } from '../core/json-file.js';

/** Format name and version of teachers.json. */
export const TEACHER_RECORD_FORMAT = 'kgdistill-teachers';
export const TEACHER_RECORD_VERSION = 1;

const teacherSchema = z.object({ dir: z.string().min(1), checkpoint: z.string().min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict();
const recordSchema = z.object({ format: z.literal(TEACHER_RECORD_FORMAT), version: z.literal(TEACHER_RECORD_VERSION), teachers: z.array(teacherSchema).min(1) }).strict();

/** One teacher as a student learns from it. */
export type TeacherFingerprint = z.infer<typeof teacherSchema>;

/** Path of a student run's teacher record. */
export function teacherRecordFile(runDir: string): string {
  return path.join(runDir, 'teachers.json');
}

/** Writes the teacher record of a student run (atomically). */
export async function writeTeacherRecord(runDir: string, teachers: readonly TeacherFingerprint[]): Promise<void> {
  await writeFileAtomic(teacherRecordFile(runDir), `${JSON.stringify({ format: TEACHER_RECORD_FORMAT, version: TEACHER_RECORD_VERSION, teachers }, null, 2)}\n`);
}

/** The teachers a student run recorded (teachers.json), or undefined when it has none or it cannot be read. */
export function readTeacherRecord(runDir: string): TeacherFingerprint[] | undefined {
  const file = teacherRecordFile(runDir);
  if (!existsSync(file)) return undefined;
  try {
    return readJsonFile(file, recordSchema, "a student's teacher record").teachers;
  } catch {
    return undefined;
  }
}

/**
 * Compares the teachers a resumed student is given with those it started with: a different list, or a teacher whose
 * checkpoint changed (retrained, resumed, replaced), is an error naming it. A run made before the record existed passes.
 */
export function requireSameTeachers(runDir: string, teachers: readonly TeacherFingerprint[], flag = '--teachers'): void {
  const file = teacherRecordFile(runDir);
  if (!existsSync(file)) return;
  const recorded = readJsonFile(file, recordSchema, "a student's teacher record").teachers;
  const dirs = (list: readonly TeacherFingerprint[]): string => list.map((t) => t.dir).join(',');
  if (dirs(recorded) !== dirs(teachers)) throw new Error(`${flag} ${dirs(teachers)}: the run in ${runDir} learns from ${dirs(recorded)} (${file}); resume it with those, or start a new run`);
  for (let i = 0; i < recorded.length; i++) {
    const [was, now] = [recorded[i]!, teachers[i]!];
    if (was.checkpoint !== now.checkpoint || was.sha256 !== now.sha256) {
      throw new Error(`${flag}: ${now.dir} changed since the run in ${runDir} started (its ${was.checkpoint} checkpoint had SHA-256 ${was.sha256.slice(0, 12)}…, it now gives ${now.checkpoint} with ${now.sha256.slice(0, 12)}…; ${file}): the student would learn from another teacher. Restore that teacher, or start a new run`);
    }
  }
}
