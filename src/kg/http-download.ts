/**
 * Downloading one remote file into memory, with the failures a user can act on told apart: an HTTP error
 * status, a body cut short (fewer bytes than Content-Length, or the connection closed), a server that sends
 * nothing for too long (an idle timeout, reset by every chunk received), a file larger than the size limit
 * (refused from its Content-Length, or stopped once that many bytes arrived), a redirect loop or a redirect to a
 * non-HTTP URL, an untrusted TLS certificate, a network error, a transfer slower than a minimum rate over each
 * window of the idle timeout (a server dripping a byte now and then, which the idle timeout never catches: the rule
 * of curl's --speed-limit/--speed-time), and an abort by the caller's AbortSignal (Ctrl-C), which stops the transfer
 * at once. `file:` URLs are read from disk (offline mirrors). Redirects are followed here (at most 20), so that messages can name where one led.
 */
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describeFileError } from './errors.js';
import { packageVersion } from './package-root.js';
import { byteLimitText, MAX_DOWNLOAD_BYTES, MAX_TIMER_MS, thousands as count } from './fetch-limits.js';
import { bodyFailure, redactUrls, requestFailure, type DownloadFailureKind } from './download-failure.js';

/** Default idle timeout of a download: no byte for this long fails it. */
export const DEFAULT_FETCH_TIMEOUT_MS = 60_000;
/** Default slowest transfer accepted: fewer bytes than this per second, averaged over a window of the idle timeout, fail it. */
export const DEFAULT_MIN_BYTES_PER_SECOND = 1024;
/** The most redirects one download follows. */
const MAX_REDIRECTS = 20;

/** Why one download failed: the URL (its password hidden), the reason such as "HTTP 404 Not Found", and its kind. */
export class DownloadError extends Error {
  /** The URL, with any user name and password replaced by `***`. */
  readonly url: string;
  /** Creates the error; the message is `<url>: <reason>`. */
  constructor(url: string, readonly reason: string, readonly kind: DownloadFailureKind = 'other', options?: { cause?: unknown }) {
    super(`${redactUrls(url)}: ${reason}`, options);
    this.name = 'DownloadError';
    this.url = redactUrls(url);
  }
}

/** Options of {@link downloadBytes}. */
export interface DownloadOptions {
  /** Idle timeout in milliseconds (no response or no new bytes for this long). */
  timeoutMs: number;
  /** Where the timeout was configured, named in the timeout message (e.g. "--timeout"). */
  timeoutSetting?: string;
  /** The largest body accepted, in bytes (default {@link MAX_DOWNLOAD_BYTES}). */
  maxBytes?: number;
  /** The slowest body accepted, bytes per second over each window of `timeoutMs` (default {@link DEFAULT_MIN_BYTES_PER_SECOND}; 0: no minimum). */
  minBytesPerSecond?: number;
  /** Where the minimum rate was configured, named in its message (e.g. "--min-rate"). */
  minRateSetting?: string;
  /** Stops the download at once when aborted: a DownloadError of kind `interrupted`. */
  signal?: AbortSignal;
}

/** The reason for a file over the limit. */
function tooLarge(limit: number, what: string): string {
  return `larger than the limit of ${byteLimitText(limit)} per file (${what}; not the expected file?)`;
}

/** Reads a `file:` URL, refusing one over `maxBytes` before reading it. */
async function readFileUrl(url: string, maxBytes: number): Promise<Buffer> {
  let size: number;
  try {
    size = (await stat(fileURLToPath(url))).size;
  } catch (error) {
    throw new DownloadError(url, describeFileError(error), 'file', { cause: error });
  }
  if (size > maxBytes) throw new DownloadError(url, tooLarge(maxBytes, `${count(size)} bytes`), 'too-large');
  try {
    return await readFile(fileURLToPath(url));
  } catch (error) {
    throw new DownloadError(url, describeFileError(error), 'file', { cause: error });
  }
}

/** Downloads `url` into memory; every failure is a {@link DownloadError} naming the URL, the reason and its kind. */
export async function downloadBytes(url: string, options: DownloadOptions): Promise<Buffer> {
  const maxBytes = options.maxBytes ?? MAX_DOWNLOAD_BYTES;
  const { signal } = options;
  const interrupted = (cause?: unknown): DownloadError => new DownloadError(url, 'interrupted', 'interrupted', { cause });
  if (signal?.aborted) throw interrupted();
  if (url.startsWith('file:')) {
    const data = await readFileUrl(url, maxBytes);
    if (signal?.aborted) throw interrupted();
    return data;
  }
  try {
    return await downloadHttp(url, options, maxBytes, interrupted);
  } catch (error) {
    if (signal?.aborted && !(error instanceof DownloadError && error.kind === 'interrupted')) throw interrupted(error);
    throw error;
  }
}

/** The bytes of an http(s) URL (see {@link downloadBytes}); an abort by `options.signal` throws `interrupted()`. */
async function downloadHttp(url: string, options: DownloadOptions, maxBytes: number, interrupted: (cause?: unknown) => DownloadError): Promise<Buffer> {
  const seconds = `${options.timeoutMs / 1000} s`;
  const setting = options.timeoutSetting ? `; raise it with ${options.timeoutSetting}` : '';
  const controller = new AbortController();
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, Math.min(Math.max(options.timeoutMs, 1), MAX_TIMER_MS));
  };
  arm();
  const onAbort = (): void => controller.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const minRate = options.minBytesPerSecond ?? DEFAULT_MIN_BYTES_PER_SECOND;
  try {
    let response: Response;
    let current = url;
    for (let redirects = 0; ; redirects++) {
      try {
        response = await fetch(current, {
          signal: controller.signal,
          redirect: 'manual',
          headers: { 'accept-encoding': 'identity', 'user-agent': `kgdistill/${packageVersion()}` },
        });
      } catch (error) {
        if (options.signal?.aborted) throw interrupted(error);
        if (timedOut) throw new DownloadError(url, `no response within ${seconds} (timeout${setting})`, 'timeout', { cause: error });
        const { kind, reason } = requestFailure(error);
        throw new DownloadError(url, current === url ? reason : `${reason} (redirected to ${redactUrls(current)})`, kind, { cause: error });
      }
      const location = response.headers.get('location');
      if (![301, 302, 303, 307, 308].includes(response.status) || location === null) break;
      await response.body?.cancel().catch(() => undefined);
      let next: URL;
      try {
        next = new URL(location, current);
      } catch {
        throw new DownloadError(url, `HTTP ${response.status} redirects to '${redactUrls(location)}', which is not a URL`, 'redirect');
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        throw new DownloadError(url, `redirected to a non-HTTP URL, ${redactUrls(next.href)} (refused)`, 'redirect');
      }
      if (redirects >= MAX_REDIRECTS) throw new DownloadError(url, `too many redirects (more than ${MAX_REDIRECTS}; the last to ${redactUrls(next.href)})`, 'redirect');
      current = next.href;
    }
    const via = current === url ? '' : ` (redirected to ${redactUrls(current)})`;
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new DownloadError(url, `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}${via}`, 'http');
    }
    const encoding = response.headers.get('content-encoding');
    const lengthHeader = response.headers.get('content-length');
    const announced = lengthHeader !== null && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
    if (announced !== undefined && announced > maxBytes) {
      controller.abort();
      throw new DownloadError(url, tooLarge(maxBytes, `Content-Length is ${count(announced)} bytes${via}`), 'too-large');
    }
    const expected = !encoding || encoding === 'identity' ? announced : undefined;
    const chunks: Uint8Array[] = [];
    let received = 0;
    const of = expected === undefined ? '' : ` of ${count(expected)}`;
    if (response.body) {
      const reader = response.body.getReader();
      // the minimum rate: the bytes of each window of the idle timeout, checked as a chunk ends the window (a
      // longer silence is the idle timeout's)
      let windowStart = Date.now();
      let windowBytes = 0;
      let slow: { bytes: number; ms: number } | undefined;
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          received += value.byteLength;
          if (received > maxBytes) break;
          chunks.push(value);
          arm();
          windowBytes += value.byteLength;
          const ms = Date.now() - windowStart;
          if (minRate > 0 && ms >= options.timeoutMs) {
            if (windowBytes * 1000 < minRate * ms) {
              slow = { bytes: windowBytes, ms };
              break;
            }
            windowStart = Date.now();
            windowBytes = 0;
          }
        }
      } catch (error) {
        if (options.signal?.aborted) throw interrupted(error);
        if (timedOut) throw new DownloadError(url, `no data for ${seconds} after ${count(received)}${of} bytes (timeout${setting})`, 'timeout', { cause: error });
        if (expected !== undefined) throw new DownloadError(url, `truncated: the connection closed after ${count(received)}${of} bytes`, 'truncated', { cause: error });
        const { kind, reason } = bodyFailure(error, count(received));
        throw new DownloadError(url, reason, kind, { cause: error });
      }
      if (slow) {
        controller.abort();
        await reader.cancel().catch(() => undefined);
        const how = options.minRateSetting ? `; ${options.minRateSetting} sets the minimum, 0 turns it off` : '';
        throw new DownloadError(url, `too slow: ${count(slow.bytes)} bytes in ${(slow.ms / 1000).toFixed(1)} s after ${count(received)}${of} bytes, under the minimum of ${count(minRate)} bytes/s (a stalled or throttled server${how})`, 'slow');
      }
      if (received > maxBytes) {
        controller.abort();
        await reader.cancel().catch(() => undefined);
        throw new DownloadError(url, tooLarge(maxBytes, `stopped after ${count(received)} bytes${via}`), 'too-large');
      }
    }
    if (expected !== undefined && received !== expected) {
      throw new DownloadError(url, `truncated: received ${count(received)} of ${count(expected)} bytes`, 'truncated');
    }
    return Buffer.concat(chunks);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}
