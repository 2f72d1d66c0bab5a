/**
 * Verification of a dataset directory against its `SHA256SUMS` file (format of `sha256sum`: `<hex>  <file>`,
 * or `<hex> *<file>` in binary mode), with a cache so that a second load does not hash the files again.
 *
 * The cache maps a file's absolute path to the SHA-256 computed for it at a given size and mtimeMs; when either
 * changes, the file is hashed again. It lives in `<user cache>/manifest-cache.json` (user-cache.ts:
 * `$XDG_CACHE_HOME/kgdistill/`, default `~/.cache/kgdistill/` on Linux), is written atomically (temporary file +
 * rename), and a corrupt or unreadable cache is ignored and rewritten. A cache that cannot be written only costs speed, never correctness.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { KgInputError, describeFileError } from './errors.js';
import { userCacheDir } from './user-cache.js';

/** Name of the checksum file looked for in a dataset directory. */
export const MANIFEST_FILE = 'SHA256SUMS';

/** Outcome of {@link verifyManifest}: `verified` when a manifest existed and matched; `cached` when no file had to be hashed. */
export interface ManifestResult {
  verified: boolean;
  cached: boolean;
}

interface CacheEntry {
  size: number;
  mtimeMs: number;
  sha256: string;
}

interface CacheFile {
  version: 1;
  entries: Record<string, CacheEntry>;
}

/** Path of the manifest cache file in the user cache directory (honouring `$XDG_CACHE_HOME`). */
export function manifestCachePath(): string {
  return path.join(userCacheDir(), 'manifest-cache.json');
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

/** Reads the cache; anything missing or malformed yields an empty cache. */
async function readCache(cacheFile: string): Promise<CacheFile> {
  try {
    const parsed: unknown = JSON.parse(await readFile(cacheFile, 'utf8'));
    if (parsed && typeof parsed === 'object' && (parsed as CacheFile).version === 1) {
      const entries = (parsed as CacheFile).entries;
      if (entries && typeof entries === 'object' && !Array.isArray(entries)) return { version: 1, entries };
    }
  } catch {
    // missing or corrupt cache: start afresh
  }
  return { version: 1, entries: {} };
}

/**
 * Writes the cache atomically: a uniquely named temporary file renamed over the cache file. The entries on disk are
 * read again first and kept beside this process's (newer ones win), and a process writes one at a time, so
 * verifications at the same time lose each other's entries only when two processes read and rename in the same instant.
 */
function writeCache(cacheFile: string, cache: CacheFile): Promise<void> {
  cacheWrites = cacheWrites.then(() => mergeIntoCache(cacheFile, cache)); // one at a time within a process
  return cacheWrites;
}
let cacheWrites: Promise<void> = Promise.resolve();

/** writeCache's read, merge and atomic replace of the cache file. */
async function mergeIntoCache(cacheFile: string, cache: CacheFile): Promise<void> {
  const temporary = `${cacheFile}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await mkdir(path.dirname(cacheFile), { recursive: true });
    const onDisk = await readCache(cacheFile);
    await writeFile(temporary, JSON.stringify({ version: 1, entries: { ...onDisk.entries, ...cache.entries } }));
    await rename(temporary, cacheFile);
  } catch {
    await unlink(temporary).catch(() => undefined); // an unwritable cache only costs speed
  }
}

/** True when a cache entry is well formed and describes the file at this size and mtime. */
function entryMatches(entry: CacheEntry | undefined, size: number, mtimeMs: number): entry is CacheEntry {
  return (
    entry !== undefined && entry.size === size && entry.mtimeMs === mtimeMs &&
    typeof entry.sha256 === 'string' && /^[0-9a-f]{64}$/.test(entry.sha256)
  );
}

/**
 * Checks every file listed in `dir/SHA256SUMS`; a missing file or checksum mismatch throws {@link KgInputError}.
 * Without a manifest returns `{ verified: false, cached: false }`.
 */
export async function verifyManifest(dir: string): Promise<ManifestResult> {
  const manifestFile = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(manifestFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { verified: false, cached: false };
    throw new KgInputError(manifestFile, undefined, describeFileError(error), { cause: error });
  }
  const entries = parseManifest(text, manifestFile);
  const cacheFile = manifestCachePath();
  const cache = await readCache(cacheFile);
  let hashedAny = false;

  const outcomes = await Promise.allSettled(
    entries.map(async ({ file, sha256: expected }) => {
      const absolute = path.resolve(dir, file);
      let size: number;
      let mtimeMs: number;
      try {
        ({ size, mtimeMs } = await stat(absolute));
      } catch (error) {
        throw new KgInputError(absolute, undefined, `listed in ${MANIFEST_FILE} but ${describeFileError(error)}`, { cause: error });
      }
      const cached = cache.entries[absolute];
      let actual: string;
      if (entryMatches(cached, size, mtimeMs)) actual = cached.sha256;
      else {
        hashedAny = true;
        try {
          actual = await sha256File(absolute);
        } catch (error) {
          throw new KgInputError(absolute, undefined, describeFileError(error), { cause: error });
        }
        cache.entries[absolute] = { size, mtimeMs, sha256: actual };
      }
      if (actual !== expected) {
        throw new KgInputError(absolute, undefined, `bad checksum: SHA-256 is ${actual}, ${MANIFEST_FILE} says ${expected}`);
      }
    }),
  );
  // The computed hashes are facts about the files whatever the verdict, so they are cached before any error.
  if (hashedAny) await writeCache(cacheFile, cache);
  const failure = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failure) throw (failure as PromiseRejectedResult).reason;
  return { verified: true, cached: !hashedAny };
}
