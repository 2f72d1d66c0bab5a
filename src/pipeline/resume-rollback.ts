/**
 * What a resumed session puts back when it fails before saving a checkpoint: the run files it rewrites at its start
 * (config.json from the effective options, teachers.json when missing, metrics.jsonl tidied to the checkpoint's
 * epochs), so that a failed resume leaves the run exactly as it was. Once the session has saved a checkpoint (last.json
 * changed), its files describe that checkpoint and stay.
 */
import path from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { writeFileAtomic } from '../core/atomic-file.js';

/** The files a resumed session rewrites before its first checkpoint. */
const REWRITTEN = ['config.json', 'teachers.json', 'metrics.jsonl'];

/** The bytes of a file, or null when it does not exist. */
function bytesOf(file: string): Buffer | null {
  return existsSync(file) ? readFileSync(file) : null;
}

/** A resumed run's rewritten files as they were when the session started. */
export class ResumedFiles {
  private constructor(private readonly runDir: string, private readonly last: Buffer | null, private readonly files: Map<string, Buffer | null>) {}

  /** Reads them (before anything of the session is written). */
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
