/**
 * Request ids for tracing a request through a proxy, the service's log and the client: an `X-Request-Id` the client
 * or a proxy sent is kept when it is a plain token (letters, digits, `.`, `_`, `:`, `-`; at most 128 characters, so
 * nothing can forge log lines or bloat them), otherwise the service makes one (a random UUID). Every answer carries
 * it back in `X-Request-Id`, and the `--log` line of the request has it as `reqId`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The header that carries a request's id, both ways. */
export const REQUEST_ID_HEADER = 'x-request-id';

const TOKEN = /^[A-Za-z0-9._:-]{1,128}$/;

/** The id of a request: the client's `X-Request-Id` when it is a plain token, else a new random UUID (fastify's genReqId). */
export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && TOKEN.test(given) ? given : randomUUID();
}
