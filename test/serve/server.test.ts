import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { initBackend } from '../../src/core/backend.js';
import { CheckpointLookup } from '../../src/lookup/checkpoint-lookup.js';
import { buildServer } from '../../src/serve/server.js';
import { MAX_NAME } from '../../src/serve/schemas.js';
import { servedRuns } from '../../src/cli/commands/serve.js';
import { tempDir } from '../lookup/helpers.js';
import { namedGraph, trainRun } from '../lookup/trained-run.js';
import { fuzzRequests } from '../../bench/service-fuzz.js';

const tmp = tempDir('serve');
let app: FastifyInstance;
let lookups: CheckpointLookup[];
const notices: string[] = [];

beforeAll(async () => {
  await initBackend('wasm');
  const graph = await namedGraph(path.join(tmp, 'graph'));
  const roth = await trainRun(graph, path.join(tmp, 'roth'), 'RotH');
  const distmult = await trainRun(graph, path.join(tmp, 'distmult'), 'DistMult');
  lookups = [];
  for (const dir of [roth, distmult]) {
    const lookup = await CheckpointLookup.open(dir, { indexMode: 'background', onNotice: (m) => notices.push(m) });
    await lookup.warm();
    lookups.push(lookup);
  }
  app = buildServer(lookups, { maxK: 100 });
});

afterAll(async () => {
  await app.close();
  lookups.forEach((l) => l.close());
});

type Json = Record<string, any>;
const get = async (url: string) => app.inject({ method: 'GET', url });
const post = async (url: string, payload: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  app.inject({ method: 'POST', url, payload: typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload), headers });

describe('serve: queries', () => {
  it('health and model info for several checkpoints at once, with no server path in any answer', async () => {
    const health = await get('/health');
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: 'ok', checkpoints: ['roth', 'distmult'] });
    const models = (await get('/models')).json() as Json;
    expect(models.models.map((m: Json) => m.model)).toEqual(['RotH', 'DistMult']);
    const response = await get('/models/roth');
    const info = response.json() as Json;
    expect(info).toMatchObject({ name: 'roth', model: 'RotH', dim: 8, entities: 600, similarity: 'negSqPoincare', neighborMetric: 'poincare', knownTriples: true, entityNames: true, tailBias: true });
    expect(info.relations).toContain('parent');
    expect(info.indexes.map((i: Json) => i.id)).toEqual(['lorentz-c3f800000']);
    expect(info).not.toHaveProperty('runDir');
    for (const body of [response.body, JSON.stringify(models)]) expect(body).not.toContain(tmp);
  });

  it('an unknown entity\'s 404 gives the key of each suggestion beside its words', async () => {
    const answer = (await post('/models/roth/neighbors', { entity: 'node 1000' })).json() as Json;
    expect(answer.suggestions[0]).toBe('e100 (node 100)');
    expect(answer.suggestionKeys).toHaveLength(answer.suggestions.length);
    expect(answer.suggestionKeys[0]).toBe('e100');
  });

  it('neighbors by GET and POST give the same answer as the library', async () => {
    const byGet = await get('/models/roth/neighbors?entity=node%2012&k=4');
    expect(byGet.statusCode).toBe(200);
    const byPost = await post('/models/roth/neighbors', { entity: 'node 12', k: 4 });
    expect(byPost.json()).toEqual(byGet.json());
    expect(byGet.json()).toEqual(JSON.parse(JSON.stringify(await lookups[0]!.neighbors('node 12', 4))));
    expect((byGet.json() as Json).neighbors).toHaveLength(4);
    const exact = (await get('/models/roth/neighbors?entity=node%2012&k=4&exact=true')).json() as Json;
    expect(exact.method).toBe('exact');
    expect(exact.neighbors).toEqual((byGet.json() as Json).neighbors);
    const dot = (await post('/models/distmult/neighbors', { entity: '東京' })).json() as Json;
    expect(dot).toMatchObject({ checkpoint: 'distmult', metric: 'dot', entity: { key: 'e4', name: '東京' } });
    expect(dot.neighbors).toHaveLength(10);
    expect(dot).toEqual(JSON.parse(JSON.stringify(await lookups[1]!.neighbors('東京', 10))));
    const similarities = (dot.neighbors as Json[]).map((n) => n.similarity as number);
    expect(similarities).toEqual([...similarities].sort((a, b) => b - a)); // most similar first
  });

  it('predict scores every entity in kernels (no index, no waiting): exact top-k, known answers marked or filtered', async () => {
    const body = { head: 'e40', relation: 'parent', k: 5 };
    const first = (await post('/models/roth/predict', body)).json() as Json;
    expect(first).toMatchObject({ method: 'exact', scored: 600, direction: 'tails' });
    expect(first.note).toBeUndefined();
    const scores = first.answers.map((a: Json) => a.score);
    expect([...scores].sort((a: number, b: number) => b - a)).toEqual(scores);
    const again = (await post('/models/roth/predict', { ...body, exact: true })).json() as Json;
    expect(again.answers).toEqual(first.answers);
    const filtered = (await get('/models/roth/predict?tail=e13&relation=parent&k=5&filtered=true')).json() as Json;
    expect(filtered).toMatchObject({ direction: 'heads', filtered: true });
    expect(filtered.answers.every((a: Json) => a.known === false)).toBe(true);
    expect(filtered.answers).toHaveLength(5);
    const dot = (await post('/models/distmult/predict', body)).json() as Json;
    expect(dot).toMatchObject({ method: 'exact', scored: 600 });
  });

  it('a run trained again (or replaced) under the served model: /models/:model says its directory now holds another checkpoint', async () => {
    const dir = path.join(tmp, 'replaced');
    cpSync(path.join(tmp, 'distmult'), dir, { recursive: true });
    const lookup = await CheckpointLookup.open(dir, { indexMode: 'background' });
    const served = buildServer([lookup]);
    try {
      expect(((await served.inject('/models/replaced')).json() as Json).note).toBeUndefined();
      const binary = path.join(dir, lookup.header.binary.file);
      renameSync(binary, `${binary}.old`); // what a new training's first save leaves: the served binary gone
      const { note } = (await served.inject('/models/replaced')).json() as Json;
      expect(note).toBe('the run directory no longer holds the checkpoint served (trained again or replaced since it was loaded): what is read from it now (test figures, curves) may be of another model; restart to serve that one');
      expect((await served.inject('/models/replaced/neighbors?entity=e1&k=2')).statusCode).toBe(200); // still served from memory
    } finally {
      await served.close();
      lookup.close();
    }
  });
});

describe('serve: every bad request is a 4xx with a message', () => {
  const cases: Array<[string, () => Promise<{ statusCode: number; json: () => unknown }>, number, RegExp]> = [
    ['unknown model', () => get('/models/nope/neighbors?entity=e1'), 404, /unknown model 'nope' \(serving: roth, distmult\)/],
    ['unknown entity, with suggestions', () => post('/models/roth/neighbors', { entity: 'node 1000' }), 404, /unknown entity 'node 1000'; did you mean: e100 \(node 100\)/],
    ['unknown unicode entity', () => post('/models/roth/neighbors', { entity: 'Zürích 🚀' }), 404, /unknown entity 'Zürích 🚀'/],
    // a path-like name the client sent (a Freebase typo) is quoted as sent: path hiding is for the server's paths
    ['unknown path-like relation, quoted as sent', () => get('/models/roth/predict?head=e1&relation=%2Ffilm%2Fgenres'), 404, /^unknown relation '\/film\/genres'/],
    ['unknown path-like entity, quoted as sent', () => post('/models/roth/neighbors', { entity: '/film/foo/bar' }), 404, /^unknown entity '\/film\/foo\/bar'/],
    ['ambiguous name', () => post('/models/roth/neighbors', { entity: 'twin' }), 400, /'twin' matches 2 entities/],
    ['unknown unicode entity by GET', () => get(`/models/roth/neighbors?entity=${encodeURIComponent('Zürích 🚀')}`), 404, /unknown entity 'Zürích 🚀'/],
    ['a name whose bytes are not UTF-8', () => get('/models/roth/neighbors?entity=%FF&k=3'), 400, /^the query parameter 'entity=%FF' is not percent-encoded UTF-8: send each byte of a name's UTF-8 as %XX, and a % sign as %25$/],
    ['a name cut inside a UTF-8 character', () => get('/models/roth/predict?head=e1&relation=par%E2%82'), 400, /^the query parameter 'relation=par%E2%82' is not percent-encoded UTF-8/],
    ['a bare % sign in the query', () => get('/models/roth/neighbors?entity=50%&k=3'), 400, /^the query parameter 'entity=50%' is not percent-encoded UTF-8/],
    ['a body that is not UTF-8', () => post('/models/roth/neighbors', Buffer.concat([Buffer.from('{"entity":"e'), Buffer.of(0xff), Buffer.from('1"}')])), 400, /^the body is not UTF-8: send JSON text encoded as UTF-8$/],
    ['out-of-range id', () => get('/models/roth/neighbors?entity=id:9999'), 404, /out of range/],
    ['unknown relation', () => post('/models/roth/predict', { head: 'e1', relation: 'parnet' }), 404, /unknown relation 'parnet'; did you mean: parent/],
    ['k = 0', () => post('/models/roth/neighbors', { entity: 'e1', k: 0 }), 400, /^k must be an integer from 1 to 100, got 0$/],
    ['k too large', () => post('/models/roth/neighbors', { entity: 'e1', k: 101 }), 400, /k must be an integer from 1 to 100, got 101/],
    ['huge k', () => get('/models/roth/predict?head=e1&relation=parent&k=1e300'), 400, /k must be an integer from 1 to 100, got '1e300'/],
    ['k in exponent form', () => get('/models/roth/neighbors?entity=e1&k=1e1'), 400, /k must be an integer from 1 to 100, got '1e1'/],
    ['k in hex', () => get('/models/roth/neighbors?entity=e1&k=0x10'), 400, /got '0x10'/],
    ['k with a sign', () => get('/models/roth/neighbors?entity=e1&k=%2B5'), 400, /got '\+5'/],
    ['k with spaces', () => get('/models/roth/neighbors?entity=e1&k=%205'), 400, /got ' 5'/],
    ['k with a leading zero', () => get('/models/roth/neighbors?entity=e1&k=05'), 400, /got '05'/],
    ['k given twice', () => get('/models/roth/neighbors?entity=e1&k=5&k=6'), 400, /k must be an integer from 1 to 100, got a list/],
    ['k as a JSON string', () => post('/models/roth/neighbors', { entity: 'e1', k: '5' }), 400, /got '5'/],
    ['fractional k', () => post('/models/roth/predict', { head: 'e1', relation: 'parent', k: 2.5 }), 400, /k must be an integer from 1 to 100, got 2.5/],
    ['k as a word', () => get('/models/roth/neighbors?entity=e1&k=ten'), 400, /got 'ten'/],
    ['k within bounds but ≥ entities', () => post('/models/roth/neighbors', { entity: 'e1', k: 100, exact: true }), 200, /./],
    ['unknown field', () => post('/models/roth/neighbors', { entity: 'e1', limit: 3 }), 400, /unknown parameter 'limit' \(allowed: entity, k, exact\)/],
    ['missing entity', () => post('/models/roth/neighbors', { k: 3 }), 400, /^entity is required$/],
    ['entity as a number', () => post('/models/roth/neighbors', { entity: 12 }), 400, /entity must be a non-empty string/],
    ['empty relation', () => get('/models/roth/predict?head=e1&relation='), 400, /relation must be a non-empty string .*got ''/],
    ['exact as 1', () => get('/models/roth/neighbors?entity=e1&exact=1'), 400, /exact must be true or false, got '1'/],
    ['head and tail with k', () => post('/models/roth/predict', { head: 'e1', tail: 'e2', relation: 'parent', k: 3 }), 400, /^k applies to a list of answers: with head and tail, predict scores one triple/],
    ['neither head nor tail', () => post('/models/roth/predict', { relation: 'parent' }), 400, /^give head \(to predict tails\), tail \(to predict heads\), or both \(to score one triple\)$/],
    ['filtered as a word', () => post('/models/roth/predict', { head: 'e1', relation: 'parent', filtered: 'maybe' }), 400, /filtered must be true or false, got 'maybe'/],
    ['malformed JSON', () => post('/models/roth/neighbors', '{"entity": "e1",'), 400, /JSON/],
    ['empty JSON body', () => post('/models/roth/neighbors', ''), 400, /^the body is empty: send a JSON object, or use GET with a query string$/],
    ['no body and no content type', () => app.inject({ method: 'POST', url: '/models/roth/neighbors' }), 400, /^the body is empty: send a JSON object, or use GET with a query string$/],
    ['a GET with a body', () => app.inject({ method: 'GET', url: '/models/roth/neighbors', payload: '{"entity":"e1"}', headers: { 'content-type': 'application/json' } }), 400, /^GET takes its parameters in the query string, not a body: move them into the query string, or use POST$/],
    ['JSON array body', () => post('/models/roth/neighbors', [1, 2]), 400, /the body must be a JSON object, got a list/],
    ['JSON null body', () => post('/models/roth/neighbors', 'null'), 400, /the body must be a JSON object, got null/],
    ['JSON string body', () => post('/models/roth/neighbors', '"e1"'), 400, /the body must be a JSON object, got 'e1'/],
    ['text body', () => post('/models/roth/neighbors', 'entity=e1', { 'content-type': 'text/plain' }), 415, /^unsupported content type 'text\/plain': send application\/json$/],
    ['XML body', () => post('/models/roth/neighbors', '<entity>e1</entity>', { 'content-type': 'application/xml' }), 415, /^unsupported content type 'application\/xml': send application\/json$/],
    ['gzip body', () => post('/models/roth/neighbors', '{"entity":"e1"}', { 'content-type': 'application/json', 'content-encoding': 'gzip' }), 415, /^unsupported content encoding 'gzip': send the body uncompressed$/],
    ['oversized body', () => post('/models/roth/neighbors', { entity: 'x'.repeat(40_000) }), 413, /^the body is too large: at most 16 KiB$/],
    ['deeply nested body', () => post('/models/roth/neighbors', '['.repeat(8_000) + ']'.repeat(8_000)), 400, /must be a JSON object/],
    ['prototype pollution attempt', () => post('/models/roth/neighbors', '{"entity":"e1","__proto__":{"k":1e9}}'), 400, /not valid JSON/],
    ['overlong name', () => post('/models/roth/neighbors', { entity: 'x'.repeat(MAX_NAME + 1) }), 400, new RegExp(`entity must be a non-empty string of at most ${MAX_NAME} characters`)],
    ['overlong model name', () => get(`/models/${'m'.repeat(250)}/neighbors?entity=e1`), 400, /model name longer than 200 characters/],
    ['model name past the router limit', () => get(`/models/${'m'.repeat(300)}/neighbors?entity=e1`), 414, /^a part of the path is longer than 256 characters: '\/models\/m+…'$/],
    ['path not percent-encoding', () => get('/models/%zz/neighbors?entity=e1'), 400, /^the path is not valid percent-encoding: '\/models\/%zz\/neighbors\?entity=e1'$/],
    ['unknown route', () => get('/nothing/here'), 404, /no route GET \/nothing\/here/],
    ['wrong method', () => app.inject({ method: 'DELETE', url: '/models/roth' }), 405, /^no route DELETE \/models\/roth: \/models\/roth takes GET, HEAD$/],
    ['wrong method on a query route', () => app.inject({ method: 'PUT', url: '/models/roth/neighbors?entity=e1' }), 405, /takes GET, HEAD, POST$/],
    ['wrong method on a probe', () => app.inject({ method: 'POST', url: '/health/ready' }), 405, /takes GET, HEAD$/],
  ];
  for (const [what, send, status, message] of cases) {
    it(`${what} → ${status}`, async () => {
      const response = await send();
      expect(response.statusCode).toBe(status);
      const body = response.json() as Json;
      if (status >= 400) expect(body.message).toMatch(message);
    });
  }

  it('fastify\'s own refusals carry the service\'s error words, never a FST_ERR code or another body shape', async () => {
    const answers = await Promise.all([
      post('/models/roth/neighbors', '{"entity": "e1",'),
      post('/models/roth/neighbors', ''),
      post('/models/roth/neighbors', 'entity=e1', { 'content-type': 'text/plain' }),
      post('/models/roth/neighbors', { entity: 'x'.repeat(40_000) }),
      get(`/models/${'m'.repeat(300)}/neighbors?entity=e1`),
      get('/models/%zz/neighbors'),
    ]);
    expect(answers.map((a) => [a.statusCode, a.json().error, Object.keys(a.json()).sort().join(',')])).toEqual([
      [400, 'invalid', 'error,message'], [400, 'invalid', 'error,message'], [415, 'unsupported-media-type', 'error,message'],
      [413, 'body-too-large', 'error,message'], [414, 'uri-too-long', 'error,message'], [400, 'invalid', 'error,message'],
    ]);
  });

  it('a wrong method on a known path is a 405 with Allow; an unknown path stays a 404', async () => {
    const wrong = await app.inject({ method: 'DELETE', url: '/models/roth/predict' });
    expect([wrong.statusCode, wrong.headers.allow, wrong.json().error]).toEqual([405, 'GET, HEAD, POST', 'method-not-allowed']);
    const metrics = await app.inject({ method: 'POST', url: '/metrics' });
    expect([metrics.statusCode, metrics.headers.allow]).toEqual([405, 'GET, HEAD']);
    const unknown = await app.inject({ method: 'DELETE', url: '/nothing/here' });
    expect([unknown.statusCode, unknown.headers.allow, unknown.json().error]).toEqual([404, undefined, 'not-found']);
  });

  it('400 generated malformed requests (bytes, queries, JSON, methods, paths, headers, number forms) never give a 5xx', async () => {
    const statuses = new Map<number, number>();
    for (const [i, request] of fuzzRequests(['roth', 'distmult'], 400).entries()) {
      const response = await app.inject({ method: request.method as 'GET', url: request.url, headers: request.headers, payload: request.body });
      statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
      expect(response.statusCode, `#${i} ${request.method} ${request.url.slice(0, 100)}: ${response.body.slice(0, 200)}`).toBeLessThan(500);
      if (request.method !== 'HEAD' && response.statusCode >= 400) expect(typeof (response.json() as Json).message).toBe('string');
    }
    expect([...statuses.keys()].filter((s) => s >= 400).length).toBeGreaterThan(2);
    expect((await get('/health')).statusCode).toBe(200);
  });

  it('names served checkpoints by directory, made unique, or as given with NAME=DIR', () => {
    expect(servedRuns(['runs/a', 'other/a/', 'b', 'x/a']).map((run) => run.name)).toEqual(['a', 'a-2', 'b', 'a-3']);
    // a given name is kept whatever the order, and the base names step around it
    expect(servedRuns(['runs/a', 'a=other/a', 'prod-v2=runs/b'])).toEqual([{ name: 'a-2', dir: 'runs/a' }, { name: 'a', dir: 'other/a' }, { name: 'prod-v2', dir: 'runs/b' }]);
    // a directory name longer than a request's path takes could be served but never asked for: refused, with the way out
    const long = `runs/${'L'.repeat(201)}`;
    expect(() => servedRuns([long])).toThrow(`--checkpoint ${long}: its directory name has 201 characters, more than the 200 a request's path takes: serve it under a shorter name with NAME=DIR`);
    expect(servedRuns([`long=${long}`])).toEqual([{ name: 'long', dir: long }]);
    expect(servedRuns([`runs/${'L'.repeat(200)}`])[0]!.name).toHaveLength(200);
    expect(() => servedRuns(['x=runs/a', 'x=runs/b'])).toThrow("--checkpoint names a run 'x' twice: each name is one run");
    const odd = path.join(tmp, 'k=v'); // an existing directory whose name holds '=' is a directory, not NAME=DIR
    mkdirSync(odd, { recursive: true });
    expect(servedRuns([odd])).toEqual([{ name: 'k=v', dir: odd }]);
  });
});
