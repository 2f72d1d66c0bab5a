/**
 * The settings of a dataset fetch that come from flags or the environment: the base URL of the mirror
 * (`--url` / `$KGDISTILL_DATA_URL`), the idle timeout (`--timeout` / `$KGDISTILL_FETCH_TIMEOUT`), the URL of
 * each remote file below the base, URLs with their password hidden for messages, and the proxy variables
 * (which Node's fetch ignores, and so does kgdistill).
 */
import { KgInputError } from './errors.js';
import { DEFAULT_BASE_URL } from './dataset-recipes.js';
import { DEFAULT_FETCH_TIMEOUT_MS } from './http-download.js';
import { MAX_TIMEOUT_SECONDS, MAX_TIMEOUT_TEXT } from './fetch-limits.js';
import { redactUrls } from './download-failure.js';

/** The base URL to fetch from: the option, else `$KGDISTILL_DATA_URL`, else the default; a bad one names its source. */
export function fetchBaseUrl(option?: string): string {
  const fromEnv = process.env.KGDISTILL_DATA_URL?.trim();
  const [value, setting] = option !== undefined ? [option, '--url'] : fromEnv ? [fromEnv, 'KGDISTILL_DATA_URL'] : [DEFAULT_BASE_URL, 'the default URL'];
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new KgInputError(setting, undefined, `not a URL: '${redactUrls(value)}' (expected http://, https:// or file://)`);
  }
  if (!['http:', 'https:', 'file:'].includes(url.protocol)) throw new KgInputError(setting, undefined, `unsupported URL scheme '${url.protocol}' (expected http, https or file)`);
  if (url.username !== '' || url.password !== '') {
    throw new KgInputError(setting, undefined, `'${redactUrls(value)}' holds a user name or password, which kgdistill does not send: use a mirror that needs none, or download the files by hand and give a file:// URL`);
  }
  url.hash = '';
  return url.search === '' ? url.href.replace(/\/+$/, '') : url.href;
}

/** The idle timeout in ms: the option (named `setting` in errors), else `$KGDISTILL_FETCH_TIMEOUT` (seconds), else 60 s. */
export function fetchTimeoutMs(option?: number, setting = 'timeoutMs'): number {
  if (option !== undefined) {
    if (!(option > 0) || option > MAX_TIMEOUT_SECONDS * 1000) throw new KgInputError(setting, undefined, `expected a positive timeout of ${MAX_TIMEOUT_TEXT}`);
    return option;
  }
  const raw = process.env.KGDISTILL_FETCH_TIMEOUT?.trim();
  if (!raw) return DEFAULT_FETCH_TIMEOUT_MS;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new KgInputError('KGDISTILL_FETCH_TIMEOUT', undefined, `expected a positive number of seconds, got '${raw}'`);
  if (seconds > MAX_TIMEOUT_SECONDS) throw new KgInputError('KGDISTILL_FETCH_TIMEOUT', undefined, `expected ${MAX_TIMEOUT_TEXT}, got '${raw}'`);
  return seconds * 1000;
}

/** The URL of a recipe's remote path below `base`, keeping the base's query (`?token=…`); absolute URLs are kept. */
export function remoteUrl(base: string, remote: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(remote)) return remote;
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${remote.replace(/^\/+/, '')}`;
  url.hash = '';
  return url.href;
}

/** The proxy variables kgdistill ignores (Node's fetch does not use them). */
const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'] as const;

/** The name of the first proxy variable that is set (and not empty), or undefined. */
export function proxyVariableSet(): string | undefined {
  return PROXY_VARIABLES.find((name) => (process.env[name] ?? '').trim() !== '');
}
