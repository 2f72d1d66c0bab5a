/**
 * Fastify's and Node's own refusals in the service's error shape, `{ error, message }` with `error` one of the
 * service's words (never a `FST_ERR_…` code, never a body with another shape): the body parser's (empty or
 * malformed JSON, a body past the limit, a content type other than JSON), the router's (a path segment past
 * `maxParamLength`, a path that is not valid percent-encoding) and the HTTP parser's (a request not received whole
 * in time, bytes that are not HTTP), which Node answers on the socket before any route runs.
 */
import { maxHeaderSize } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError } from 'fastify';

/** What an empty POST body is told, with or without a JSON Content-Type. */
export const EMPTY_BODY_MESSAGE = 'the body is empty: send a JSON object, or use GET with a query string';

/** An error answer: status, the service's word for it, and a message a client can act on. */
export interface ErrorAnswer {
  status: number;
  error: string;
  message: string;
}

/** Bytes as a message shows a limit ("16 KiB", "900 bytes"). */
function bytes(n: number): string {
  return n >= 1024 && n % 1024 === 0 ? `${n / 1024} KiB` : `${n} bytes`;
}

/** A path as a message quotes it: cut to 120 characters. */
const quotedPath = (path: string): string => `'${path.length > 120 ? `${path.slice(0, 120)}…` : path}'`;

/** A 4xx of fastify (body parser, router) as the service's answer; `limits` are the service's settings. */
export function frameworkAnswer(error: FastifyError, limits: { bodyLimit: number; maxParamLength: number }, contentType?: string): ErrorAnswer {
  const status = error.statusCode ?? 400;
  switch (error.code) {
    case 'FST_ERR_CTP_EMPTY_JSON_BODY': return { status, error: 'invalid', message: EMPTY_BODY_MESSAGE };
    case 'FST_ERR_CTP_INVALID_JSON_BODY': return { status, error: 'invalid', message: 'the body is not valid JSON (or has a __proto__ or constructor key): send a JSON object' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return { status, error: 'unsupported-media-type', message: `unsupported content type${contentType ? ` '${contentType.slice(0, 60)}'` : ''}: send application/json` };
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return { status, error: 'body-too-large', message: `the body is too large: at most ${bytes(limits.bodyLimit)}` };
    case 'FST_ERR_MAX_PARAM_LENGTH': return { status: 414, error: 'uri-too-long', message: `a part of the path is longer than ${limits.maxParamLength} characters: ${quotedPath(error.message.replace(/^'(.*)' is exceeding the max param length$/, '$1'))}` };
    case 'FST_ERR_BAD_URL': return { status: 400, error: 'invalid', message: `the path is not valid percent-encoding: ${quotedPath(error.message.replace(/^'(.*)' is not a valid url component$/, '$1'))}` };
    default: return { status, error: status === 429 ? 'rate-limited' : 'invalid', message: error.message };
  }
}

/**
 * Node's clientError handler (fastify's `clientErrorHandler`): a request not received whole in time gets a 408 naming
 * the limits — its headers within `headersTimeoutMs` (when shorter), all of it within `requestTimeoutMs`: Node's error
 * does not say which one ran out —, bytes that are not HTTP a 400; then the socket is closed.
 */
export function clientErrorHandler(requestTimeoutMs: number, onRefused: (reason: 'request-timeout' | 'bad-request') => void = () => undefined,
  headersTimeoutMs = requestTimeoutMs): (error: Error & { code?: string }, socket: Socket) => void {
  const limits = headersTimeoutMs < requestTimeoutMs ? `in time: its headers within ${headersTimeoutMs} ms, all of it within ${requestTimeoutMs} ms` : `within ${requestTimeoutMs} ms`;
  return (error, socket) => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const timeout = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    onRefused(timeout ? 'request-timeout' : 'bad-request');
    const answer: ErrorAnswer = timeout
      ? { status: 408, error: 'request-timeout', message: `the request was not received whole ${limits}` }
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? { status: 431, error: 'bad-request', message: `the request line and headers are larger than ${maxHeaderSize / 1024} KiB: send a long query as a POST with a JSON body` }
        : { status: 400, error: 'bad-request', message: `not a valid HTTP request${error.code ? ` (${error.code})` : ''}` };
    const reason = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' }[answer.status];
    const body = JSON.stringify({ error: answer.error, message: answer.message });
    if (socket.writable) {
      socket.write(`HTTP/1.1 ${answer.status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    }
    socket.destroy(error);
  };
}
