/**
 * The HTTP JSON API over one or more opened runs (fastify):
 *
 *   GET  /health                          status, checkpoint names, uptime
 *   GET  /models                          model info of every checkpoint
 *   GET  /models/:model                   model info (model, dim, entities, relations, similarity, indexes)
 *   GET|POST /models/:model/neighbors     { entity, k?, exact? }                       → nearest entities
 *   GET|POST /models/:model/predict       { head | tail, relation, k?, filtered?, exact? } → top-k answers
 *
 * GET takes the fields as a query string, POST as a JSON body (at most 16 KiB). Every input is validated: an
 * unknown model or entity is a 404 with a message and suggestions, a bad or too large k or an unknown field a
 * 400, an oversized body a 413, a non-JSON body a 415; errors never take the process down.
 */
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { LookupError } from '../lookup/errors.js';
import type { CheckpointLookup } from '../lookup/checkpoint-lookup.js';
import { DEFAULT_K, DEFAULT_MAX_K, modelParams, neighborsSchema, predictSchema, type NeighborsRequest, type PredictRequestBody } from './schemas.js';

/** Options of the service. */
export interface ServerOptions {
  maxK?: number;
  bodyLimit?: number;
  /** Log requests to stdout (fastify's logger). */
  logger?: boolean;
}

/** Error body of every 4xx/5xx answer. */
interface ErrorBody {
  error: string;
  message: string;
  suggestions?: readonly string[];
}

const STATUS_OF: Record<LookupError['kind'], number> = { 'not-found': 404, ambiguous: 400, invalid: 400 };

/** Sends an error answer. */
function fail(reply: FastifyReply, status: number, error: string, message: string, suggestions?: readonly string[]): FastifyReply {
  const body: ErrorBody = { error, message };
  if (suggestions && suggestions.length > 0) body.suggestions = suggestions;
  return reply.code(status).send(body);
}

/** Builds the service (not yet listening; tests call `inject`). */
export function buildServer(lookups: readonly CheckpointLookup[], options: ServerOptions = {}): FastifyInstance {
  const maxK = options.maxK ?? DEFAULT_MAX_K;
  const byName = new Map(lookups.map((l) => [l.name, l]));
  const started = Date.now();
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 16 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  });

  app.removeContentTypeParser('text/plain'); // a JSON API: anything but application/json is a 415
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof LookupError) return fail(reply, STATUS_OF[error.kind], error.kind, error.message, error.suggestions);
    if (error.validation) return fail(reply, 400, 'invalid', `${error.validationContext ?? 'request'} ${error.validation[0]?.instancePath ?? ''} ${error.validation[0]?.message ?? 'is invalid'}`.replace(/\s+/g, ' ').trim());
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) return fail(reply, status, error.code ?? 'bad-request', error.message);
    request.log.error(error);
    return fail(reply, 500, 'internal', 'internal error');
  });
  app.setNotFoundHandler((request, reply) => fail(reply, 404, 'not-found', `no route ${request.method} ${request.url.slice(0, 200)}`));

  const lookupOf = (model: string): CheckpointLookup => {
    const lookup = byName.get(model);
    if (!lookup) throw new LookupError('not-found', `unknown model '${model}' (serving: ${[...byName.keys()].join(', ')})`);
    return lookup;
  };

  app.get('/health', async () => ({ status: 'ok', checkpoints: [...byName.keys()], uptimeSeconds: Math.round((Date.now() - started) / 1000) }));
  app.get('/models', async () => ({ models: lookups.map((l) => l.info()) }));
  app.get<{ Params: { model: string } }>('/models/:model', { schema: { params: modelParams } }, async (request) => lookupOf(request.params.model).info());

  const neighbors = async (model: string, input: NeighborsRequest) => lookupOf(model).neighbors(input.entity, input.k ?? DEFAULT_K, { exact: input.exact, maxK });
  const predict = async (model: string, input: PredictRequestBody) => lookupOf(model).predict({ ...input, k: input.k ?? DEFAULT_K }, { maxK });

  type Params = { Params: { model: string } };
  app.get<Params & { Querystring: NeighborsRequest }>('/models/:model/neighbors', { schema: { params: modelParams, querystring: neighborsSchema(maxK) } },
    async (request: FastifyRequest<Params & { Querystring: NeighborsRequest }>) => neighbors(request.params.model, request.query));
  app.post<Params & { Body: NeighborsRequest }>('/models/:model/neighbors', { schema: { params: modelParams, body: neighborsSchema(maxK) } },
    async (request: FastifyRequest<Params & { Body: NeighborsRequest }>) => neighbors(request.params.model, request.body));
  app.get<Params & { Querystring: PredictRequestBody }>('/models/:model/predict', { schema: { params: modelParams, querystring: predictSchema(maxK) } },
    async (request: FastifyRequest<Params & { Querystring: PredictRequestBody }>) => predict(request.params.model, request.query));
  app.post<Params & { Body: PredictRequestBody }>('/models/:model/predict', { schema: { params: modelParams, body: predictSchema(maxK) } },
    async (request: FastifyRequest<Params & { Body: PredictRequestBody }>) => predict(request.params.model, request.body));
  return app;
}
