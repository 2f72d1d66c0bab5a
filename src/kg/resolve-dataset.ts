/**
 * Finding a dataset directory on this machine from a name (`FB15k-237`) or a path (`./my-kg`). Nothing is
 * downloaded here: `resolveDataset` (fetch-dataset.ts) adds the download of a known benchmark found nowhere.
 *
 * Order: an existing directory at the given path wins; otherwise, for a bare name, `$KGDISTILL_DATA/<name>`
 * (a list separated by the platform's path delimiter is accepted), `<cwd>/data/<name>`, `<package root>/data/<name>`,
 * `<package root>/../shared/data/<name>` (the repository's layout: a `shared/` beside the clone; skipped when the
 * package is installed, inside `node_modules`, where it would be another package's folder),
 * `<cwd>/../shared/data/<name>` (both skipped when `KGDISTILL_NO_SHARED=1`, which shows what a fresh clone sees) and
 * the user cache's `datasets/<name>` (where `data fetch` puts it). A
 * candidate counts only when it holds all three split files (`train`, `valid`, `test` with extension `.txt`,
 * `.tsv` or `.csv`), so the repository's README-only `data/<name>/` is skipped. Names of fetchable benchmarks are
 * matched case-insensitively (`wn18rr` finds `WN18RR`).
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { SPLIT_NAMES, type SplitName } from './types.js';
import { KgInputError } from './errors.js';
import { insideNodeModules, packageRoot } from './package-root.js';
import { cachedDatasetsDir, dataRootsFromEnv } from './user-cache.js';
import { DATASET_RECIPES, canonicalDatasetName, recipeFor } from './dataset-recipes.js';

export { packageRoot } from './package-root.js';
export { SPLIT_NAMES }; // its home is types.ts, beside SplitName

/** Accepted split file extensions, in order of preference. */
export const SPLIT_EXTENSIONS: readonly string[] = ['.txt', '.tsv', '.csv'];

/** A resolved dataset: its name (the directory's base name) and absolute directory. */
export interface ResolvedDataset {
  name: string;
  dir: string;
}

/** True when `file` exists and is a directory. */
export function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

/** True when `file` exists and is a regular file. */
function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The split files present in `dir` (first matching extension per split); absent splits are left out. */
export function findSplitFiles(dir: string): Partial<Record<SplitName, string>> {
  const found: Partial<Record<SplitName, string>> = {};
  for (const split of SPLIT_NAMES) {
    for (const extension of SPLIT_EXTENSIONS) {
      const file = path.join(dir, split + extension);
      if (isFile(file)) {
        found[split] = file;
        break;
      }
    }
  }
  return found;
}

/**
 * The three split files of `dir`; a missing one throws {@link KgInputError} ("missing split test ..."), and so do two
 * files of one split (`train.txt` and `train.tsv`: which one the user means cannot be guessed).
 */
export function requireSplitFiles(dir: string): Record<SplitName, string> {
  const found: Partial<Record<SplitName, string>> = {};
  for (const split of SPLIT_NAMES) {
    const files = SPLIT_EXTENSIONS.map((extension) => split + extension).filter((name) => isFile(path.join(dir, name)));
    if (files.length === 0) throw missingSplitError(dir, split);
    if (files.length > 1) throw new KgInputError(dir, undefined, `${files.length} files of the ${split} split (${files.join(', ')}): keep one, since only one can be read`);
    found[split] = path.join(dir, files[0]!);
  }
  return found as Record<SplitName, string>;
}

/** The reason of the error for a dataset directory given as a path that does not exist. */
export const DATASET_DIRECTORY_NOT_FOUND = 'dataset directory not found';

/** The first split (train, valid, test) that `dir` has no file for ('train' when it has all). */
function firstMissingSplit(dir: string): SplitName {
  const found = findSplitFiles(dir);
  return SPLIT_NAMES.find((split) => !found[split]) ?? 'train';
}

/**
 * The error for a split of `dir` without a file: `<dir>/test.txt: is a directory, expected a file` when a split name
 * is taken by a directory, else "missing split" listing the names tried (`more`: text to add to its reason).
 */
function missingSplitError(dir: string, split: SplitName, more = ''): KgInputError {
  const taken = SPLIT_EXTENSIONS.map((extension) => path.join(dir, split + extension)).find(isDirectory);
  if (taken) return new KgInputError(taken, undefined, `is a directory, expected a file${more}`);
  return new KgInputError(dir, undefined, `${missingSplitReason(split)}${more}`);
}

/** Reason text for a missing split, listing the file names tried. */
function missingSplitReason(split: SplitName): string {
  const tried = SPLIT_EXTENSIONS.map((extension) => split + extension);
  return `missing split "${split}" (no ${tried.slice(0, -1).join(', ')} or ${tried.at(-1)})`;
}

/** True when the spec is written as a path rather than a bare dataset name. */
export function looksLikePath(spec: string): boolean {
  return path.isAbsolute(spec) || spec.includes('/') || spec.includes(path.sep) || spec === '.' || spec === '..';
}

/** True when `KGDISTILL_NO_SHARED` asks to ignore `../shared/data` (to see what a machine without it sees). */
export function sharedDataIgnored(): boolean {
  const value = process.env.KGDISTILL_NO_SHARED?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== '0' && value !== 'false';
}

/**
 * Candidate directories for a bare dataset name, in search order, without duplicates (`root`: kgdistill's package
 * root; its `../shared/data` is searched only in a clone, not when installed inside `node_modules`).
 */
export function candidateDirs(name: string, cwd: string, root: string | undefined = packageRoot()): string[] {
  const candidates = dataRootsFromEnv(cwd).map((dir) => path.join(dir, name));
  candidates.push(path.resolve(cwd, 'data', name));
  if (root) candidates.push(path.resolve(root, 'data', name));
  if (!sharedDataIgnored()) {
    if (root && !insideNodeModules(root)) candidates.push(path.resolve(root, '..', 'shared', 'data', name));
    candidates.push(path.resolve(cwd, '..', 'shared', 'data', name));
  }
  candidates.push(path.join(cachedDatasetsDir(), name));
  return [...new Set(candidates)];
}

/** Why a candidate directory does not count, or undefined when it holds all three splits. */
function rejection(dir: string): string | undefined {
  if (!isDirectory(dir)) return 'no such directory';
  const found = findSplitFiles(dir);
  const missing = SPLIT_NAMES.filter((split) => !found[split]);
  if (missing.length === 0) return undefined;
  if (missing.length === SPLIT_NAMES.length) return 'no train/valid/test files';
  return `missing split ${missing.join(', ')}`;
}

/** The last line of a "not found" error: the command that fetches a known benchmark, or the names it knows. */
export function fetchHint(spec: string): string {
  const recipe = looksLikePath(spec) ? undefined : recipeFor(spec);
  if (recipe) return `run \`kgdistill data fetch ${recipe.name}\` to download it`;
  return `(kgdistill data fetch downloads ${DATASET_RECIPES.map((r) => r.name).join(' and ')}; any directory with train/valid/test files can be given as a path)`;
}

/**
 * Resolves a dataset name or directory to `{ name, dir }` (see the module comment for the search order).
 * Throws {@link KgInputError} listing every place searched when nothing fits.
 */
export function resolveDatasetDir(spec: string, options: { cwd?: string } = {}): ResolvedDataset {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  if (spec.trim() === '') throw new KgInputError('(dataset)', undefined, 'empty dataset name');
  const searched: string[] = [];
  const explicit = path.resolve(cwd, spec);

  const explicitWhy = rejection(explicit);
  if (explicitWhy !== 'no such directory') {
    if (explicitWhy === undefined) return { name: path.basename(explicit), dir: explicit };
    if (looksLikePath(spec)) {
      if (explicitWhy === 'no train/valid/test files') {
        throw new KgInputError(explicit, undefined, `${explicitWhy} (expected train.txt, valid.txt and test.txt; .tsv or .csv also accepted)`);
      }
      throw missingSplitError(explicit, firstMissingSplit(explicit));
    }
    searched.push(`${explicit} (${explicitWhy})`);
  } else if (looksLikePath(spec)) {
    if (existsSync(explicit)) {
      throw new KgInputError(explicit, undefined, 'is a file, not a dataset directory: give the directory that holds train, valid and test (kgdistill data split makes them from one file of triples)');
    }
    throw new KgInputError(explicit, undefined, DATASET_DIRECTORY_NOT_FOUND);
  }

  // The name as written, then its canonical spelling when it is a fetchable benchmark's (`wn18rr` → `WN18RR`).
  const seen = new Set([explicit]);
  for (const name of new Set([spec.trim(), canonicalDatasetName(spec.trim())])) {
    for (const dir of candidateDirs(name, cwd)) {
      if (seen.has(dir)) continue;
      seen.add(dir);
      const why = rejection(dir);
      if (why === undefined) return { name, dir };
      searched.push(`${dir} (${why})`);
    }
  }
  // a directory here with some splits but not all: its missing split first (the user most likely meant it)
  if (explicitWhy?.startsWith('missing split')) {
    throw missingSplitError(explicit, firstMissingSplit(explicit), `; no other dataset named '${spec}' was found either (searched:\n  ${searched.join('\n  ')})`);
  }
  // a name that is a file here (`--dataset triples.txt`): say so before the places searched
  const file = existsSync(explicit) && !isDirectory(explicit)
    ? `${explicit} is a file, not a dataset directory: give the directory that holds train, valid and test (kgdistill data split makes them from one file of triples)\n`
    : '';
  throw new KgInputError(spec, undefined, `dataset not found; ${file}searched:\n  ${searched.join('\n  ')}\n${fetchHint(spec)}`);
}
