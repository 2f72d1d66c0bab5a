/**
 * The error of a failed dataset fetch, and the advice added to a failed download: working offline (for a network
 * error only) and the proxy variables kgdistill does not use.
 */
import type { DownloadError } from './http-download.js';
import { proxyVariableSet } from './fetch-url.js';

/** A failed fetch: the dataset, the URL or file at fault and the reason; nothing was left in the cache. */
export class DatasetFetchError extends Error {
  /** Creates the error; the message is `cannot fetch <dataset>: <source>: <reason>`. */
  constructor(readonly dataset: string, readonly source: string, readonly reason: string, options?: { cause?: unknown }) {
    super(`cannot fetch ${dataset}: ${source}: ${reason}`, options);
    this.name = 'DatasetFetchError';
  }
}

/** A fetch stopped by its AbortSignal (Ctrl-C): the download was cut and nothing was kept. */
export class FetchInterruptedError extends DatasetFetchError {
  /** Creates the error; `root` is the directory that keeps nothing of the fetch, `by` what stopped it ("SIGINT"). */
  constructor(dataset: string, root: string, readonly by: string) {
    super(dataset, root, `interrupted (${by}): the download was stopped and nothing of it was kept`);
    this.name = 'FetchInterruptedError';
  }
}

/** What an abort reason says stopped a fetch: a signal's name given as the reason ("SIGINT"), else "aborted". */
export function interruptedBy(reason: unknown): string {
  return typeof reason === 'string' && reason !== '' ? reason : 'aborted';
}

/** Advice after a failed download: working offline for a network error, and the proxy kgdistill does not use. */
export function downloadHint(error: DownloadError, target: string): string {
  const proxy = proxyVariableSet();
  const offline = error.kind === 'network' ? `; without network, put the files in ${target} yourself or point KGDISTILL_DATA_URL (--url) at a mirror` : '';
  const ignored = proxy !== undefined && (error.kind === 'network' || error.kind === 'timeout' || error.kind === 'slow' || error.kind === 'tls')
    ? `; ${proxy} is set, but kgdistill does not use proxies: download the remote files with a tool that does (curl, wget) into a directory with the same paths and fetch with --url file://<that directory>`
    : '';
  return `${offline}${ignored}`;
}
