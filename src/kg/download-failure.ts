/**
 * Why a download failed, in words that fit the failure: only errors of the network itself (no DNS answer, a
 * refused or timed-out connection, an unreachable network) are called network errors, the kind that working
 * offline or through a mirror works around; an untrusted TLS certificate, a connection cut in the middle of the
 * body, and others are said as they are. URLs in messages never show a user name or password.
 */

/** What went wrong with a download: the kind decides which advice fits. */
export type DownloadFailureKind = 'network' | 'timeout' | 'slow' | 'tls' | 'redirect' | 'truncated' | 'http' | 'too-large' | 'file' | 'interrupted' | 'other';

/** Error codes of the network itself: no name resolution, no route, a refused or timed-out connection. */
const NETWORK_CODES = new Set([
  'ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENETUNREACH',
  'EHOSTUNREACH', 'ENETDOWN', 'EHOSTDOWN', 'UND_ERR_CONNECT_TIMEOUT',
]);

/** Error codes of a TLS certificate that is not trusted (self-signed, a private CA, expired, another host's). */
const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_UNTRUSTED', 'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_REVOKED', 'CERT_SIGNATURE_FAILURE',
]);

/** `text` with the user and password of every URL in it replaced by `***` ("https://***@host/…"). */
export function redactUrls(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/?#\s@]*@/gi, '$1***@');
}

/**
 * The innermost cause's code and its words, "message, CODE" (the code added when the message lacks it), of a fetch
 * error (undici wraps them as `cause`, sometimes an AggregateError).
 */
function rootCause(error: unknown): { code?: string; detail: string } {
  let current = error as { cause?: unknown; code?: unknown; message?: unknown; errors?: unknown[] } | undefined;
  for (let depth = 0; depth < 5 && current?.cause !== undefined && current.cause !== null; depth++) current = current.cause as typeof current;
  const code = typeof current?.code === 'string' ? current.code : (current?.errors?.[0] as { code?: unknown } | undefined)?.code;
  const message = redactUrls(typeof current?.message === 'string' && current.message !== '' ? current.message : String(code ?? error));
  const detail = typeof code === 'string' && !message.includes(code) ? `${message}, ${code}` : message;
  return { ...(typeof code === 'string' ? { code } : {}), detail };
}

/** A failure of the request itself (before any response): its kind and reason. */
export function requestFailure(error: unknown): { kind: DownloadFailureKind; reason: string } {
  const { code, detail } = rootCause(error);
  if (code !== undefined && NETWORK_CODES.has(code)) return { kind: 'network', reason: `network error (${detail})` };
  if (code !== undefined && (CERTIFICATE_CODES.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_'))) {
    const certificate = code.startsWith('ERR_SSL_') ? 'TLS handshake failed' : 'TLS certificate not trusted';
    return { kind: 'tls', reason: `${certificate} (${detail}); for a mirror with a private CA, set NODE_EXTRA_CA_CERTS to its certificate file` };
  }
  return { kind: 'other', reason: `the request failed (${detail})` };
}

/** A failure while reading the body after `received` bytes: the connection closed early (the download is truncated). */
export function bodyFailure(error: unknown, received: string): { kind: DownloadFailureKind; reason: string } {
  const { detail } = rootCause(error);
  return { kind: 'truncated', reason: `the connection closed after ${received} bytes (download truncated: ${detail})` };
}
