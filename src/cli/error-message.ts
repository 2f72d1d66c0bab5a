/**
 * What the command line prints for an error: its message, or — for a file-system error from Node (ENOENT, EISDIR, …,
 * whose own text names a system call and perhaps a temporary file) — the path the user gave and what is wrong with it.
 */
import path from 'node:path';
import { FILE_ERROR_WORDS } from '../kg/errors.js';


/** The file or directory an atomic write was for, given its temporary's name (`.<name>.tmp-<pid>-<n>`, `.<name>.tmp-XXXXXX`). */
function targetOfTemporary(file: string): string {
  const base = path.basename(file);
  const target = base.replace(/^\.(.+)\.tmp-(\d+-\d+|[\w]{6})$/, '$1');
  return target === base ? file : path.join(path.dirname(file), target);
}

/** The line to print for `error` (without the `kgdistill: ` prefix). */
export function errorMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const system = error as Error & { code?: unknown; path?: unknown; dest?: unknown };
  const words = typeof system.code === 'string' ? FILE_ERROR_WORDS[system.code] : undefined;
  const file = typeof system.dest === 'string' ? system.dest : system.path;
  if (words === undefined || typeof file !== 'string') return error.message;
  return `${targetOfTemporary(file)}: ${words}`;
}
