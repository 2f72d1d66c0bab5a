/**
 * What a failed session leaves, decided while it still holds the run's lock (so no other process can start in the
 * directory meanwhile): a new run that made its directory and failed before its first checkpoint leaves none; a
 * resumed session that failed before saving a checkpoint puts back the run files it rewrote at its start (config.json
 * from the effective options, teachers.json when missing, metrics.jsonl tidied to the checkpoint's epochs), so the run
 * is exactly as it was. Once a session has saved a checkpoint (last.json changed), its files describe it and stay.
 */
import path from 'node:path';
import { existsSync, readFileSync, rmdirSync } from 'node:fs';
import { rename, rm, rmdir } from 'node:fs/promises';
import { writeFileAtomic } from '../core/atomic-file.js';
import { foreignFiles } from '../core/run-dir-files.js';
import { lockRunDir, runLockHolder, type RunLock } from '../core/run-lock.js';

/** The files a resumed session rewrites before its first checkpoint. */
const REWRITTEN = ['config.json', 'teachers.json', 'metrics.jsonl'];

/** The bytes of a file, or null when it does not exist. */
function bytesOf(file: string): Buffer | null {
  return existsSync(file) ? readFileSync(file) : null;
}

/** A resumed run's rewritten files as they were when the session started. */
export class ResumedFiles {
  private constructor(private readonly runDir: string, private readonly last: Buffer | null, private readonly files: Map<string, Buffer | null>) {}

  /** Reads them (once the session holds the lock, before it writes anything). */
  static read(runDir: string): ResumedFiles {
    return new ResumedFiles(runDir, bytesOf(path.join(runDir, 'last.json')), new Map(REWRITTEN.map((name) => [name, bytesOf(path.join(runDir, name))])));
  }

  /** After an error: unless a checkpoint was saved since, writes back each file that changed (removes one that was not there). */
  async putBackAfterError(): Promise<void> {
    const last = bytesOf(path.join(this.runDir, 'last.json'));
    if (!(last && this.last && last.equals(this.last))) return;
    for (const [name, before] of this.files) {
      const file = path.join(this.runDir, name);
      const now = bytesOf(file);
      if (before === null) await rm(file, { force: true });
      else if (!(now && now.equals(before))) await writeFileAtomic(file, before);
    }
  }
}

/**
 * After a new run failed, with its lock still held: removes the directory it created (`runDir`) when that holds no
 * checkpoint (last.json or best.json: nothing to resume or evaluate) and only a run's own files (config.json,
 * teachers.json, metrics, the lock, temporaries: checkpoint.ts foreignFiles), by renaming it aside first, so the path
 * is gone at once; else leaves it, or at least removes it when empty. A directory whose lock another live process
 * holds is never touched. Never throws.
 */
export async function removeUnstartedRun(runDir: string): Promise<void> {
  const holder = runLockHolder(runDir);
  if (holder && holder.pid !== process.pid) return;
  const checkpointed = ['last.json', 'best.json'].some((file) => existsSync(path.join(runDir, file)));
  const foreign = await foreignFiles(runDir).catch(() => ['?']);
  if (checkpointed || foreign.length > 0) {
    await rmdir(runDir).catch(() => undefined);
    return;
  }
  const aside = `${runDir}.removing-${process.pid}-${Date.now()}`;
  try {
    await rename(runDir, aside);
  } catch {
    return; // left as it is: nothing of it is lost
  }
  await rm(aside, { recursive: true, force: true }).catch(() => undefined);
}

/** The run directory's lock; when it cannot be taken (a full disk, another process), a directory this run made and left empty goes too. */
export function lockOrLeaveNothing(runDir: string, createdDir: boolean, log: (line: string) => void): RunLock {
  try {
    return lockRunDir(runDir, (notice) => log(`note: ${notice}`));
  } catch (error) {
    // rmdir removes only an empty directory: one another process holds keeps its lock file, and stays
    if (createdDir) try { rmdirSync(runDir); } catch { /* not empty, or gone */ }
    throw error;
  }
}
