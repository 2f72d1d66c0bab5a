/**
 * The browser explorer's routes, beside the JSON API of server.ts (which registers them):
 *
 *   GET  /                               the explorer page (explorer-assets.ts; open without an API key)
 *   GET  /explorer/:file                 its scripts, styles, worker and wasm binaries (open without an API key)
 *   GET  /models/:model/run              test metrics, curves, settings, and a student's teachers (run-facts.ts)
 *   GET  /models/:model/suggest          { q, k? } → entities whose key or name is close (the server's resolver)
 *   POST /models/:model/projection       { entity, ids } → the neighbourhood picture's coordinates (lookup/projection.ts)
 *   GET  /models/:model/compare          { head | tail, relation, gold?, k? } → a student beside its teachers
 *
 * The page itself only ever talks to these and to the JSON API (`/models`, `/models/:model/neighbors|predict`).
 * Requests are validated by explorer-schemas.ts; a model still loading (building its index) is a 503 that says
 * so, with Retry-After; an unknown entity a 404 with suggestions, as in the JSON API.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { CheckpointLookup } from '../lookup/checkpoint-lookup.js';
import { LookupError } from '../lookup/errors.js';
import { projectNeighbourhood } from '../lookup/projection.js';
import { acceptsGzip, ASSET_HEADERS, loadAssets, type Asset } from './explorer-assets.js';
import { compareQuery, MAX_SUGGESTIONS, projectionBody, suggestQuery } from './explorer-schemas.js';
import { readRunFacts, type RunFacts } from './run-facts.js';
import { compareWithTeachers, TeacherPool } from './teacher-comparison.js';
import { allowedKeys, issueMessage, modelParams } from './schemas.js';
import { fail, noteFailure } from './error-answer.js';

/** Routes that need no API key: the page and its files hold no data. */
export const EXPLORER_OPEN_ROUTES: readonly string[] = ['/', '/explorer/:file'];

/** The service's models as the explorer needs them (ServedModels of server.ts). */
export interface ExplorerModels {
  readonly expected: readonly string[];
  get(name: string): CheckpointLookup | undefined;
  loaded(): CheckpointLookup[];
}

/** Options of the explorer's routes. */
export interface ExplorerOptions {
  /** Directory of the built page (default <package root>/dist/explorer). */
  assetsDir?: string;
  /**
   * Shortens the server's paths in messages (server.ts's withoutPaths over the served directories), and the
   * directories in `extraDirs` (the teacher runs this plugin opens, and their datasets).
   */
  hide?: (text: string, extraDirs?: readonly string[]) => string;
}

/** A 503 naming what is not ready, with Retry-After. */
function notReady(reply: FastifyReply, message: string): FastifyReply {
  return fail(reply.header('retry-after', '1'), 503, 'not-ready', message);
}

/** Parses `value` with `schema`, or throws an invalid-request error naming the parameter. */
function parsed<T>(schema: z.ZodType<T>, value: unknown): T {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new LookupError('invalid', 'the parameters must be a JSON object');
  const result = schema.safeParse(value);
  if (!result.success) throw new LookupError('invalid', issueMessage(result.error, allowedKeys(schema)));
  return result.data;
}

/** A fastify plugin adding the explorer's routes for `models`. */
export function explorerRoutes(models: ExplorerModels, options: ExplorerOptions = {}) {
  const teachers = new TeacherPool(() => models.loaded());
  const hidePaths = options.hide ?? ((text: string) => text);
  const hide = (text: string): string => hidePaths(text, teachers.privateDirs());
  const facts = new Map<string, Promise<RunFacts>>();
  let assets: ReturnType<typeof loadAssets> | undefined;

  /** The served model named in the path, or a 503 (still loading) / 404 (unknown). */
  const lookupOf = (request: FastifyRequest, reply: FastifyReply): CheckpointLookup | undefined => {
    const params = modelParams.safeParse(request.params);
    if (!params.success) throw new LookupError('invalid', issueMessage(params.error, ['model']));
    const lookup = models.get(params.data.model);
    if (lookup) return lookup;
    if (models.expected.includes(params.data.model)) {
      void notReady(reply, `model '${params.data.model}' is still loading on the server (reading the checkpoint and building its neighbour index); try again in a moment`);
      return undefined;
    }
    throw new LookupError('not-found', `unknown model '${params.data.model}' (serving: ${models.expected.join(', ')})`);
  };
  const factsOf = (lookup: CheckpointLookup): Promise<RunFacts> => {
    let known = facts.get(lookup.name);
    if (!known) {
      known = readRunFacts(lookup.runDir);
      facts.set(lookup.name, known);
    }
    return known;
  };
  /** An asset, gzipped for a client that takes it; a 304 when the client's copy (If-None-Match) is this one. */
  const send = (request: FastifyRequest, reply: FastifyReply, asset: Asset): FastifyReply => {
    const gzip = asset.gzip !== undefined && acceptsGzip(request.headers['accept-encoding']);
    const etag = gzip ? `${asset.etag.slice(0, -1)}-gz"` : asset.etag;
    reply.headers(ASSET_HEADERS).header('etag', etag).header('vary', 'Accept-Encoding');
    const held = request.headers['if-none-match']?.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
    if (held?.includes(etag) || held?.includes('*')) return reply.code(304).send();
    if (gzip) reply.header('content-encoding', 'gzip');
    return reply.type(asset.type).send(gzip ? asset.gzip : asset.body);
  };
  const file = (request: FastifyRequest, reply: FastifyReply, name: string): FastifyReply => {
    assets ??= loadAssets(options.assetsDir);
    if ('missing' in assets) { // plain text, for the browser that asked for the page
      noteFailure(reply, 'not-ready', `the explorer's files are missing: ${assets.missing}`);
      return reply.code(503).headers(ASSET_HEADERS).type('text/plain; charset=utf-8').send(`kgdistill explorer: ${assets.missing}\n`);
    }
    const asset = assets.files.get(name);
    if (!asset) return fail(reply, 404, 'not-found', `no explorer file '${name.slice(0, 100)}'`);
    return send(request, reply, asset);
  };

  return async (app: FastifyInstance): Promise<void> => {
    app.addHook('onClose', async () => teachers.close());
    app.get('/', async (request, reply) => file(request, reply, 'index.html'));
    app.get('/explorer/:file', async (request, reply) => file(request, reply, String((request.params as { file?: unknown }).file ?? '')));

    app.get('/models/:model/run', async (request, reply) => {
      const lookup = lookupOf(request, reply);
      if (!lookup) return reply;
      const run = await factsOf(lookup);
      teachers.prepare(run.teachers);
      // the notes may name the run's directory (the eval command of a skipped test, an unreadable metrics.jsonl)
      const testSkipped = run.testSkipped && { reason: hide(run.testSkipped.reason), ...(run.testSkipped.evalCommand ? { evalCommand: hide(run.testSkipped.evalCommand) } : {}) };
      return {
        name: lookup.name, ...run, ...(testSkipped ? { testSkipped } : {}), ...(run.curvesNote ? { curvesNote: hide(run.curvesNote) } : {}),
        teachers: run.teachers.map((t) => ({ name: t.name, found: t.dir !== undefined })),
      };
    });

    app.get('/models/:model/suggest', async (request, reply) => {
      const lookup = lookupOf(request, reply);
      if (!lookup) return reply;
      const q = parsed(suggestQuery, request.query);
      const ids = lookup.entities.suggestIds(q.q, q.k ?? 8);
      let exact: number | undefined;
      try {
        exact = lookup.entities.resolve(q.q);
      } catch { /* not a known entity: suggestions only */ }
      const ordered = exact === undefined ? ids : [exact, ...ids.filter((id) => id !== exact)].slice(0, Math.max(ids.length, 1));
      return { query: q.q, exact: exact !== undefined, suggestions: ordered.slice(0, MAX_SUGGESTIONS).map((id) => lookup.ref(id)) };
    });

    app.post('/models/:model/projection', async (request, reply) => {
      const lookup = lookupOf(request, reply);
      if (!lookup) return reply;
      const q = parsed(projectionBody, request.body);
      const entity = lookup.entities.resolve(q.entity);
      const outside = q.ids.find((id) => id >= lookup.table.count);
      if (outside !== undefined) throw new LookupError('invalid', `ids: entity id ${outside} is outside [0, ${lookup.table.count})`);
      const picture = projectNeighbourhood(lookup.table, lookup.metric, entity, q.ids);
      return { checkpoint: lookup.name, entity: lookup.ref(entity), metric: lookup.metric, ...picture, points: picture.points.map((p) => ({ ...lookup.ref(p.id), x: p.x, y: p.y, distance: p.distance })) };
    });

    app.get('/models/:model/compare', async (request, reply) => {
      const lookup = lookupOf(request, reply);
      if (!lookup) return reply;
      const q = parsed(compareQuery, request.query);
      const run = await factsOf(lookup);
      if (run.teachers.length === 0) throw new LookupError('invalid', `model '${lookup.name}' is not a distilled student (its run records no teachers)`);
      const result = await compareWithTeachers(lookup, run.teachers, teachers, { ...q, k: q.k ?? 10 });
      return { ...result, models: result.models.map((m) => (m.message ? { ...m, message: hide(m.message) } : m)) };
    });
  };
}
