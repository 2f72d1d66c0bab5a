/**
 * The files of a run directory: which a run writes (a new run refuses a directory holding others), which binaries
 * belong to a checkpoint, and the clean-up of what interrupted writes and lock takes left.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isAtomicTemp, isStaleAtomicTemp } from './atomic-file.js';
import { isLeftStagedLock, isLockLeftover } from './run-lock.js';

/**
 * Whether `name` is a binary written for checkpoint `stem`: this version's `<stem>-<id>.bin`, the id being the time
 * in base 36 and six hex digits (saveCheckpoint), or version 1's `<stem>.bin`. A user's `best-model.bin` is not one.
 */
export function isBinaryOf(stem: string, name: string): boolean {
  return name === `${stem}.bin` || new RegExp(`^${stem}-[0-9a-z]{8,9}[0-9a-f]{6}\\.bin$`).test(name);
}

/** The files and folders kgdistill writes in a run directory (checkpoints, their temporaries, logs, lookup indexes, plots). */
const RUN_FILES = new Set(['config.json', 'metrics.jsonl', 'result.json', '.lock', 'best.json', 'last.json', 'lookup', 'curves.svg', 'teachers.json']);

/** The entries of `dir` that no run writes (none when it does not exist): a new run refuses such a directory. */
export async function foreignFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  // leftover binaries and temporaries are a run's only beside a run's own files (else `cleanRunDir` would delete a user's)
  const holdsRun = names.some((name) => ['config.json', 'metrics.jsonl', 'best.json', 'last.json'].includes(name));
  const leftover = (name: string): boolean => holdsRun && (isAtomicTemp(name) || isBinaryOf('best', name) || isBinaryOf('last', name) || isLockLeftover(name));
  return names.filter((name) => !RUN_FILES.has(name) && !leftover(name)).sort();
}

/**
 * Removes what interrupted writes left in a run directory: temporary files of atomic writes whose writer is gone (a
 * live process's is a write under way, e.g. `kgdistill plot` writing curves.svg while the run is resumed), staged
 * copies of the lock whose process is gone, and checkpoint binaries that no header names. Returns the names removed. A header that exists but cannot be read is an error
 * naming it (atomic writes never leave one half-written: it was damaged), and nothing is removed.
 */
export async function cleanRunDir(dir: string, stems: readonly string[] = ['best', 'last']): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const referenced = new Set<string>();
  for (const stem of stems) {
    const file = path.join(dir, `${stem}.json`);
    if (!names.includes(`${stem}.json`)) continue; // no header: its binaries are not referenced
    let header: { binary?: { file?: unknown } };
    try {
      header = JSON.parse(await fs.readFile(file, 'utf8')) as { binary?: { file?: unknown } };
    } catch (error) {
      throw new Error(`${file}: not a readable checkpoint header (${(error as Error).message}); the run directory is left as it is`);
    }
    if (typeof header.binary?.file === 'string') referenced.add(header.binary.file);
  }
  const removed = names.filter((name) => isStaleAtomicTemp(name) || isLeftStagedLock(path.join(dir, name)) || (stems.some((stem) => isBinaryOf(stem, name)) && !referenced.has(name)));
  for (const name of removed) await fs.rm(path.join(dir, name), { force: true });
  return removed;
}
