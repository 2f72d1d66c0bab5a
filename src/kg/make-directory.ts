/**
 * Creating a directory and its missing parents without Node's `mkdir(dir, { recursive: true })`, which never
 * returns on a file system that answers ENOENT for a directory it cannot hold (`/proc/x/y` on Linux: Node makes the
 * parent again, finds it there, and tries the child again, for ever; Node 20). Here each missing directory is made
 * once, top down, and a failure names the directory that exists and could not take the new one.
 */
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileErrorWords } from './errors.js';

/** Words for an existing directory that refuses new entries with ENOENT (/proc, /sys and other special file systems). */
export const SPECIAL_DIRECTORY_WORDS = 'accepts no new files or directories (a special file system such as /proc or /sys?)';

/** A directory that could not be made: `dir`, inside `parent` (the deepest directory that exists), and why. */
export class MakeDirectoryError extends Error {
  /** Creates the error; the message is `<parent>: cannot create <dir> there: <reason>`. */
  constructor(readonly dir: string, readonly parent: string, readonly reason: string, options?: { cause?: unknown }) {
    super(`${parent}: cannot create ${dir} there: ${reason}`, options);
    this.name = 'MakeDirectoryError';
  }
}

/** The error code of a file-system error, if any. */
const codeOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

/** Whether `dir` exists and is a directory. */
async function isDirectory(dir: string): Promise<boolean> {
  return (await stat(dir).catch(() => undefined))?.isDirectory() ?? false;
}

/**
 * The reason an existing directory gave for refusing a new entry: ENOENT there means a special file system (see
 * {@link SPECIAL_DIRECTORY_WORDS}), other codes in plain words.
 */
export async function refusalWords(parent: string, error: unknown): Promise<string> {
  return codeOf(error) === 'ENOENT' && (await isDirectory(parent)) ? SPECIAL_DIRECTORY_WORDS : fileErrorWords(error);
}

/**
 * Makes `dir` and its missing parents (nothing when it is a directory already); a failure throws
 * {@link MakeDirectoryError}, a path through a file the file system's ENOTDIR or EEXIST error.
 */
export async function makeDirectories(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    const found = await stat(current).then((s) => s, (error: unknown) => {
      if (codeOf(error) !== 'ENOENT') throw error;
      return undefined;
    });
    if (found) {
      if (!found.isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${dir}'`), { code: 'ENOTDIR', path: current });
      break;
    }
    missing.push(current);
    if (path.dirname(current) === current) break;
  }
  for (const next of missing.reverse()) {
    try {
      await mkdir(next);
    } catch (error) {
      if (codeOf(error) === 'EEXIST' && (await isDirectory(next))) continue; // made meanwhile by another process
      const parent = path.dirname(next);
      throw new MakeDirectoryError(next, parent, await refusalWords(parent, error), { cause: error });
    }
  }
}
