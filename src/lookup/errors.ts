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

/** `resolve()`, a lookup error of which starts with `role` ("tail: unknown entity 'x'"), suggestions kept. */
export function resolvedAs(role: string, resolve: () => number): number {
  try {
    return resolve();
  } catch (error) {
    if (!(error instanceof LookupError)) throw error;
    const suffix = error.suggestions.length > 0 ? `; did you mean: ${error.suggestions.join(', ')}?` : '';
    throw new LookupError(error.kind, `${role}: ${error.message.slice(0, error.message.length - suffix.length)}`, error.suggestions);
  }
}
