/**
 * A run's `metrics.jsonl`, one JSON object per epoch. Appends are one line each; when a run resumes, the lines of
 * epochs after its checkpoint are dropped (they are about to be run again), and a run that starts from nothing drops
 * every line an earlier attempt left without a checkpoint — a torn last line (a crash in the middle of an append) is
 * dropped with them, while a bad line elsewhere is an error naming file and line. Every line carries the format
 * version (`"format": 1`); a line without one was written before the field existed and reads as version 1.
 */
import { existsSync, promises as fs } from 'node:fs';
import { z } from 'zod';
import { writeFileAtomic } from './atomic-file.js';
import { formatIssues } from './registry.js';
import { fileWriteError } from '../kg/errors.js';

/** The format version of metrics.jsonl lines, written first in every line. */
export const METRICS_FORMAT = 1;

/** A number the trainer wrote: finite (a non-finite loss stops a run), present. */
const finiteNumber = z.number({ error: (issue) => (issue.input === undefined ? 'is missing' : 'must be a number') }).finite({ error: 'must be a finite number' });

/**
 * What every line must hold, as the trainer writes it: its version (absent before version 1 was written), a whole
 * epoch ≥ 1, the epoch's finite loss, and, when validated, a finite validation MRR (what plot and serve draw).
 */
const recordSchema = z.object({
  format: z.literal(METRICS_FORMAT).optional(),
  epoch: z.number().int().min(1),
  loss: finiteNumber,
  valid: z.object({
    mrr: finiteNumber,
    candidates: z.number().int().positive().optional(),
  }, { error: 'must be an object of validation metrics' }).passthrough().optional(),
}).passthrough();

/** One record as its line, the format version first. */
const asLine = (record: object): string => `${JSON.stringify({ format: METRICS_FORMAT, ...record })}\n`;

/** Appends one record as a line. */
export async function appendMetrics(file: string, record: object): Promise<void> {
  try {
    await fs.appendFile(file, asLine(record));
  } catch (error) {
    throw fileWriteError(file, error, 'cannot append');
  }
}

/** Reads the records of a metrics file; a torn (unparsable, unterminated) last line is left out. */
export async function readMetrics<R extends { epoch: number }>(file: string): Promise<R[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return [];
  }
  const lines = text.split('\n');
  const records: R[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      const last = i === lines.length - 1 || lines.slice(i + 1).every((l) => l.trim() === '');
      if (!last) throw new Error(`${file}:${i + 1}: not a JSON record (the file was edited or damaged)`);
      return;
    }
    const format = (parsed as { format?: unknown } | null)?.format;
    if (format !== undefined && format !== METRICS_FORMAT) {
      throw new Error(`${file}:${i + 1}: metrics format ${JSON.stringify(format)}, this kgdistill reads format ${METRICS_FORMAT}`);
    }
    const checked = recordSchema.safeParse(parsed);
    if (!checked.success) throw new Error(`${file}:${i + 1}: not an epoch record (${formatIssues(checked.error)})`);
    records.push(checked.data as unknown as R);
  });
  return records;
}

/** Keeps the records of epochs ≤ `lastEpoch` (rewriting the file atomically, without a torn tail); no file: nothing to do. */
export async function trimMetrics(file: string, lastEpoch: number): Promise<void> {
  if (!existsSync(file)) return;
  const kept = (await readMetrics(file)).filter((r) => r.epoch <= lastEpoch);
  await writeFileAtomic(file, kept.map(asLine).join(''));
}
