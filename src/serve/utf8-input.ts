/**
 * Names reach the service percent-encoded in a query string or as JSON text. Bytes that are not UTF-8 would reach
 * a lookup as a literal "%FF" (the query parser keeps what it cannot decode) or as U+FFFD (a body decoded
 * leniently), and be answered "unknown entity" (404) as if the name were only misspelt. Both are a client's
 * encoding error: these checks let the service refuse them with a 400 that says so.
 */

/** The first `name=value` pair of a URL's query string that is not percent-encoded UTF-8, or undefined. */
export function badlyEncodedQueryPair(url: string): string | undefined {
  const start = url.indexOf('?');
  if (start < 0) return undefined;
  for (const pair of url.slice(start + 1).split('&')) {
    try {
      decodeURIComponent(pair.replace(/\+/g, ' '));
    } catch {
      return pair;
    }
  }
  return undefined;
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** A body's bytes as text, or undefined when they are not UTF-8. */
export function strictUtf8(body: Buffer): string | undefined {
  try {
    return STRICT_UTF8.decode(body);
  } catch {
    return undefined;
  }
}
