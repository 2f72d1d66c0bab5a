import type { SplitName } from './types.js';

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

/**
 * Where loadDataset was when a bound was passed: the split, the entities train named (valid and test only), whether
 * the valid split was known to have a triple, and the option whose bound it was.
 */
export interface LimitContext {
  split: SplitName;
  trainEntities?: number;
  withValid: boolean;
  option?: 'maxEntities' | 'maxEntitiesWithValid';
}

/**
 * A split whose reading brought the vocabulary past the most entities the caller allows (`LoadOptions.maxEntities`,
 * or `maxEntitiesWithValid`): thrown at the line that named one entity too many, with the counts read so far, so the
 * caller can say why in its words.
 */
export class EntityLimitError extends KgInputError {
  /** 1-based line of the triple that passed the bound (always set). */
  declare readonly line: number;
  /** Entities named up to and including this line. */
  readonly entities: number;
  /** Relations named so far. */
  readonly relations: number;
  /** The most entities allowed. */
  readonly limit: number;
  /** The split being read (`loadDataset` names it; a lone file read by `readTripleIds` has none). */
  readonly split?: SplitName;
  /** The entities the train split named, read whole before valid and test: set when the bound was passed in one of those. */
  readonly trainEntities?: number;
  /** Whether the valid split was known to have a triple when the bound was passed (so `maxEntitiesWithValid`, when given and lower, applied); false for a lone file. */
  readonly withValid: boolean;

  /** Creates the error: `file:line: <entities> entities named by this line, more than the <limit> allowed (<option>); reading stopped`. */
  constructor(file: string, line: number, entities: number, relations: number, limit: number, context?: LimitContext) {
    super(file, line, `${entities.toLocaleString('en-US')} entities named by this line, more than the ${limit.toLocaleString('en-US')} allowed (${context?.option ?? 'maxEntities'}); reading stopped`);
    this.name = 'EntityLimitError';
    this.entities = entities;
    this.relations = relations;
    this.limit = limit;
    this.withValid = context?.withValid ?? false;
    if (context !== undefined) this.split = context.split;
    if (context?.trainEntities !== undefined) this.trainEntities = context.trainEntities;
  }

  /** The same error, saying where loadDataset was when the bound was passed. */
  inContext(context: LimitContext): EntityLimitError {
    return new EntityLimitError(this.file, this.line, this.entities, this.relations, this.limit, context);
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
  EDQUOT: 'disk quota exceeded',
  EFBIG: "file too large (for the file system, or the process's file-size limit, ulimit -f)",
  EROFS: 'on a read-only file system',
};

/** A file-system error in plain words with its code ("no space left on the device (ENOSPC)"), else its own message (which leads with the code). */
export function fileErrorWords(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const words = code === undefined ? undefined : FILE_ERROR_WORDS[code];
  return words ? `${words} (${code})` : error instanceof Error ? error.message : String(error);
}

/**
 * A write to `file` that failed, as one line naming the file and the reason in plain words (`doing`: "cannot write",
 * then `outcome`, e.g. "; the old file is kept"); an error that is not the file system's (no code) is returned as is.
 */
export function fileWriteError(file: string, error: unknown, doing = 'cannot write', outcome = ''): Error {
  if (typeof (error as NodeJS.ErrnoException | undefined)?.code !== 'string') return error instanceof Error ? error : new Error(String(error));
  return new Error(`${file}: ${doing}: ${fileErrorWords(error)}${outcome}`, { cause: error });
}

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
    case 'ESPIPE': // /dev/stdin, <(zcat x.gz): the readers read a file by position (the delimiter is sniffed from its start first)
      return 'is a pipe, not a file: kgdistill reads triple files by position, so save the triples to a file first (e.g. zcat x.gz > x.tsv)';
    case 'ERR_STRING_TOO_LONG': // a line the readers did not stop at (they name it: name-limits.ts's MAX_LINE_BYTES)
      return 'cannot read file: it has a line longer than the longest text Node can hold (0x1fffffe8 characters, 512 MiB): is a line ending missing?';
    default:
      return `cannot read file (${error instanceof Error ? error.message : String(error)})`;
  }
}
