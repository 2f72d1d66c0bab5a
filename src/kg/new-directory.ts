/**
 * A new directory written whole or not at all — a generated or split dataset, an export: the files go into a staging
 * directory beside the target, which is renamed into place once complete and removed on any failure.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import { makeDirectories } from './make-directory.js';
import path from 'node:path';
import { removeLeftByGoneWriters } from './gone-writers.js';
import { fileWriteError } from './errors.js';

/** What an empty output directory is refused with, naming it as `name` (`--out` on the command line, `out` in code). */
export function emptyOutMessage(name = '--out'): string {
  return `${name} is empty: give a new directory (nothing was written)`;
}

/** Refuses an output directory (`name`: how it is named) that is empty (it would resolve to the working directory), a file or a non-empty directory. */
export function requireNewOutDir(out: string, name = '--out'): void {
  if (out.trim() === '') throw new Error(emptyOutMessage(name)); // it would resolve to the working directory
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory()) throw new Error(`${name} ${out}: is a file; give a new directory (nothing was written)`);
  if (readdirSync(out).length > 0) throw new Error(`${name} ${out}: exists and is not empty; choose a new directory (nothing was written)`);
}

/**
 * Makes `target` (and its parents) with what `fill` writes into the staging directory it is given. An existing empty
 * `target` is replaced; a file or a non-empty directory there is refused, naming it as `shown`, and nothing is written.
 */
export async function writeNewDirectory(target: string, fill: (staging: string) => Promise<void>, shown = target): Promise<void> {
  await makeDirectories(path.dirname(target));
  const prefix = `.${path.basename(target)}.tmp-`;
  await removeLeftByGoneWriters(path.dirname(target), (name) => {
    const pid = name.startsWith(prefix) ? /^(\d+)-[^-]+$/.exec(name.slice(prefix.length))?.[1] : undefined;
    return pid === undefined ? undefined : Number(pid);
  });
  // the writer's pid in the name lets a later writer tell a killed one's leftovers from a live one's staging
  const template = path.join(path.dirname(target), `${prefix}${process.pid}-`);
  const staging = await fs.mkdtemp(template).catch((error: unknown) => { throw writeError(shown, template, error); });
  try {
    // mkdtemp makes it 0700 whatever the umask, a mode the rename would keep: give it a new directory's mode
    await fs.chmod(staging, 0o777 & ~process.umask());
    await fill(staging);
    try {
      await fs.rmdir(target); // only an empty directory goes
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR') {
        throw new Error(`${shown}: exists and is not an empty directory; nothing was written`, { cause: error });
      }
      if (code !== 'ENOENT') throw error;
    }
    await fs.rename(staging, target);
  } catch (error) {
    await fs.rm(staging, { recursive: true, force: true }).catch(() => undefined); // the write's own error is the one to report
    throw writeError(shown, staging, error, target);
  }
}

/**
 * A system error of writing the new directory `shown` (a full disk, a read-only file system, permission denied) as one
 * line naming it in plain words — its own text names a system call and perhaps the staging directory (`staging`,
 * a path under which counts as `shown`'s) or the target (`target`, an empty one being replaced); other errors, and one
 * about another file (an input read meanwhile), as they are.
 */
function writeError(shown: string, staging: string, error: unknown, target = shown): unknown {
  const system = error as NodeJS.ErrnoException | undefined;
  if (typeof system?.syscall !== 'string' || typeof system.code !== 'string') return error;
  // the staging directory and what is under it, and the target itself (an empty one replaced: rmdir, rename) are this write's
  const own = (file: string): boolean => path.resolve(file).startsWith(path.resolve(staging)) || path.resolve(file) === path.resolve(target);
  if (typeof system.path === 'string' && !own(system.path)) return error;
  return fileWriteError(shown, error, 'cannot write', '; nothing was written');
}
