/**
 * Errors of lookup queries, typed so the CLI and the HTTP service can map them (unknown → 404, invalid → 400, a query
 * the model cannot answer as it is served — filtering without its dataset's known triples — → 409).
 */

/** What went wrong with a query: a name not found, a name of several entities, a bad query, or one the model cannot answer as loaded. */
export type LookupErrorKind = 'not-found' | 'ambiguous' | 'invalid' | 'unavailable';

/** The HTTP status of each kind: the service's answers and the page's worker's (as if from the service) alike. */
export const STATUS_OF_LOOKUP_ERROR: Readonly<Record<LookupErrorKind, number>> = { 'not-found': 404, ambiguous: 400, invalid: 400, unavailable: 409 };

/**
 * A query that cannot be answered as asked; `suggestions` lists close names when there are any ("key (name)"), and
 * `suggestionKeys` the key of each (a key may itself hold " (", so a suggestion's key is not cut out of its words).
 * The message ends with "; did you mean: …?" for the suggestions, but for an ambiguous name, whose message lists
 * the entries it matches (its suggestions) itself; `reason` is the message without that ending.
 */
export class LookupError extends Error {
  constructor(readonly kind: LookupErrorKind, readonly reason: string, readonly suggestions: readonly string[] = [], readonly suggestionKeys: readonly string[] = []) {
    super(suggestions.length > 0 && kind !== 'ambiguous' ? `${reason}; did you mean: ${suggestions.join(', ')}?` : reason);
    this.name = 'LookupError';
  }
}

/** `resolve()`, a lookup error of which starts with `role` ("tail: unknown entity 'x'"), suggestions kept. */
export function resolvedAs(role: string, resolve: () => number): number {
  try {
    return resolve();
  } catch (error) {
    if (!(error instanceof LookupError)) throw error;
    throw new LookupError(error.kind, `${role}: ${error.reason}`, error.suggestions, error.suggestionKeys);
  }
}
