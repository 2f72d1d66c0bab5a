/**
 * How many answers a lookup gives when its caller names no k (`neighbors`, `predict`; the command line's `--k`, the
 * service's `k`, the library's and the page's argument): ten, as PyKEEN's and most lookups' default, or fewer where
 * the model has fewer entities to list or the caller caps k lower (the service's --max-k) — a default never refused.
 */

/** The k of a lookup that names none, where the model and the caller's cap allow it. */
export const DEFAULT_ANSWER_COUNT = 10;

/** The k a lookup uses when given none: DEFAULT_ANSWER_COUNT, or the smaller of `maxK` and `available` (at least 1). */
export function defaultAnswerCount(maxK: number | undefined, available: number): number {
  return Math.max(1, Math.min(DEFAULT_ANSWER_COUNT, maxK ?? Infinity, available));
}
