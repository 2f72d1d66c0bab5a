/**
 * The one error type for bad knowledge-graph input: wrong number of fields, empty field, unreadable or missing
 * file, missing split, bad checksum, malformed vocabulary. The message names the file, the line (when there is
 * one) and the reason, compiler-style: `train.txt:17: expected 3 fields, found 2`.
 */
export class KgInputError extends Error {
  /** The file (or directory) the problem is in, as given by the caller. */
  readonly file: string;
  /** 1-based line number, when the problem is on a line. */
  readonly line?: number;
  /** What is wrong, without the file and line prefix. */
  readonly reason: string;

  /** Creates the error; the message is `file:line: reason` (or `file: reason` without a line). */
  constructor(file: string, line: number | undefined, reason: string, options?: { cause?: unknown }) {
    super(line === undefined ? `${file}: ${reason}` : `${file}:${line}: ${reason}`, options);
    this.name = 'KgInputError';
    this.file = file;
    if (line !== undefined) this.line = line;
    this.reason = reason;
  }
}

/** Plain words for the file-system error codes a user meets (ENOENT, ENOTDIR, …), whatever the operation. */
export const FILE_ERROR_WORDS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of this path is a file where a directory is needed',
  EISDIR: 'is a directory where a file is needed',
  EEXIST: 'already exists (as a file where a directory is needed?)',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the device',
  EROFS: 'on a read-only file system',
};

/** Turns a Node file-system error into a human reason such as "file not found". */
export function describeFileError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'file not found';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied, cannot read file';
    case 'EISDIR':
      return 'is a directory, expected a file';
    default:
      return `cannot read file (${error instanceof Error ? error.message : String(error)})`;
  }
}
