/**
 * What the command line prints for an error: its message, or — for a file-system error from Node (ENOENT, EISDIR, …,
 * whose own text names a system call and perhaps a temporary file) — the path the user gave and what is wrong with it.
 */
import path from 'node:path';
import { FILE_ERROR_WORDS } from '../kg/errors.js';
import { MakeDirectoryError, SPECIAL_DIRECTORY_WORDS } from '../kg/make-directory.js';
import { isDirectory } from '../kg/resolve-dataset.js';

/**
 * The name a temporary stands for, or undefined when `base` is no temporary's: a new directory's staging
 * (`.<name>.tmp-<pid>-XXXXXX`, mkdtemp's six characters; `.<name>.tmp-XXXXXX`), an older atomic write's
 * (`.<name>.tmp-<pid>-<n>`) and an atomic write's (`<name>.tmp-<pid>-<n>`, core/atomic-file.ts).
 */
function targetName(base: string): string | undefined {
  const dotted = /^\.(.+)\.tmp-(?:\d+-\d+|(?:\d+-)?[A-Za-z0-9]{6})$/.exec(base);
  if (dotted) return dotted[1];
  return /^(.+)\.tmp-\d+-\d+$/.exec(base)?.[1];
}

/** The file or directory a write was for, given its temporary's path (the path itself when it is no temporary's). */
function targetOfTemporary(file: string): string {
  const target = targetName(path.basename(file));
  return target === undefined ? file : path.join(path.dirname(file), target);
}

/** The line to print for `error` (without the `kgdistill: ` prefix). */
export function errorMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const system = error as Error & { code?: unknown; path?: unknown; dest?: unknown };
  const words = typeof system.code === 'string' ? FILE_ERROR_WORDS[system.code] : undefined;
  const file = typeof system.dest === 'string' ? system.dest : system.path;
  if (words === undefined || typeof file !== 'string') return error.message;
  const target = targetOfTemporary(file);
  // a temporary that could not be made in a directory that exists: the directory takes no new entries (/proc, /sys)
  if (target !== file && system.code === 'ENOENT' && isDirectory(path.dirname(file))) {
    return new MakeDirectoryError(target, path.dirname(file), SPECIAL_DIRECTORY_WORDS).message; // make-directory.ts's words
  }
  return `${target}: ${words}`;
}
