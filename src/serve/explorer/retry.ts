/**
 * Asking again while the server says it is not ready (503 with Retry-After: a model still loading, its index still
 * being built, a teacher still opening) — saying so in the page meanwhile instead of hanging — up to a limit.
 */
import { QueryError } from './api-client.js';
import { sleep } from './dom.js';

/** Longest the page keeps asking (ms) before it gives up and says so. */
const GIVE_UP_MS = 10 * 60_000;

/** Runs `ask` until it answers; while the server is not ready, calls `waiting(message)` and retries. */
export async function untilReady<T>(ask: () => Promise<T>, waiting: (message: string) => void, stillWanted: () => boolean = () => true): Promise<T> {
  const started = Date.now();
  for (;;) {
    try {
      return await ask();
    } catch (error) {
      if (!(error instanceof QueryError) || !error.notReady || !stillWanted() || Date.now() - started > GIVE_UP_MS) throw error;
      waiting(`${error.message} — asking again in a moment…`);
      await sleep(Math.min(5000, Math.max(500, 1000 * (error.retryAfter ?? 1))));
    }
  }
}
