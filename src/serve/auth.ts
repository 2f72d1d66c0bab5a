/**
 * Who may use the service: an API key (from `--api-key`, `--api-key-file` or KGDISTILL_API_KEY), sent as
 * `Authorization: Bearer <key>` or `X-API-Key: <key>` and compared in constant time (SHA-256 digests of both,
 * then `timingSafeEqual`, so neither the key's length nor its content leaks through timing). Listening on an
 * address other than loopback needs a key unless `--insecure` says otherwise.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { describeFileError } from '../kg/errors.js';

/** Environment variable holding the API key. */
export const API_KEY_ENV = 'KGDISTILL_API_KEY';
/** Shortest key accepted. */
const MIN_KEY_LENGTH = 16;

/** Whether `host` is a loopback address (127.0.0.0/8, ::1, localhost): only this machine can connect. */
export function isLoopback(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/** A key refused for how the command line gave it (twice, or too short or not ASCII in `--api-key`): a usage error. */
export class ApiKeyFlagError extends Error {
  constructor(message: string, readonly keys: readonly string[]) {
    super(message);
    this.name = 'ApiKeyFlagError';
  }
}

/** Where the key comes from: the flag, a file (first line), or the environment; at most one. */
export function resolveApiKey(sources: { key?: string; file?: string; env?: NodeJS.ProcessEnv }): { key?: string; source?: string } {
  const given: Array<{ key: string; source: string }> = [];
  if (sources.key !== undefined) given.push({ key: sources.key, source: '--api-key' });
  if (sources.file !== undefined) {
    let text: string;
    try {
      text = readFileSync(sources.file, 'utf8');
    } catch (error) {
      throw new Error(`--api-key-file ${sources.file}: ${describeFileError(error)}`, { cause: error });
    }
    given.push({ key: text.split(/\r?\n/)[0] ?? '', source: `--api-key-file ${sources.file}` });
  }
  const fromEnv = sources.env?.[API_KEY_ENV];
  if (fromEnv !== undefined && fromEnv !== '' && given.length === 0) given.push({ key: fromEnv, source: API_KEY_ENV });
  if (given.length > 1) throw new ApiKeyFlagError('give the API key once: --api-key or --api-key-file', ['apiKey', 'apiKeyFile']);
  const chosen = given[0];
  if (!chosen) return {};
  const key = chosen.key.trim();
  // the flag's value is the command line's (exit 2); a file's or the environment's is input (exit 1)
  const refuse = (message: string): Error => (chosen.source === '--api-key' ? new ApiKeyFlagError(message, ['apiKey']) : new Error(message));
  if (key.length < MIN_KEY_LENGTH) throw refuse(`the API key (${chosen.source}) must have at least ${MIN_KEY_LENGTH} characters`);
  if (!/^[\x21-\x7e]+$/.test(key)) throw refuse(`the API key (${chosen.source}) must be printable ASCII without spaces`);
  return { key, source: chosen.source };
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** How many times a header named `name` (lower case) occurs in a request's raw headers (Node keeps only the first `Authorization`). */
export function headerCount(rawHeaders: readonly string[], name: string): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]!.toLowerCase() === name) count++;
  return count;
}

/**
 * The key a request presents (`X-API-Key`, else `Authorization: Bearer`), if any; a repeated header presents none
 * (Node joins a repeated `X-API-Key` into one value, but drops every `Authorization` after the first: `rawHeaders`,
 * when given, tells a repeated one).
 */
export function presentedKey(headers: Record<string, string | string[] | undefined>, rawHeaders?: readonly string[]): string | undefined {
  if (rawHeaders !== undefined && headerCount(rawHeaders, 'authorization') > 1) return undefined;
  let presented = headers['x-api-key'];
  const auth = headers.authorization;
  if (presented === undefined && typeof auth === 'string' && /^bearer /i.test(auth)) presented = auth.slice(7).trim();
  return typeof presented === 'string' ? presented : undefined;
}

/** A checker of presented keys against `key`, in constant time (`rawHeaders`: see presentedKey). */
export function keyChecker(key: string): (headers: Record<string, string | string[] | undefined>, rawHeaders?: readonly string[]) => boolean {
  const expected = digest(key);
  return (headers, rawHeaders) => {
    const presented = presentedKey(headers, rawHeaders);
    return presented !== undefined && timingSafeEqual(digest(presented), expected);
  };
}

/** Hosts a loopback service without an API key always answers for (any port): this machine's own names. */
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** The name of a `Host` header without its port, in lower case (`[::1]:8080` → `[::1]`; a bare `::1` stays whole). */
export function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1 || h.length);
  if (h.indexOf(':') !== h.lastIndexOf(':')) return h; // an IPv6 address without brackets, no port
  return h.split(':')[0]!.replace(/\.$/, '');
}

/**
 * A check of `Host` headers against DNS rebinding (for a loopback service without an API key): true for this
 * machine's names (localhost, 127.0.0.1, [::1], ::1) and the names in `allowed` (any port), and for a request
 * without a Host (no browser sends one).
 */
export function hostChecker(allowed: readonly string[] = []): (host: string | undefined) => boolean {
  const names = new Set([...LOCAL_HOSTS, ...allowed.map(hostName)]);
  return (host) => host === undefined || names.has(hostName(host));
}
