/**
 * What processes killed while writing left behind: entries of a directory whose names carry their writer's pid
 * (staging directories of new directories, hnswlib's temporary files). A later writer removes those of writers no
 * longer running; a live writer's are left alone.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isProcessRunning } from './process-running.js';

/**
 * Removes the entries of `dir` whose writer — `writerOf(name)`: a pid, or undefined for entries of another kind — is
 * another process of this host, no longer running. A failure to remove one is left for a later writer.
 */
export async function removeLeftByGoneWriters(dir: string, writerOf: (name: string) => number | undefined): Promise<void> {
  for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
    const pid = writerOf(name);
    if (pid === undefined || pid === process.pid || isProcessRunning(pid)) continue;
    await fs.rm(path.join(dir, name), { recursive: true, force: true }).catch(() => undefined);
  }
}
