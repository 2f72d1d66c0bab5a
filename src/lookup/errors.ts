/** Errors of lookup queries, typed so the CLI and the HTTP service can map them (unknown → 404, invalid → 400). */

/** What went wrong with a query. */
export type LookupErrorKind = 'not-found' | 'ambiguous' | 'invalid';

/** A query that cannot be answered as asked; `suggestions` lists close names when there are any. */
export class LookupError extends Error {
  constructor(readonly kind: LookupErrorKind, message: string, readonly suggestions: readonly string[] = []) {
    super(suggestions.length > 0 ? `${message}; did you mean: ${suggestions.join(', ')}?` : message);
    this.name = 'LookupError';
  }
}
