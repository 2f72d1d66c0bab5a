/**
 * Who may use the service: an API key (from `--api-key`, `--api-key-file` or KGDISTILL_API_KEY), sent as
 * `Authorization: Bearer <key>` or `X-API-Key: <key>` and compared in constant time (SHA-256 digests of both,
 * then `timingSafeEqual`, so neither the key's length nor its content leaks through timing). Listening on an
 * address other than loopback needs a key unless `--insecure` says otherwise.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';

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

/** Where the key comes from: the flag, a file (first line), or the environment; at most one. */
export function resolveApiKey(sources: { key?: string; file?: string; env?: NodeJS.ProcessEnv }): { key?: string; source?: string } {
  const given: Array<{ key: string; source: string }> = [];
  if (sources.key !== undefined) given.push({ key: sources.key, source: '--api-key' });
  if (sources.file !== undefined) {
    let text: string;
    try {
      text = readFileSync(sources.file, 'utf8');
    } catch (error) {
      throw new Error(`--api-key-file: cannot read ${sources.file}: ${(error as Error).message}`);
    }
    given.push({ key: text.split(/\r?\n/)[0] ?? '', source: `--api-key-file ${sources.file}` });
  }
  const fromEnv = sources.env?.[API_KEY_ENV];
  if (fromEnv !== undefined && fromEnv !== '' && given.length === 0) given.push({ key: fromEnv, source: API_KEY_ENV });
  if (given.length > 1) throw new Error('give the API key once: --api-key or --api-key-file');
  const chosen = given[0];
  if (!chosen) return {};
  const key = chosen.key.trim();
  if (key.length < MIN_KEY_LENGTH) throw new Error(`the API key (${chosen.source}) must have at least ${MIN_KEY_LENGTH} characters`);
  if (!/^[\x21-\x7e]+$/.test(key)) throw new Error(`the API key (${chosen.source}) must be printable ASCII without spaces`);
  return { key, source: chosen.source };
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** The key a request presents (`X-API-Key`, else `Authorization: Bearer`), if any; a repeated header presents none. */
export function presentedKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  let presented = headers['x-api-key'];
  const auth = headers.authorization;
  if (presented === undefined && typeof auth === 'string' && /^bearer /i.test(auth)) presented = auth.slice(7).trim();
  return typeof presented === 'string' ? presented : undefined;
}

/** A checker of presented keys against `key`, in constant time. */
export function keyChecker(key: string): (headers: Record<string, string | string[] | undefined>) => boolean {
  const expected = digest(key);
  return (headers) => {
    const presented = presentedKey(headers);
    return presented !== undefined && timingSafeEqual(digest(presented), expected);
  };
}
