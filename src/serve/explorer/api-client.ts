/**
 * Requests from the page to its own server (relative URLs only: the page's Content-Security-Policy allows no other
 * destination). An API key, when the server needs one, is kept in sessionStorage (this tab only, gone when it
 * closes) and sent as `X-API-Key`. Error answers become QueryErrors carrying the server's message and suggestions.
 */
import type { QueryFailure } from './protocol.js';

const KEY_STORAGE = 'kgdistill.apiKey';

/** A failed request or query: status (HTTP-like), code, message and close names. */
export class QueryError extends Error {
  readonly status: number;
  readonly code: string;
  readonly suggestions: string[];
  /** The key of each suggestion (every answer with suggestions sends them: the service's and the page's worker's). */
  readonly suggestionKeys: string[];
  /** Seconds after which a not-ready answer may be asked again. */
  readonly retryAfter?: number;

  constructor(failure: QueryFailure, retryAfter?: number) {
    super(failure.message);
    this.status = failure.status;
    this.code = failure.error;
    this.suggestions = failure.suggestions ?? [];
    this.suggestionKeys = failure.suggestionKeys ?? [];
    if (retryAfter !== undefined) this.retryAfter = retryAfter;
  }

  /** The server (or model) is still loading: ask again later. */
  get notReady(): boolean {
    return this.status === 503;
  }
}

/** The API key of this tab, if one was given. */
export function apiKey(): string | null {
  try {
    return sessionStorage.getItem(KEY_STORAGE);
  } catch {
    return null;
  }
}

/** Keeps `key` for this tab (empty: forget it). */
export function setApiKey(key: string): void {
  if (key.trim() === '') sessionStorage.removeItem(KEY_STORAGE);
  else sessionStorage.setItem(KEY_STORAGE, key.trim());
}

/** Query-string values (undefined ones are left out). */
export type Query = Record<string, string | number | boolean | undefined>;

/** GETs (with `query`) or POSTs (with `body`) `path` on the page's own server and returns the parsed JSON answer. */
export async function api<T>(path: string, options: { query?: Query; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  if (!path.startsWith('/') || path.startsWith('//')) throw new Error(`explorer: only paths of this server may be requested, got ${path}`);
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(options.query ?? {})) if (value !== undefined) params.set(name, String(value));
  const url = params.size > 0 ? `${path}?${params}` : path;
  const headers: Record<string, string> = { accept: 'application/json' };
  const key = apiKey();
  if (key) headers['x-api-key'] = key;
  const init: RequestInit = { headers, signal: options.signal ?? null, credentials: 'same-origin', cache: 'no-store' };
  if (options.body !== undefined) {
    init.method = 'POST';
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new QueryError({ status: 0, error: 'unreachable', message: `the server does not answer (${(error as Error).message}); is kgdistill serve still running?` });
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (response.ok) return json as T;
  const body = (json ?? {}) as Partial<QueryFailure>;
  const retry = Number(response.headers.get('retry-after'));
  throw new QueryError({
    status: response.status, error: body.error ?? 'error', message: body.message ?? `${response.status} ${response.statusText}`,
    ...(Array.isArray(body.suggestions) ? { suggestions: body.suggestions } : {}),
    ...(Array.isArray(body.suggestionKeys) ? { suggestionKeys: body.suggestionKeys } : {}),
  }, Number.isFinite(retry) && retry > 0 ? retry : undefined);
}
