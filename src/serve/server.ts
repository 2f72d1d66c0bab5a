/**
 * The HTTP JSON API over one or more opened runs (fastify):
 *
 *   GET  /health/live                     200 while the process runs
 *   GET  /health/ready                    200 once every model is loaded with its neighbour index, else 503
 *   GET  /health                          status, checkpoint names, uptime (200; `status` says loading/ready/closing)
 *   GET  /metrics                         Prometheus text format (metrics.ts)
 *   GET  /models                          model info of every checkpoint
 *   GET  /models/:model                   model info (model, dim, entities, relations, similarity, index)
 *   GET|POST /models/:model/neighbors     { entity, k?, exact? }                       → nearest entities
 *   GET|POST /models/:model/predict       { head | tail, relation, k?, filtered?, exact? } → top-k answers;
 *                                         { head, relation, tail } → that triple's score and the filtered and raw rank
 *                                         of its tail (as `kgdistill predict --head --relation --tail --json`)
 *   GET  /, /explorer/*, /models/:model/{run,suggest,projection,compare}   the browser explorer (explorer-routes.ts)
 *
 * GET takes the fields as a query string, POST as a JSON body (at most 16 KiB); both are validated by the zod
 * schemas of schemas.ts. Every failure is a 4xx with `{ error, message }` naming what is wrong: an unknown model
 * or entity a 404 with suggestions, a known path with a method it does not take a 405 with Allow, a bad
 * parameter a 400, a missing or wrong API key a 401, a Host that is not this machine's on a loopback service without
 * an API key a 403 (DNS rebinding; `allowedHosts`), too many requests from one client a 429, an oversized body a
 * 413, a non-JSON body a 415; a model still loading is a 503 (with
 * Retry-After). No answer contains a path of the server's file system. Every answer carries its request's id in
 * X-Request-Id (the client's own when it sent a plain one; request-id.ts).
 */
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { LookupError, STATUS_OF_LOOKUP_ERROR } from '../lookup/errors.js';
import type { CheckpointLookup } from '../lookup/checkpoint-lookup.js';
import { ConnectionGuard, trustedProxies } from './connections.js';
import { headerCount, hostChecker, hostName, isLoopback, keyChecker, presentedKey } from './auth.js';
import { isVocabularyKey, sentStrings, withoutPaths } from './hide-paths.js';
import { fail, failureOf } from './error-answer.js';
import { ServedModels } from './served-models.js';
import { SERVICE_DEFAULTS } from './service-defaults.js';
import { clientKey, RateLimiter } from './rate-limit.js';
import { ServiceMetrics } from './metrics.js';
import { AllowedMethods } from './allowed-methods.js';
import { clientErrorHandler, EMPTY_BODY_MESSAGE, frameworkAnswer } from './framework-errors.js';
import { REQUEST_ID_HEADER, requestIdOf } from './request-id.js';
import { badlyEncodedQueryPair, strictUtf8 } from './utf8-input.js';
import { EXPLORER_OPEN_ROUTES, explorerRoutes, type ExplorerOptions } from './explorer-routes.js';
import { DEFAULT_MAX_K, allowedKeys, issueMessage, modelParams, neighborsSchemas, predictSchemas, shown, type RouteSchemas } from './schemas.js';

/** Options of the service. */
export interface ServerOptions {
  maxK?: number;
  bodyLimit?: number;
  /** Log one JSON line per answered request (fastify's logger, pino) to stdout, or to the stream given. */
  logger?: boolean | { stream: NodeJS.WritableStream };
  /** Requests must present this key (Authorization: Bearer, or X-API-Key); the health probes need none. */
  apiKey?: string;
  /** Requests per client (by address) and window, with `apiKey` counted apart for requests without it; `max: 0` switches the limit off. */
  rateLimit?: { max: number; windowMs: number };
  /** Time to receive a whole request (ms; a slower client gets a 408) and to keep an idle connection open. */
  requestTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
  /** Connections held at once; more get a 503 and are closed. */
  maxConnections?: number;
  /**
   * Connections one client address holds at once (IPv6 by its /64; the proxies of `trustProxy` are outside it); more
   * get the same 503. `Infinity`: no per-client cap.
   */
  maxConnectionsPerClient?: number;
  /** Time to receive a request's headers (ms; a slower client gets a 408); at most the request timeout. */
  headersTimeoutMs?: number;
  /**
   * The address the service will listen on (serve's `--host`; default loopback): on loopback without `apiKey`, a
   * request whose Host is not this machine's (localhost, 127.0.0.1, [::1]) nor in `allowedHosts` gets a 403 (DNS
   * rebinding). Once listening, the address bound decides.
   */
  host?: string;
  /** Host names (any port) a loopback service without an API key answers besides localhost, 127.0.0.1 and [::1]. */
  allowedHosts?: readonly string[];
  /**
   * Take the client address from X-Forwarded-For (behind a proxy or load balancer): a number of proxy hops to trust
   * (1: the address the nearest proxy appended), or the proxies' addresses or CIDR ranges. `true` trusts every hop:
   * any client can then name itself (avoid it where clients reach the service through a proxy you do not control).
   */
  trustProxy?: boolean | number | string[];
  /**
   * The browser explorer at `/` (explorer-routes.ts); `false`: the JSON API alone (no page, and no teacher runs
   * opened for comparisons).
   */
  explorer?: ExplorerOptions | false;
}

/** Trusts the `hops` proxies nearest the service: the client is the address the farthest of them saw. */
function trustHops(hops: number): (address: string, hop: number) => boolean {
  return (_address, hop) => hop < hops;
}

/** Longest path parameter the router takes (past it a 414): above the longest model name schemas.ts accepts. */
const MAX_PARAM_LENGTH = 256;

export { ServedModels } from './served-models.js';

/** An error answer with its status (thrown by handlers and hooks). */
class HttpError extends Error {
  constructor(readonly statusCode: number, readonly code: string, message: string) {
    super(message);
  }
}

export { withoutPaths } from './hide-paths.js';

/** Longest error message repeated in a request's log line. */
const LOGGED_MESSAGE_LENGTH = 300;

const METHODS = new Set(['GET', 'POST', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'PATCH']);
const OPEN_ROUTES = new Set(['/health/live', '/health/ready', ...EXPLORER_OPEN_ROUTES]);
/** The open routes outside the rate limit: the probes (the explorer's files count as requests without the key). */
const PROBE_ROUTES = new Set(['/health/live', '/health/ready']);
/**
 * Routes outside the rate limit besides the open ones: the monitoring ones, which keep the API key (a scrape must not
 * go blind, nor spend a client's budget, when it shares that client's address: a sidecar proxy, a NAT). Only requests
 * that present the key skip the limit, so it still slows down guesses at the key.
 */
const MONITORING_ROUTES = new Set(['/metrics', '/health']);

/** Whether a request's headers announce a body (a Content-Length above 0, or a Transfer-Encoding). */
function announcesBody(headers: FastifyRequest['headers']): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * Builds the service (not yet listening; tests call `inject`). `models` may be a list of loaded runs (ready at
 * once) or a ServedModels that the caller fills while the service already answers its health probes.
 */
export function buildServer(models: ServedModels | readonly CheckpointLookup[], options: ServerOptions = {}): FastifyInstance {
  const served = models instanceof ServedModels ? models : new ServedModels(models.map((l) => l.name));
  if (!(models instanceof ServedModels)) for (const lookup of models) served.add(lookup);
  const maxK = options.maxK ?? DEFAULT_MAX_K;
  const requestTimeout = options.requestTimeoutMs ?? SERVICE_DEFAULTS.requestTimeoutMs;
  const limits = { bodyLimit: options.bodyLimit ?? SERVICE_DEFAULTS.bodyLimit, maxParamLength: MAX_PARAM_LENGTH };
  const started = Date.now();
  const headersTimeout = Math.min(requestTimeout, options.headersTimeoutMs ?? SERVICE_DEFAULTS.headersTimeoutMs);
  const onClientError = clientErrorHandler(requestTimeout, (reason) => metrics.refused(reason), headersTimeout);
  const app = Fastify({
    logger: options.logger ?? false,
    logController: new LogController({ disableRequestLogging: true }), // the onResponse hook logs one line per request
    bodyLimit: limits.bodyLimit,
    routerOptions: { maxParamLength: limits.maxParamLength },
    // pipelined requests before the bad bytes (or the timed-out request) are answered first, then the error
    clientErrorHandler: (error, socket) => guard.afterAnswers(socket, () => onClientError(error, socket)),
    frameworkErrors: (error, request, reply) => {
      // the router answers these before any hook: no onRequest (X-Request-Id) and no onResponse (metrics, --log) runs
      reply.header(REQUEST_ID_HEADER, request.id);
      reply.raw.once('finish', () => answered(request, reply));
      const answer = frameworkAnswer(error, limits);
      void fail(reply, answer.status, answer.error, answer.message);
    },
    requestTimeout,
    connectionTimeout: 6 * requestTimeout,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? SERVICE_DEFAULTS.keepAliveTimeoutMs,
    return503OnClosing: false, // a drain answers what it has received (connections.ts)
    // Node checks request timeouts on this interval (30 s by default, which would stretch a 10 s timeout to 40)
    http: { connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(requestTimeout / 4))) },
    // a number of hops as a function (fastify takes one at run time, but its types do not say so): trust hop i < n
    trustProxy: typeof options.trustProxy === 'number' ? trustHops(options.trustProxy) : options.trustProxy ?? false,
    genReqId: requestIdOf,
  });
  // shorter than the whole request's: a client that sends its headers a line at a time is dropped sooner
  app.server.headersTimeout = headersTimeout;
  // during a drain, when Node no longer checks them, a request not received whole in time gets the same 408
  const guard = new ConnectionGuard(app.server, options.maxConnections ?? SERVICE_DEFAULTS.maxConnections, requestTimeout,
    (socket) => onClientError(Object.assign(new Error('request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), socket),
    { max: options.maxConnectionsPerClient ?? SERVICE_DEFAULTS.maxConnectionsPerClient, exempt: trustedProxies(options.trustProxy) });
  const ready = (): boolean => !guard.closing && served.ready();
  const hide = (text: string, extraDirs: readonly string[] = [], sent: ReadonlySet<string> = new Set()): string =>
    withoutPaths(text, [...served.privateDirs(), ...extraDirs], (candidate) => sent.has(candidate) || isVocabularyKey(served.loaded(), candidate));
  const metrics = new ServiceMetrics({ lookups: () => served.loaded(), ready, inFlight: () => guard.inFlight });
  guard.onRefused = () => metrics.refused('too-many-connections');
  app.decorate('connections', guard);

  app.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id); // every answer, refusals included, names its request (request-id.ts)
    done();
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    // an answer before the body came whole (a 401, 415 or 429 refuses it unread): the rest may never come, and Node
    // would keep the connection waiting for it, then send its request timeout's 408 as a second answer: close it
    if (!request.raw.complete && announcesBody(request.headers)) reply.header('connection', 'close');
    done(null, payload);
  });
  if (options.apiKey === undefined) {
    // DNS rebinding: a page of another site whose name now points at 127.0.0.1 is same-origin with a loopback service
    const localHost = hostChecker(options.allowedHosts);
    let bound: string | undefined;
    const onLoopback = (): boolean => {
      if (bound === undefined) {
        const address = app.server.address();
        if (address === null || typeof address !== 'object') return isLoopback(options.host ?? '127.0.0.1'); // not listening (yet)
        bound = address.address;
      }
      return isLoopback(bound);
    };
    app.addHook('onRequest', (request, _reply, done) => {
      const host = request.headers.host;
      if (localHost(host) || !onLoopback()) return done();
      const shown = JSON.stringify(String(host).slice(0, 100));
      done(new HttpError(403, 'forbidden-host', `the Host ${shown} is not allowed: this service listens on loopback without an API key, so it answers only requests for localhost, 127.0.0.1 or [::1] (against DNS rebinding); to reach it under another name, start it with --allowed-host ${hostName(String(host)).slice(0, 100) || 'NAME'}, or give it an API key`));
    });
  }
  app.removeContentTypeParser('text/plain'); // a JSON API: anything but application/json is a 415
  // names must arrive as UTF-8: a byte that is not would otherwise make a 404 "unknown entity" (utf8-input.ts)
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const text = strictUtf8(body as Buffer);
    if (text === undefined) return done(new HttpError(400, 'invalid', 'the body is not UTF-8: send JSON text encoded as UTF-8'), undefined);
    parseJson(request, text, done);
  });
  app.addHook('onRequest', (request, _reply, done) => {
    // a compressed body would reach the JSON parser as bytes ("not valid JSON"): say what is not supported instead
    const encoding = request.headers['content-encoding'];
    if (encoding === undefined || encoding.trim().toLowerCase() === 'identity') return done();
    done(new HttpError(415, 'unsupported-media-type', `unsupported content encoding '${encoding.slice(0, 40)}': send the body uncompressed`));
  });
  app.setErrorHandler((error: FastifyError | HttpError | LookupError, request, reply) => {
    if (error instanceof LookupError) return fail(reply, STATUS_OF_LOOKUP_ERROR[error.kind], error.kind, hide(error.message, [], sentStrings(request.query, request.body)), error.suggestions, error.suggestionKeys);
    if (error instanceof HttpError) {
      if (error.statusCode === 503) reply.header('retry-after', '1'); // a model still loading: ask again shortly
      return fail(reply, error.statusCode, error.code, hide(error.message));
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const answer = frameworkAnswer(error, limits, request.headers['content-type']);
      return fail(reply, answer.status, answer.error, hide(answer.message));
    }
    // an answer of 500 is a defect: its trace goes to the log, or to stderr without one (never to the client)
    if (options.logger) request.log.error(error);
    else process.stderr.write(`kgdistill serve: ${new Date().toISOString()} internal-error: request ${request.id} ${request.method} ${request.url.slice(0, 200)}: ${error.stack ?? error.message}\n`);
    return fail(reply, 500, 'internal', 'internal error');
  });
  const routes = new AllowedMethods();
  app.addHook('onRoute', (route) => routes.add(route.url, route.method));
  app.setNotFoundHandler((request, reply) => {
    const allow = routes.allowed(request.url);
    const what = `${request.method.slice(0, 10)} ${request.url.slice(0, 200)}`;
    if (allow.length === 0) return fail(reply, 404, 'not-found', `no route ${what}`);
    return fail(reply.header('allow', allow.join(', ')), 405, 'method-not-allowed', `no route ${what}: ${request.url.split('?')[0]!.slice(0, 200)} takes ${allow.join(', ')}`);
  });
  /** An answered request in the metrics and, with a logger, its one log line (onResponse; the router's refusals). */
  function answered(request: FastifyRequest, reply: FastifyReply): void {
    const method = METHODS.has(request.method) ? request.method : 'OTHER';
    metrics.observe(method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    if (options.logger) {
      const model = (request.params as { model?: unknown } | undefined)?.model;
      const failure = failureOf(reply);
      request.log.info({
        method: request.method, url: request.url.slice(0, 500), route: request.routeOptions.url ?? null, ...(typeof model === 'string' ? { model: model.slice(0, 200) } : {}),
        statusCode: reply.statusCode, responseTime: Math.round(reply.elapsedTime * 1000) / 1000, remoteAddress: request.ip,
        ...(failure ? { error: failure.error, message: failure.message.slice(0, LOGGED_MESSAGE_LENGTH) } : {}),
      }, 'request');
    }
  }
  app.addHook('onResponse', (request, reply, done) => {
    answered(request, reply);
    done();
  });

  /** Whether a request presents the API key (every request does when the service has none). */
  const keyed = options.apiKey === undefined ? () => true : keyChecker(options.apiKey);
  const rate = options.rateLimit ?? SERVICE_DEFAULTS.rateLimit;
  if (rate.max > 0) {
    const limiter = new RateLimiter(rate.max, rate.windowMs);
    app.addHook('onRequest', (request, reply, done) => {
      const route = request.routeOptions.url ?? '';
      if (PROBE_ROUTES.has(route)) return done();
      // (true for every request of a service without a key; with one, the explorer's files count as requests without it)
      const withKey = options.apiKey === undefined || (!OPEN_ROUTES.has(route) && keyed(request.headers, request.raw.rawHeaders));
      if (MONITORING_ROUTES.has(route) && withKey) return done();
      // with a key, requests that present it and requests that do not are counted apart: guesses from an address
      // (one client behind a NAT or a proxy) do not use up the limit of the clients there that hold the key
      const decision = limiter.check(`${withKey ? '' : 'no key:'}${clientKey(request.ip)}`);
      if (decision.allowed) return done();
      reply.header('retry-after', String(decision.retryAfterSeconds));
      done(new HttpError(429, 'rate-limited', `more than ${limiter.max} requests in ${limiter.describeWindow()} from this client${withKey ? '' : ' without the API key'}; retry in ${decision.retryAfterSeconds} s`));
    });
  }
  if (options.apiKey !== undefined) {
    app.addHook('onRequest', (request, _reply, done) => {
      if (OPEN_ROUTES.has(request.routeOptions.url ?? '') || keyed(request.headers, request.raw.rawHeaders)) return done();
      const how = 'send it as "Authorization: Bearer <key>" or "X-API-Key: <key>"';
      const repeated = ['Authorization', 'X-API-Key'].find((name) => headerCount(request.raw.rawHeaders, name.toLowerCase()) > 1);
      const why = repeated !== undefined ? `the request has more than one ${repeated} header: ${how}, once`
        : presentedKey(request.headers) === undefined ? `this service needs an API key: ${how}` : `the API key sent is not this service's: ${how}`;
      done(new HttpError(401, 'unauthorized', why));
    });
    app.addHook('onSend', (request, reply, payload, done) => {
      if (reply.statusCode === 401) reply.header('www-authenticate', 'Bearer realm="kgdistill"');
      done(null, payload);
    });
  }

  // a query string that is not percent-encoded UTF-8 is a 400 (utf8-input.ts), after the rate limit and the key
  app.addHook('onRequest', (request, _reply, done) => {
    const pair = badlyEncodedQueryPair(request.url);
    if (pair === undefined) return done();
    done(new HttpError(400, 'invalid', `the query parameter '${pair.slice(0, 80)}' is not percent-encoded UTF-8: send each byte of a name's UTF-8 as %XX, and a % sign as %25`));
  });

  const lookupOf = (model: unknown): CheckpointLookup => {
    const parsed = modelParams.safeParse(model);
    if (!parsed.success) throw new HttpError(400, 'invalid', issueMessage(parsed.error, ['model']));
    const name = parsed.data.model;
    const lookup = served.get(name);
    if (lookup) return lookup;
    if (served.expected.includes(name)) throw new HttpError(503, 'not-ready', `model '${name}' is still loading`);
    throw new LookupError('not-found', `unknown model '${name}' (serving: ${served.expected.join(', ')})`);
  };
  /** The request's parameters through the route's schema (query string for GET, JSON body for POST). */
  const input = <T>(request: FastifyRequest, schemas: RouteSchemas<T>): T => {
    const get = request.method === 'GET' || request.method === 'HEAD';
    const value = get ? request.query : request.body;
    if (get && (Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined)) {
      // a body is never read on GET: answering from the query string alone would answer another question
      throw new HttpError(400, 'invalid', 'GET takes its parameters in the query string, not a body: move them into the query string, or use POST');
    }
    if (!get && value === undefined) throw new HttpError(400, 'invalid', EMPTY_BODY_MESSAGE);
    if (!get && (value === null || typeof value !== 'object' || Array.isArray(value))) {
      throw new HttpError(400, 'invalid', `the body must be a JSON object, got ${shown(value)}`);
    }
    const queryKeys = get ? [] : Object.keys((request.query ?? {}) as object);
    if (queryKeys.length > 0) { // it would be ignored: the answer would be to another question than the one asked
      const named = queryKeys.slice(0, 5).map((key) => `'${key.slice(0, 40)}'`).join(', ');
      throw new HttpError(400, 'invalid', `POST takes its parameters in the JSON body, not the query string (it has ${named}): move ${queryKeys.length > 1 ? 'them' : 'it'} into the body, or use GET`);
    }
    const schema = get ? schemas.query : schemas.body;
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new HttpError(400, 'invalid', issueMessage(parsed.error, allowedKeys(schema as z.ZodType)));
    return parsed.data;
  };
  const info = (lookup: CheckpointLookup): Record<string, unknown> => {
    const facts = lookup.info();
    return typeof facts.note === 'string' ? { ...facts, note: hide(facts.note) } : facts;
  };

  app.register(async (api) => {
    api.get('/health/live', async () => ({ status: 'live' }));
    api.get('/health/ready', async (_request, reply) => {
      if (ready()) return { status: 'ready', checkpoints: served.expected };
      const missing = served.expected.filter((name) => !served.get(name)?.indexReady);
      const why = guard.closing ? 'shutting down' : served.failure ? `loading failed: ${hide(served.failure)}` : `loading ${missing.join(', ')}`;
      return fail(reply.header('retry-after', '1'), 503, 'not-ready', why);
    });
    api.get('/health', async () => ({
      status: guard.closing ? 'closing' : served.ready() ? 'ok' : 'loading',
      checkpoints: served.expected,
      uptimeSeconds: Math.round((Date.now() - started) / 1000),
    }));
    api.get('/metrics', async (_request, reply) => reply.type('text/plain; version=0.0.4; charset=utf-8').send(await metrics.text()));
    api.get('/models', async () => ({ models: served.loaded().map(info), loading: served.expected.filter((name) => !served.get(name)) }));
    api.get('/models/:model', async (request) => info(lookupOf(request.params)));

    const neighbors = neighborsSchemas(maxK);
    const predict = predictSchemas(maxK);
    const answerNeighbors = async (request: FastifyRequest) => {
      const lookup = lookupOf(request.params);
      const q = input(request, neighbors);
      return lookup.neighbors(q.entity, q.k, { exact: q.exact, maxK });
    };
    const answerPredict = async (request: FastifyRequest) => {
      const lookup = lookupOf(request.params);
      const q = input(request, predict);
      if (q.head !== undefined && q.tail !== undefined) return lookup.score(q.head, q.relation, q.tail);
      return lookup.predict(q, { maxK });
    };
    api.get('/models/:model/neighbors', answerNeighbors);
    api.post('/models/:model/neighbors', answerNeighbors);
    api.get('/models/:model/predict', answerPredict);
    api.post('/models/:model/predict', answerPredict);
  });
  if (options.explorer !== false) app.register(explorerRoutes(served, { hide, ...options.explorer }));
  return app;
}

/** The connection guard of a service built by buildServer (drain, in-flight count). */
export function connectionsOf(app: FastifyInstance): ConnectionGuard {
  return (app as unknown as { connections: ConnectionGuard }).connections;
}
