/**
 * Downloading one remote file into memory, with the failures a user can act on told apart: an HTTP error
 * status, a body cut short (fewer bytes than Content-Length), a server that sends nothing for too long (an idle
 * timeout, reset by every chunk received), and a network error. `file:` URLs are read from disk (offline mirrors).
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describeFileError } from './errors.js';
import { packageVersion } from './package-root.js';

/** Default idle timeout of a download: no byte for this long fails it. */
export const DEFAULT_FETCH_TIMEOUT_MS = 60_000;

/** Why one download failed: the URL and a reason such as "HTTP 404 Not Found". */
export class DownloadError extends Error {
  /** Creates the error; the message is `<url>: <reason>`. */
  constructor(readonly url: string, readonly reason: string, options?: { cause?: unknown }) {
    super(`${url}: ${reason}`, options);
    this.name = 'DownloadError';
  }
}

/** Options of {@link downloadBytes}. */
export interface DownloadOptions {
  /** Idle timeout in milliseconds (no response or no new bytes for this long). */
  timeoutMs: number;
  /** Where the timeout was configured, named in the timeout message (e.g. "--timeout"). */
  timeoutSetting?: string;
}

/** "1,234,567". */
function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** The underlying cause of a fetch failure, e.g. "getaddrinfo ENOTFOUND example.org". */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: { message?: string; code?: string } } | undefined)?.cause;
  const detail = cause?.message ?? cause?.code ?? (error instanceof Error ? error.message : String(error));
  return `network error (${detail})`;
}

/** Downloads `url` into memory; every failure is a {@link DownloadError} naming the URL and the reason. */
export async function downloadBytes(url: string, options: DownloadOptions): Promise<Buffer> {
  if (url.startsWith('file:')) {
    try {
      return await readFile(fileURLToPath(url));
    } catch (error) {
      throw new DownloadError(url, describeFileError(error), { cause: error });
    }
  }
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
    }, options.timeoutMs);
  };
  arm();
  try {
    let response: Response;
    try {
      response = await fetch(url, {
        signal: controller.signal,
        redirect: 'follow',
        headers: { 'accept-encoding': 'identity', 'user-agent': `kgdistill/${packageVersion()}` },
      });
    } catch (error) {
      throw new DownloadError(url, timedOut ? `no response within ${seconds} (timeout${setting})` : networkReason(error), { cause: error });
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new DownloadError(url, `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
    }
    const encoding = response.headers.get('content-encoding');
    const lengthHeader = response.headers.get('content-length');
    const expected = (!encoding || encoding === 'identity') && lengthHeader !== null && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
    const chunks: Uint8Array[] = [];
    let received = 0;
    if (response.body) {
      const reader = response.body.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          chunks.push(value);
          received += value.byteLength;
          arm();
        }
      } catch (error) {
        const of = expected === undefined ? '' : ` of ${count(expected)}`;
        if (timedOut) throw new DownloadError(url, `no data for ${seconds} after ${count(received)}${of} bytes (timeout${setting})`, { cause: error });
        if (expected !== undefined) throw new DownloadError(url, `truncated: the connection closed after ${count(received)}${of} bytes`, { cause: error });
        throw new DownloadError(url, `${networkReason(error)} after ${count(received)} bytes`, { cause: error });
      }
    }
    if (expected !== undefined && received !== expected) {
      throw new DownloadError(url, `truncated: received ${count(received)} of ${count(expected)} bytes`);
    }
    return Buffer.concat(chunks);
  } finally {
    clearTimeout(timer);
  }
}
