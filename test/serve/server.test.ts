import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import seedrandom from 'seedrandom';
import type { FastifyInstance } from 'fastify';
import { initBackend } from '../../src/core/backend.js';
import { CheckpointLookup } from '../../src/lookup/checkpoint-lookup.js';
import { buildServer } from '../../src/serve/server.js';
import { servedNames } from '../../src/cli/commands/serve.js';
import { tempDir } from '../lookup/helpers.js';
import { namedGraph, trainRun } from '../lookup/trained-run.js';

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
  it('health and model info for several checkpoints at once', async () => {
    const health = await get('/health');
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: 'ok', checkpoints: ['roth', 'distmult'] });
    const models = (await get('/models')).json() as Json;
    expect(models.models.map((m: Json) => m.model)).toEqual(['RotH', 'DistMult']);
    const info = (await get('/models/roth')).json() as Json;
    expect(info).toMatchObject({ name: 'roth', model: 'RotH', dim: 8, entities: 600, similarity: 'negSqPoincare', neighborMetric: 'poincare', knownTriples: true, entityNames: true, tailBias: true });
    expect(info.relations).toContain('parent');
    expect(info.indexes.map((i: Json) => i.id)).toEqual(['lorentz-c3f800000']);
  });

  it('neighbors by GET and POST give the same answer as the library', async () => {
    const byGet = await get('/models/roth/neighbors?entity=node%2012&k=4');
    expect(byGet.statusCode).toBe(200);
    const byPost = await post('/models/roth/neighbors', { entity: 'node 12', k: 4 });
    expect(byPost.json()).toEqual(byGet.json());
    expect(byGet.json()).toEqual(JSON.parse(JSON.stringify(await lookups[0]!.neighbors('node 12', 4))));
    expect((byGet.json() as Json).neighbors).toHaveLength(4);
    const dot = (await post('/models/distmult/neighbors', { entity: '東京' })).json() as Json;
    expect(dot).toMatchObject({ checkpoint: 'distmult', metric: 'dot', entity: { key: 'e4', name: '東京' } });
    expect(dot.neighbors).toHaveLength(10);
    expect(dot.neighbors[0]).toHaveProperty('similarity');
  });

  it('predict answers exactly while its index is built in the background, then through the index — the same list', async () => {
    const body = { head: 'e40', relation: 'parent', k: 5 };
    const first = (await post('/models/roth/predict', body)).json() as Json;
    expect(first.method).toBe('exact');
    expect(first.note).toBe('the index for this query is being built');
    for (let i = 0; i < 100 && lookups[0]!.store.loaded().length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    const second = (await post('/models/roth/predict', body)).json() as Json;
    expect(second.method).toBe('hnsw+bound');
    expect(second.answers.map((a: Json) => a.id)).toEqual(first.answers.map((a: Json) => a.id));
    const filtered = (await get('/models/roth/predict?tail=e13&relation=parent&k=5&filtered=true')).json() as Json;
    expect(filtered).toMatchObject({ direction: 'heads', filtered: true });
    expect(filtered.answers.every((a: Json) => a.known === false)).toBe(true);
    const exact = (await post('/models/distmult/predict', { ...body, exact: true })).json() as Json;
    expect(exact).toMatchObject({ method: 'exact', scored: 600 });
  });
});

describe('serve: every bad request is a 4xx with a message', () => {
  const cases: Array<[string, () => Promise<{ statusCode: number; json: () => unknown }>, number, RegExp]> = [
    ['unknown model', () => get('/models/nope/neighbors?entity=e1'), 404, /unknown model 'nope' \(serving: roth, distmult\)/],
    ['unknown entity, with suggestions', () => post('/models/roth/neighbors', { entity: 'node 1000' }), 404, /unknown entity 'node 1000'; did you mean: e100 \(node 100\)/],
    ['unknown unicode entity', () => post('/models/roth/neighbors', { entity: 'Zürích 🚀' }), 404, /unknown entity 'Zürích 🚀'/],
    ['ambiguous name', () => post('/models/roth/neighbors', { entity: 'twin' }), 400, /'twin' matches 2 entities/],
    ['out-of-range id', () => get('/models/roth/neighbors?entity=id:9999'), 404, /out of range/],
    ['unknown relation', () => post('/models/roth/predict', { head: 'e1', relation: 'parnet' }), 404, /unknown relation 'parnet'; did you mean: parent/],
    ['k = 0', () => post('/models/roth/neighbors', { entity: 'e1', k: 0 }), 400, /k must be >= 1/],
    ['k too large', () => post('/models/roth/neighbors', { entity: 'e1', k: 101 }), 400, /k must be <= 100/],
    ['huge k', () => get('/models/roth/predict?head=e1&relation=parent&k=1e300'), 400, /k must be/],
    ['fractional k', () => post('/models/roth/predict', { head: 'e1', relation: 'parent', k: 2.5 }), 400, /k must be integer/],
    ['k as a word', () => get('/models/roth/neighbors?entity=e1&k=ten'), 400, /k must be integer/],
    ['k within bounds but ≥ entities', () => post('/models/roth/neighbors', { entity: 'e1', k: 100, exact: true }), 200, /./],
    ['unknown field', () => post('/models/roth/neighbors', { entity: 'e1', limit: 3 }), 400, /must NOT have additional properties/],
    ['missing entity', () => post('/models/roth/neighbors', { k: 3 }), 400, /must have required property 'entity'/],
    ['head and tail', () => post('/models/roth/predict', { head: 'e1', tail: 'e2', relation: 'parent' }), 400, /give exactly one of head/],
    ['neither head nor tail', () => post('/models/roth/predict', { relation: 'parent' }), 400, /give exactly one of head/],
    ['filtered as a word', () => post('/models/roth/predict', { head: 'e1', relation: 'parent', filtered: 'maybe' }), 400, /filtered must be boolean/],
    ['malformed JSON', () => post('/models/roth/neighbors', '{"entity": "e1",'), 400, /JSON/],
    ['empty JSON body', () => post('/models/roth/neighbors', ''), 400, /empty/i],
    ['JSON array body', () => post('/models/roth/neighbors', [1, 2]), 400, /must be object/],
    ['JSON null body', () => post('/models/roth/neighbors', 'null'), 400, /must be object|null/],
    ['text body', () => post('/models/roth/neighbors', 'entity=e1', { 'content-type': 'text/plain' }), 415, /Unsupported Media Type/i],
    ['XML body', () => post('/models/roth/neighbors', '<entity>e1</entity>', { 'content-type': 'application/xml' }), 415, /Unsupported Media Type/i],
    ['oversized body', () => post('/models/roth/neighbors', { entity: 'x'.repeat(40_000) }), 413, /too large/i],
    ['deeply nested body', () => post('/models/roth/neighbors', '['.repeat(8_000) + ']'.repeat(8_000)), 400, /must be object/],
    ['prototype pollution attempt', () => post('/models/roth/neighbors', '{"entity":"e1","__proto__":{"k":1e9}}'), 400, /not valid JSON/],
    ['overlong name', () => post('/models/roth/neighbors', { entity: 'x'.repeat(600) }), 400, /must NOT have more than 512 characters/],
    ['unknown route', () => get('/nothing/here'), 404, /no route GET \/nothing\/here/],
    ['wrong method', () => app.inject({ method: 'DELETE', url: '/models/roth' }), 404, /no route DELETE/],
  ];
  for (const [what, send, status, message] of cases) {
    it(`${what} → ${status}`, async () => {
      const response = await send();
      expect(response.statusCode).toBe(status);
      const body = response.json() as Json;
      if (status >= 400) expect(body.message).toMatch(message);
    });
  }

  it('fuzzed bodies, query strings and paths never give a 5xx, and the service keeps answering', async () => {
    const rng = seedrandom.alea('fuzz');
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
    const atoms: unknown[] = [null, true, false, 0, -1, 1e308, -0.5, NaN, '', 'e1', 'parent', '東京', '\u0000', '\ud800', 'x'.repeat(300), [], {}, [null], { k: 5 }];
    const randomValue = (depth = 0): unknown => {
      if (depth > 2 || rng() < 0.6) return pick(atoms);
      if (rng() < 0.5) return Array.from({ length: Math.floor(rng() * 4) }, () => randomValue(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(rng() * 4) }, () => [pick(['entity', 'k', 'head', 'tail', 'relation', 'exact', 'filtered', '__proto__', 'constructor']), randomValue(depth + 1)]));
    };
    const routes = ['/models/roth/neighbors', '/models/roth/predict', '/models/distmult/predict', '/models/distmult/neighbors'];
    const statuses = new Map<number, number>();
    for (let i = 0; i < 300; i++) {
      const route = pick(routes);
      let response;
      if (i % 3 === 0) {
        const bytes = Buffer.from(Array.from({ length: Math.floor(rng() * 200) }, () => Math.floor(rng() * 256)));
        response = await post(route, bytes);
      } else if (i % 3 === 1) {
        const encode = (text: string): string => [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
        const query = Array.from({ length: 1 + Math.floor(rng() * 4) }, () => `${pick(['entity', 'k', 'head', 'tail', 'relation', 'exact', 'x'])}=${encode(String(pick(atoms)))}`).join('&');
        response = await get(`${route}?${query}`);
      } else {
        response = await app.inject({ method: 'POST', url: route, payload: JSON.stringify(randomValue()) ?? 'undefined', headers: { 'content-type': 'application/json' } });
      }
      statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
      expect(response.statusCode, `${route} #${i}: ${response.body.slice(0, 200)}`).toBeLessThan(500);
      expect(typeof (response.json() as Json)).toBe('object');
    }
    expect([...statuses.keys()].some((s) => s >= 400)).toBe(true);
    const paths = ['/models/%E0%A4%A', '/models/' + 'a'.repeat(300), '/models/..%2F..%2Fetc/neighbors', '/models/roth/neighbors?entity=%FF', '/%00'];
    for (const p of paths) expect((await get(p)).statusCode).toBeLessThan(500);
    expect((await get('/health')).statusCode).toBe(200);
  });

  it('names served checkpoints by directory, made unique', () => {
    expect(servedNames(['runs/a', 'other/a/', 'b', 'x/a'])).toEqual(['a', 'a-2', 'b', 'a-3']);
  });
});
