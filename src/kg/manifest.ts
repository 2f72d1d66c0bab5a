/**
 * Verification of a dataset directory against its `SHA256SUMS` file (format of `sha256sum`: `<hex>  <file>`,
 * or `<hex> *<file>` in binary mode).
 *
 * Every listed file is hashed on every load, as pooch does: a file damaged in place keeps its size, and its mtime
 * when anything (a restore, `touch -r`, bit rot on the medium) puts it back, so a cache keyed on them would vouch for
 * a wrong dataset. The cost is small beside reading the files: 20-60 ms for FB15k-237's 24 MB, 10-35 ms for WN18RR's
 * 4.3 MB (2 busy cores), against 150-380 ms to load them. A bad file names itself and how to repair it: a fetched
 * benchmark is fetched again (`kgdistill data fetch <name> --force --dir <its parent>`).
 */
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { KgInputError, describeFileError } from './errors.js';
import { recipeFor } from './dataset-recipes.js';

/** Name of the checksum file looked for in a dataset directory. */
export const MANIFEST_FILE = 'SHA256SUMS';

/** Outcome of {@link verifyManifest}: `verified` when a manifest existed and every file it lists matched. */
export interface ManifestResult {
  verified: boolean;
  /** The absolute paths of the files the manifest lists (each verified), when it was found. */
  listed?: string[];
}

/** Parses a `SHA256SUMS` text into (file name, lower-case hex digest) pairs; bad lines are input errors. */
export function parseManifest(text: string, manifestFile: string): { file: string; sha256: string }[] {
  const entries: { file: string; sha256: string }[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line);
    if (!match) throw new KgInputError(manifestFile, i + 1, 'expected "<64 hex digits>  <file name>"');
    entries.push({ sha256: match[1]!.toLowerCase(), file: match[2]! });
  }
  return entries;
}

/** SHA-256 of a file as lower-case hex, streamed. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Checks every file listed in `dir/SHA256SUMS`; a missing file or checksum mismatch throws {@link KgInputError}.
 * Without a manifest returns `{ verified: false }`.
 */
export async function verifyManifest(dir: string): Promise<ManifestResult> {
  const manifestFile = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(manifestFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { verified: false };
    throw new KgInputError(manifestFile, undefined, describeFileError(error), { cause: error });
  }
  const entries = parseManifest(text, manifestFile);

  const outcomes = await Promise.allSettled(
    entries.map(async ({ file, sha256: expected }) => {
      const absolute = path.resolve(dir, file);
      try {
        await stat(absolute);
      } catch (error) {
        throw new KgInputError(absolute, undefined, `listed in ${MANIFEST_FILE} but ${describeFileError(error)}`, { cause: error });
      }
      let actual: string;
      try {
        actual = await sha256File(absolute);
      } catch (error) {
        throw new KgInputError(absolute, undefined, describeFileError(error), { cause: error });
      }
      if (actual !== expected) {
        throw new KgInputError(absolute, undefined, `bad checksum: SHA-256 is ${actual}, ${MANIFEST_FILE} says ${expected}; ${repairHint(dir, file, expected)}`);
      }
    }),
  );
  const failure = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failure) throw (failure as PromiseRejectedResult).reason;
  return { verified: true, listed: entries.map(({ file }) => path.resolve(dir, file)) };
}

/** `text` quoted for a POSIX shell when it holds anything but letters, digits and `_./:=@%+,-`. */
function shellWord(text: string): string {
  return /^[\w./:=@%+,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * How to repair `file` of `dir`, which fails its checksum: a copy of a benchmark kgdistill fetches (the directory is
 * named after it and the checksum is the package's) is fetched again into the same place; any other is restored.
 */
function repairHint(dir: string, file: string, expected: string): string {
  const name = path.basename(path.resolve(dir));
  const recipe = recipeFor(name)?.name === name ? recipeFor(name) : undefined; // `data fetch --dir` makes <dir>/<name>
  let shipped: string | undefined;
  try {
    if (recipe) shipped = parseManifest(readFileSync(recipe.checksumsFile(), 'utf8'), recipe.checksumsFile()).find((entry) => entry.file === file)?.sha256;
  } catch {
    // no packaged checksums to compare with: the general advice
  }
  if (recipe && shipped === expected) {
    const parent = path.dirname(path.resolve(dir));
    return `the file is damaged: fetch the dataset again with \`kgdistill data fetch ${recipe.name} --force --dir ${shellWord(parent)}\``;
  }
  return `the file was changed or damaged since ${MANIFEST_FILE} was written: restore it from where it came from (or, if the change is meant, write ${MANIFEST_FILE} again)`;
}
