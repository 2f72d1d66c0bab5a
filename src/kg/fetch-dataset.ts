/**
 * Fetching a benchmark dataset by name into the cache (`kgdistill data fetch <name>`, and the first use of a
 * name found nowhere on this machine), the way PyKEEN users expect.
 *
 * The remote files of the dataset's recipe (dataset-recipes.ts) are downloaded into a fresh temporary directory
 * inside the cache root (`.partial-<name>-<pid>-…`), turned into the dataset's files, checked against the
 * SHA256SUMS this package ships (`data/<name>/SHA256SUMS`), and only then renamed into place as `<root>/<name>`:
 * a failure at any step removes the temporary directory, so the cache never holds a half-written dataset, and the
 * next fetch starts afresh (leftovers of a killed process are removed by the next fetch). What was fetched
 * (URLs, bytes, files, where, checksums) is told on stderr.
 */
import { isProcessRunning } from './process-running.js';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { DATASET_RECIPES, RecipeInputError, recipeFor, unknownDatasetReason, type DatasetRecipe } from './dataset-recipes.js';
import { DEFAULT_MIN_BYTES_PER_SECOND, DownloadError, downloadBytes } from './http-download.js';
import { describeFileError, fileErrorWords, KgInputError } from './errors.js';
import { fetchBaseUrl, fetchTimeoutMs, remoteUrl } from './fetch-url.js';
import { DatasetFetchError, FetchInterruptedError, downloadHint, interruptedBy } from './fetch-error.js';
import { makeDirectories, MakeDirectoryError, refusalWords, SPECIAL_DIRECTORY_WORDS } from './make-directory.js';
import { danglingLink, writeDataset } from './fetch-write.js';
import { DEFAULT_FETCH_LIMITS, thousands as count, type FetchLimits } from './fetch-limits.js';
import { redactUrls } from './download-failure.js';
import { parseManifest, sha256File } from './manifest.js';
import { fetchRoot } from './user-cache.js';
import { looksLikePath, resolveDatasetDir, type ResolvedDataset } from './resolve-dataset.js';

export { fetchBaseUrl, fetchTimeoutMs } from './fetch-url.js';
export { DatasetFetchError, FetchInterruptedError } from './fetch-error.js';

/** Options of {@link fetchDataset}; every one has a default taken from the environment. */
export interface FetchOptions {
  /** Base URL of the remote files (default `$KGDISTILL_DATA_URL`, else https://raw.githubusercontent.com). */
  baseUrl?: string;
  /** Idle timeout of each download in ms (default `$KGDISTILL_FETCH_TIMEOUT` seconds, else 60 s). */
  timeoutMs?: number;
  /** How the timeout is set, named in a timeout error (default "KGDISTILL_FETCH_TIMEOUT (seconds)"). */
  timeoutSetting?: string;
  /** Directory the dataset's directory is created in (default: the first `$KGDISTILL_DATA` entry, else the user cache). */
  root?: string;
  /** Fetch again and replace a copy already there (default false: a verified copy is kept). */
  force?: boolean;
  /** The recipe to use instead of the built-in one of that name (tests, private mirrors). */
  recipe?: DatasetRecipe;
  /** Where progress lines go (default: stderr). */
  log?: (line: string) => void;
  /** Directory relative `$KGDISTILL_DATA` entries are resolved against (default `process.cwd()`). */
  cwd?: string;
  /** Size limits of the downloads and of unpacking (default: fetch-limits.ts; tests pass small ones). */
  limits?: Partial<FetchLimits>;
  /**
   * The slowest transfer accepted, in bytes per second averaged over each window of the idle timeout (default
   * {@link DEFAULT_MIN_BYTES_PER_SECOND}, 1 KiB/s; 0 turns the rule off): a server that drips a byte now and then
   * never trips the idle timeout, but trips this.
   */
  minBytesPerSecond?: number;
  /** How the minimum rate is set, named in its error (default "minBytesPerSecond"). */
  minRateSetting?: string;
  /** Aborts the fetch (Ctrl-C): the download stops, nothing is kept, and a {@link FetchInterruptedError} is thrown. */
  signal?: AbortSignal;
}

/**
 * What {@link fetchDataset} did: `fetched`, or `present` when a verified copy was already there; `found` is a copy
 * outside the cache that `--dataset <name>` reads ({@link foundCopyReport}), which nothing was downloaded for.
 */
export interface FetchReport {
  name: string;
  dir: string;
  status: 'fetched' | 'present' | 'found';
  /** The downloads (none when present or found). */
  sources: { url: string; bytes: number; sha256: string }[];
  /** The dataset's files, each verified against `checksums` (a found copy: those there, as they are). */
  files: { file: string; bytes: number; sha256: string }[];
  /** The SHA256SUMS file the files were checked against. */
  checksums: string;
  /** A found copy only: why it differs from `checksums` (a missing file, a bad checksum); absent when it matches. */
  problem?: string;
}

/** SHA-256 of bytes as lower-case hex. */
function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The file → SHA-256 pairs of a SHA256SUMS file; unreadable or malformed is a fetch error naming it. */
async function readChecksums(dataset: string, file: string): Promise<{ text: string; entries: Map<string, string> }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new DatasetFetchError(dataset, file, `cannot read the checksums to verify against (${describeFileError(error)})`, { cause: error });
  }
  const entries = new Map(parseManifest(text, file).map(({ file: name, sha256: hex }) => [name, hex]));
  if (entries.size === 0) throw new DatasetFetchError(dataset, file, 'lists no file');
  return { text, entries };
}

/** Why `dir` does not hold exactly the listed files, or undefined when every one is there with its checksum. */
async function problemWith(dir: string, expected: ReadonlyMap<string, string>): Promise<string | undefined> {
  for (const [file, hex] of expected) {
    let actual: string;
    try {
      actual = await sha256File(path.join(dir, file));
    } catch (error) {
      return `${file}: ${describeFileError(error)}`;
    }
    if (actual !== hex) return `${file}: bad checksum`;
  }
  return undefined;
}

/**
 * Removes temporary directories of `name` left in `root` by fetches whose process is gone. A `--force` fetch killed
 * between moving the previous copy aside and moving the new one in leaves no `name` but the previous, verified copy
 * as `.replaced-…`: that one is put back instead (a failed download later must not have cost the user's copy).
 */
async function removeLeftovers(root: string, name: string): Promise<void> {
  const pattern = /^\.(partial|replaced)-(.+)-(\d+)-[^-]+$/;
  for (const entry of await readdir(root).catch(() => [] as string[])) {
    const match = pattern.exec(entry);
    if (match && match[2] === name && Number(match[3]) !== process.pid && !isProcessRunning(Number(match[3]))) {
      if (match[1] === 'replaced' && !existsSync(path.join(root, name))) {
        await rename(path.join(root, entry), path.join(root, name)).catch(() => undefined);
        continue;
      }
      await rm(path.join(root, entry), { recursive: true, force: true });
    }
  }
}

/** How often, and how many times, a fetch looks again at a copy another process's --force fetch is swapping (10 s). */
const SWAP_POLL_MS = 100;
const SWAP_LOOKS = 100;

/** Resolves after `ms` milliseconds. */
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether a running process other than this one holds `<root>/.replaced-<dataset>-<pid>-…`: its --force fetch is swapping the copy. */
async function swapInProgress(root: string, dataset: string): Promise<boolean> {
  const pattern = /^\.replaced-(.+)-(\d+)-[^-]+$/;
  for (const entry of await readdir(root).catch(() => [] as string[])) {
    const match = pattern.exec(entry);
    if (match && match[1] === dataset && Number(match[2]) !== process.pid && isProcessRunning(Number(match[2]))) return true;
  }
  return false;
}

/** Moves the verified `partial` directory to `target`, replacing an existing one only when `replace` is set. */
async function moveIntoPlace(dataset: string, partial: string, target: string, replace: boolean, expected: ReadonlyMap<string, string>): Promise<void> {
  if (replace && existsSync(target)) {
    const old = path.join(path.dirname(target), `.replaced-${dataset}-${process.pid}-${randomBytes(4).toString('hex')}`);
    await rename(target, old);
    try {
      await rename(partial, target);
    } catch (error) {
      await rename(old, target).catch(() => undefined); // put the previous copy back
      throw error;
    }
    await rm(old, { recursive: true, force: true });
    return;
  }
  try {
    await rename(partial, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw error;
    // Another process put it there while this one downloaded: keep theirs if it is good.
    const problem = await problemWith(target, expected);
    if (problem) throw new DatasetFetchError(dataset, target, `appeared while fetching and ${problem}; remove it and fetch again`);
  }
}

/** What the files are, for the summary line: "train.txt 3,135,377 bytes, …". */
function describeFiles(files: FetchReport['files']): string {
  return files.map(({ file, bytes }) => `${file} ${count(bytes)} bytes`).join(', ');
}

/**
 * Downloads a benchmark dataset (FB15k-237, WN18RR; names case-insensitive) into `<root>/<name>`, verified
 * against its SHA256SUMS, atomically. Throws {@link DatasetFetchError} (dataset, URL or file, reason) on failure.
 */
export async function fetchDataset(name: string, options: FetchOptions = {}): Promise<FetchReport> {
  const recipe = options.recipe ?? recipeFor(name);
  if (!recipe) {
    throw new KgInputError(name, undefined, unknownDatasetReason());
  }
  const dataset = recipe.name;
  const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const base = fetchBaseUrl(options.baseUrl);
  const timeoutMs = fetchTimeoutMs(options.timeoutMs, options.timeoutSetting ?? 'timeoutMs');
  const limits: FetchLimits = { ...DEFAULT_FETCH_LIMITS, ...options.limits };
  const root = path.resolve(options.root ?? fetchRoot(options.cwd));
  const target = path.join(root, dataset);
  const minBytesPerSecond = options.minBytesPerSecond ?? DEFAULT_MIN_BYTES_PER_SECOND;
  if (!(minBytesPerSecond >= 0) || !Number.isFinite(minBytesPerSecond)) {
    throw new KgInputError(options.minRateSetting ?? 'minBytesPerSecond', undefined, `expected a number of bytes per second, 0 or more (got ${minBytesPerSecond})`);
  }
  const signal = options.signal;
  // an interrupted fetch keeps nothing: the finally below removes the temporary directory
  const interrupted = (): FetchInterruptedError => new FetchInterruptedError(dataset, root, interruptedBy(signal?.reason));
  const stopIfInterrupted = (): void => {
    if (signal?.aborted) throw interrupted();
  };
  stopIfInterrupted();
  const checksums = recipe.checksumsFile();
  const { text: checksumsText, entries: expected } = await readChecksums(dataset, checksums);

  // first: a previous copy that a killed --force fetch left aside is back in place (and checked like any copy)
  if (existsSync(root)) await removeLeftovers(root, dataset).catch(() => undefined);
  // a copy that fails its check while another process's --force fetch swaps it (between its two renames) is looked
  // at again once the swap is over, rather than called damaged
  for (let look = 0; existsSync(target) || (await swapInProgress(root, dataset)); look++) {
    if (!existsSync(target)) {
      if (look >= SWAP_LOOKS) break;
      await pause(SWAP_POLL_MS);
      continue;
    }
    const problem = await problemWith(target, expected);
    const files = problem ? undefined : await Promise.all([...expected].map(async ([file, hex]) => ({ file, bytes: (await stat(path.join(target, file))).size, sha256: hex }))).catch(() => undefined);
    if (!files && look < SWAP_LOOKS && (await swapInProgress(root, dataset))) { await pause(SWAP_POLL_MS); continue; }
    if (files && !options.force) {
      log(`${dataset}: already in ${target}; ${expected.size} checksums verified against ${checksums} (--force fetches it again)`);
      return { name: dataset, dir: target, status: 'present', sources: [], files, checksums };
    }
    if (!files && !options.force) {
      throw new DatasetFetchError(dataset, target, `is already there but ${problem ?? 'changed while it was read'}; move it away, or fetch with --force to replace it`);
    }
    break;
  }

  const dangling = await danglingLink(target);
  if (dangling !== undefined && !options.force) {
    throw new DatasetFetchError(dataset, target, `is a symbolic link to ${dangling}, which does not exist; remove the link, or fetch with --force to replace it`);
  }

  const rootExisted = existsSync(root); // a failed fetch removes the directory it made, when it holds nothing
  let fetched = false;
  try {
    await makeDirectories(root); // not mkdir's recursive mode: it never returns under /proc
    await removeLeftovers(root, dataset);
  } catch (error) {
    if (error instanceof MakeDirectoryError) {
      const words = error.reason === SPECIAL_DIRECTORY_WORDS ? `${error.parent} ${error.reason}` : `${error.parent}: ${error.reason}`;
      throw new DatasetFetchError(dataset, root, `cannot create ${error.dir}: ${words}; choose another directory`, { cause: error });
    }
    const notDirectory = ['EEXIST', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '') && existsSync(root);
    throw new DatasetFetchError(dataset, root, notDirectory ? 'is a file, expected a directory to create the dataset in' : `cannot create the cache directory: ${fileErrorWords(error)}`, { cause: error });
  }
  let partial: string;
  try {
    partial = await mkdtemp(path.join(root, `.partial-${dataset}-${process.pid}-`));
  } catch (error) {
    const words = await refusalWords(root, error);
    throw new DatasetFetchError(dataset, root, `cannot write into the cache directory: ${words === SPECIAL_DIRECTORY_WORDS ? `it ${words}; choose another directory` : words}`, { cause: error });
  }
  try {
    log(`${dataset}: fetching ${Object.keys(recipe.remote).length} files into ${target}`);
    const urls = new Map(Object.entries(recipe.remote).map(([key, remote]) => [key, remoteUrl(base, remote)]));
    const downloads = new Map<string, Buffer>();
    const sources: FetchReport['sources'] = [];
    for (const [key, url] of urls) {
      let data: Buffer;
      try {
        data = await downloadBytes(url, {
          timeoutMs, timeoutSetting: options.timeoutSetting ?? 'KGDISTILL_FETCH_TIMEOUT (seconds)', maxBytes: limits.downloadBytes,
          minBytesPerSecond, minRateSetting: options.minRateSetting ?? 'minBytesPerSecond', ...(signal ? { signal } : {}),
        });
      } catch (error) {
        if (!(error instanceof DownloadError)) throw error;
        if (error.kind === 'interrupted') throw interrupted();
        throw new DatasetFetchError(dataset, error.url, `${error.reason}${downloadHint(error, target)}`, { cause: error });
      }
      downloads.set(key, data);
      sources.push({ url: redactUrls(url), bytes: data.length, sha256: sha256(data) });
      log(`  ${redactUrls(url)}  ${count(data.length)} bytes`);
    }

    // the checksum of a made file; a wrong one names the file and the URLs it was made from
    const checked = (file: string, data: Buffer, from: readonly string[]): string => {
      const actual = sha256(data);
      const hex = expected.get(file);
      if (hex !== undefined && actual !== hex) {
        const sourcesText = from.map((key) => redactUrls(urls.get(key) ?? key)).join(', ');
        throw new DatasetFetchError(dataset, `${file} (made from ${sourcesText})`, `bad checksum: SHA-256 is ${actual}, ${checksums} says ${hex}`);
      }
      return actual;
    };
    stopIfInterrupted();
    let assembled: Awaited<ReturnType<DatasetRecipe['assemble']>>;
    try {
      // each split is checked as soon as it is unpacked, so that a changed archive is blamed, not the files aligned with it
      assembled = await recipe.assemble(downloads, { limits, checkSplit: (file, data, from) => void checked(file, data, from) });
    } catch (error) {
      if (error instanceof DatasetFetchError) throw error;
      if (error instanceof RecipeInputError) throw new DatasetFetchError(dataset, redactUrls(urls.get(error.key) ?? error.key), error.reason, { cause: error });
      // anything else (a string or buffer too large for Node, …) still names what was being unpacked
      const sourcesText = [...urls.values()].map(redactUrls).join(', ');
      throw new DatasetFetchError(dataset, sourcesText, `cannot build the dataset's files (${error instanceof Error ? error.message : String(error)})`, { cause: error });
    }
    const files: FetchReport['files'] = [];
    for (const [file] of expected) {
      const made = assembled.get(file);
      if (!made) throw new DatasetFetchError(dataset, checksums, `lists ${file}, which the downloaded files do not provide`);
      files.push({ file, bytes: made.data.length, sha256: checked(file, made.data, made.from) });
    }

    stopIfInterrupted();
    await writeDataset(dataset, partial, target, files.map(({ file }) => [file, assembled.get(file)!.data]), checksumsText, checksums);
    stopIfInterrupted(); // the last moment to stop: the move below is one rename (two with --force), left to finish
    if (dangling !== undefined) await unlink(target).catch(() => undefined); // --force replaces a dangling link
    try {
      await moveIntoPlace(dataset, partial, target, options.force ?? false, expected);
    } catch (error) {
      if (error instanceof DatasetFetchError) throw error;
      throw new DatasetFetchError(dataset, target, `cannot move the fetched files into place: ${fileErrorWords(error)}`, { cause: error });
    }
    log(`${dataset}: ${describeFiles(files)}; ${files.length} checksums verified against ${checksums}`);
    log(`${dataset}: ready in ${target}`);
    fetched = true;
    return { name: dataset, dir: target, status: 'fetched', sources, files, checksums };
  } finally {
    await rm(partial, { recursive: true, force: true });
    if (!fetched && !rootExisted) await rmdir(root).catch(() => undefined); // rmdir removes it only when it is empty
  }
}

/**
 * The report of a copy of a known benchmark found outside the cache (the directory `--dataset <name>` reads): its
 * listed files with their sizes and SHA-256, checked against the package's SHA256SUMS, which a mismatch names in
 * `problem`. Nothing is downloaded or written.
 */
export async function foundCopyReport(name: string, dir: string): Promise<FetchReport> {
  const recipe = recipeFor(name);
  if (!recipe) throw new KgInputError(name, undefined, unknownDatasetReason());
  const checksums = recipe.checksumsFile();
  const { entries: expected } = await readChecksums(recipe.name, checksums);
  const files: FetchReport['files'] = [];
  let problem: string | undefined;
  for (const [file, hex] of expected) {
    try {
      const sha256 = await sha256File(path.join(dir, file));
      files.push({ file, bytes: (await stat(path.join(dir, file))).size, sha256 });
      if (sha256 !== hex) problem ??= `${file}: bad checksum`;
    } catch (error) {
      problem ??= `${file}: ${describeFileError(error)}`;
    }
  }
  const report: FetchReport = { name: recipe.name, dir, status: 'found', sources: [], files, checksums };
  if (problem !== undefined) report.problem = problem;
  return report;
}

/** Options of {@link resolveDataset}: where names are resolved from, and whether (and how) to download. */
export interface ResolveOptions {
  cwd?: string;
  /** Download a known benchmark found nowhere on this machine (default true). */
  download?: boolean;
  fetch?: FetchOptions;
}

/**
 * Resolves a dataset like `resolveDatasetDir` (local places first); a known benchmark name found nowhere is
 * fetched into the cache first (told on stderr). Other failures throw as `resolveDatasetDir` does.
 */
export async function resolveDataset(spec: string, options: ResolveOptions = {}): Promise<ResolvedDataset> {
  const cwd = options.cwd ?? process.cwd();
  try {
    return resolveDatasetDir(spec, { cwd });
  } catch (error) {
    const recipe = looksLikePath(spec) ? undefined : recipeFor(spec);
    const notFound = error instanceof KgInputError && error.reason.startsWith('dataset not found');
    if (!recipe || !notFound || options.download === false) throw error;
    const log = options.fetch?.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
    log(`${recipe.name} is not on this machine ($KGDISTILL_DATA, data/, ../shared/data, the cache): fetching it once`);
    const report = await fetchDataset(recipe.name, { ...options.fetch, cwd, log });
    return { name: recipe.name, dir: report.dir };
  }
}
