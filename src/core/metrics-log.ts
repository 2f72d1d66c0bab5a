/**
 * A run's `metrics.jsonl`, one JSON object per epoch. Appends are one line each; when a run resumes, the lines of
 * epochs after its checkpoint are dropped (they are about to be run again), and a run that starts from nothing drops
 * every line an earlier attempt left without a checkpoint — a torn last line (a crash in the middle of an append) is
 * dropped with them, while a bad line elsewhere is an error naming file and line.
 */
import { existsSync, promises as fs } from 'node:fs';
import { writeFileAtomic } from './atomic-file.js';

/** Appends one record as a line. */
export async function appendMetrics(file: string, record: object): Promise<void> {
  await fs.appendFile(file, `${JSON.stringify(record)}\n`);
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
    try {
      records.push(JSON.parse(line) as R);
    } catch {
      const last = i === lines.length - 1 || lines.slice(i + 1).every((l) => l.trim() === '');
      if (!last) throw new Error(`${file}:${i + 1}: not a JSON record (the file was edited or damaged)`);
    }
  });
  return records;
}

/** Keeps the records of epochs ≤ `lastEpoch` (rewriting the file atomically, without a torn tail); no file: nothing to do. */
export async function trimMetrics(file: string, lastEpoch: number): Promise<void> {
  if (!existsSync(file)) return;
  const kept = (await readMetrics(file)).filter((r) => r.epoch <= lastEpoch);
  await writeFileAtomic(file, kept.map((r) => `${JSON.stringify(r)}\n`).join(''));
}
