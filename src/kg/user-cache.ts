/**
 * Where kgdistill keeps what it downloads for the user: fetched datasets.
 *
 * The cache directory is `$XDG_CACHE_HOME/kgdistill` when XDG_CACHE_HOME is set (on any platform), else the
 * platform's user cache (env-paths): `~/.cache/kgdistill` on Linux, `~/Library/Caches/kgdistill` on macOS,
 * `%LOCALAPPDATA%\kgdistill\Cache` on Windows. Fetched datasets go to `$KGDISTILL_DATA/<name>` (its first entry
 * when it is a list) when that is set, else to `<cache>/datasets/<name>`.
 */
import path from 'node:path';
import envPaths from 'env-paths';

/** The user's kgdistill cache directory (see the module comment); read from the environment at each call. */
export function userCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME?.trim();
  if (xdg) return path.join(xdg, 'kgdistill');
  return envPaths('kgdistill', { suffix: '' }).cache;
}

/** Directory of fetched datasets inside the user cache (`<cache>/datasets`), searched after every local place. */
export function cachedDatasetsDir(): string {
  return path.join(userCacheDir(), 'datasets');
}

/** The entries of `$KGDISTILL_DATA` (a path-delimiter-separated list), resolved against `cwd`; empty when unset. */
export function dataRootsFromEnv(cwd = process.cwd()): string[] {
  return (process.env.KGDISTILL_DATA ?? '')
    .split(path.delimiter)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => path.resolve(cwd, entry));
}

/** Where `data fetch` puts a dataset's directory: the first `$KGDISTILL_DATA` entry, else the user cache's `datasets/`. */
export function fetchRoot(cwd = process.cwd()): string {
  return dataRootsFromEnv(cwd)[0] ?? cachedDatasetsDir();
}
