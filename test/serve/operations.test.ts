import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renameSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { Writable } from 'node:stream';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { initBackend } from '../../src/core/backend.js';
import { CheckpointLookup } from '../../src/lookup/checkpoint-lookup.js';
import { buildServer, connectionsOf, ServedModels, withoutPaths } from '../../src/serve/server.js';
import { isLoopback, keyChecker, resolveApiKey } from '../../src/serve/auth.js';
import { clientKey, RateLimiter } from '../../src/serve/rate-limit.js';
import { tempDir } from '../lookup/helpers.js';
import { namedGraph, trainRun } from '../lookup/trained-run.js';

const tmp = tempDir('serve-ops');
const KEY = 'k3y-0123456789abcdef';
let lookup: CheckpointLookup;
const apps: FastifyInstance[] = [];

/** The kgdistill_http_refused_total counts of a /metrics text, by reason. */
function refusedCounts(text: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [, reason, value] of text.matchAll(/^kgdistill_http_refused_total\{reason="([a-z-]+)"\} (\d+)$/gm)) counts[reason!] = Number(value);
  return counts;
}

beforeAll(async () => {
  await initBackend('wasm');
  const graph = await namedGraph(path.join(tmp, 'graph'));
  lookup = await CheckpointLookup.open(await trainRun(graph, path.join(tmp, 'roth'), 'RotH'), { indexMode: 'background' });
  await lookup.warm();
});

afterAll(async () => {
  for (const app of apps) await app.close();
  lookup.close();
});

const make = (...args: Parameters<typeof buildServer>): FastifyInstance => {
  const app = buildServer(...args);
  apps.push(app);
  return app;
};

describe('serve: readiness, liveness and metrics', () => {
  it('/health/ready is 503 until every model is loaded with its index, /health/live 200 throughout; model routes say "loading" (503 with Retry-After)', async () => {
    const models = new ServedModels(['roth']);
    const app = make(models);
    expect((await app.inject('/health/live')).statusCode).toBe(200);
    const before = await app.inject('/health/ready');
    expect(before.statusCode).toBe(503);
    expect(before.headers['retry-after']).toBe('1');
    expect(before.json()).toMatchObject({ error: 'not-ready', message: 'loading roth' });
    expect((await app.inject('/health')).json()).toMatchObject({ status: 'loading' });
    const early = await app.inject('/models/roth/neighbors?entity=e1');
    expect(early.statusCode).toBe(503);
    expect(early.json().message).toBe("model 'roth' is still loading");
    expect(early.headers['retry-after']).toBe('1');
    const info = await app.inject('/models/roth');
    expect([info.statusCode, info.headers['retry-after'], info.json().error]).toEqual([503, '1', 'not-ready']);
    models.add(lookup);
    expect((await app.inject('/health/ready')).json()).toEqual({ status: 'ready', checkpoints: ['roth'] });
    expect((await app.inject('/models/roth/neighbors?entity=e1')).statusCode).toBe(200);
  });

  it('/metrics: Prometheus text with request counts and latency per route, readiness and the index state', async () => {
    const app = make([lookup]);
    await app.inject('/models/roth/neighbors?entity=e1&k=3');
    await app.inject('/models/roth/neighbors?entity=e1&k=0');
    await app.inject({ method: 'POST', url: '/models/roth/predict', payload: { head: 'e1', relation: 'parent' } });
    const response = await app.inject('/metrics');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = response.body;
    expect(text).toContain('kgdistill_http_requests_total{method="GET",route="/models/:model/neighbors",status="200"} 1');
    expect(text).toContain('kgdistill_http_requests_total{method="GET",route="/models/:model/neighbors",status="400"} 1');
    expect(text).toContain('kgdistill_http_requests_total{method="POST",route="/models/:model/predict",status="200"} 1');
    expect(text).toMatch(/kgdistill_http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/models\/:model\/neighbors"\} \d/);
    expect(text).toContain('kgdistill_ready 1');
    expect(text).toContain('kgdistill_index_state{model="roth",index="neighbors",state="ready"} 1');
    expect(text).toContain('kgdistill_index_state{model="roth",index="neighbors",state="building"} 0');
    // the build time joins the state on model and index (the space it searches is a label of its own)
    expect(text).toMatch(/^kgdistill_index_build_seconds\{model="roth",index="neighbors",space="[\w-]+"\} [\d.e-]+$/m);
    // the process's metrics under their standard names, which dashboards look for
    expect(text).toMatch(/^process_cpu_seconds_total [\d.e-]+$/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d+$/m);
    expect(text).toMatch(/process_resident_memory_bytes \d+/);
  });

  it('with a logger: one JSON line per request with its method, URL, route, model, status, time, client and, failed, why', async () => {
    const lines: string[] = [];
    const stream = new Writable({ write(chunk, _encoding, callback) { lines.push(...String(chunk).split('\n').filter((l) => l !== '')); callback(); } });
    const app = make([lookup], { logger: { stream } });
    await app.inject('/models/roth/neighbors?entity=e1&k=2');
    await app.inject({ method: 'POST', url: '/models/roth/predict', payload: { relation: 'parent' } });
    await app.inject({ method: 'DELETE', url: '/nothing' });
    await app.inject('/models/rot/neighbors?entity=e1');
    await app.inject('/models/roth/neighbors?entity=zzz');
    await app.inject('/explorer/nope.js'); // the explorer's refusals too
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged.map((l) => [l.msg, l.method, l.url, l.route, l.model, l.statusCode, l.remoteAddress, l.error])).toEqual([
      ['request', 'GET', '/models/roth/neighbors?entity=e1&k=2', '/models/:model/neighbors', 'roth', 200, '127.0.0.1', undefined],
      ['request', 'POST', '/models/roth/predict', '/models/:model/predict', 'roth', 400, '127.0.0.1', 'invalid'],
      ['request', 'DELETE', '/nothing', null, undefined, 404, '127.0.0.1', 'not-found'],
      ['request', 'GET', '/models/rot/neighbors?entity=e1', '/models/:model/neighbors', 'rot', 404, '127.0.0.1', 'not-found'],
      ['request', 'GET', '/models/roth/neighbors?entity=zzz', '/models/:model/neighbors', 'roth', 404, '127.0.0.1', 'not-found'],
      ['request', 'GET', '/explorer/nope.js', '/explorer/:file', undefined, 404, '127.0.0.1', 'not-found'],
    ]);
    expect(logged[5]!.message).toBe("no explorer file 'nope.js'");
    // the two 404s of one route told apart: an unknown model, an unknown entity
    expect(logged[3]!.message).toBe("unknown model 'rot' (serving: roth)");
    expect(logged[4]!.message).toMatch(/^unknown entity 'zzz'/);
    expect(logged[0]!.message).toBeUndefined();
    for (const l of logged) expect([typeof l.responseTime, typeof l.reqId, typeof l.time]).toEqual(['number', 'string', 'number']);
  });

  it('every answer carries X-Request-Id: the client\'s own when it is a plain token, else a new UUID, also in the log line', async () => {
    const lines: string[] = [];
    const stream = new Writable({ write(chunk, _encoding, callback) { lines.push(...String(chunk).split('\n').filter((l) => l !== '')); callback(); } });
    const app = make([lookup], { logger: { stream }, apiKey: KEY, rateLimit: { max: 2, windowMs: 60_000 } });
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const auth = { authorization: `Bearer ${KEY}` };
    const made = await app.inject({ url: '/models/roth', headers: { 'x-request-id': 'bad id\twith "quotes"' } }); // no key: 401, a new id
    expect(made.statusCode).toBe(401);
    expect(String(made.headers['x-request-id'])).toMatch(uuid);
    const given = await app.inject({ url: '/models/roth/neighbors?entity=e1&k=2', headers: { ...auth, 'x-request-id': 'lb-7f3a:0001' } });
    expect([given.statusCode, given.headers['x-request-id']]).toEqual([200, 'lb-7f3a:0001']);
    expect((await app.inject({ url: '/models/roth/neighbors?entity=e1&k=2', headers: { ...auth, 'x-request-id': 'second' } })).statusCode).toBe(200);
    const limited = await app.inject({ url: '/models/roth/neighbors?entity=e1&k=2', headers: { ...auth, 'x-request-id': 'third' } }); // past the rate (of the keyed requests)
    expect([limited.statusCode, limited.headers['x-request-id']]).toEqual([429, 'third']);
    expect((await app.inject({ url: '/health/live', headers: { 'x-request-id': 'x'.repeat(128) } })).headers['x-request-id']).toBe('x'.repeat(128)); // 128 is the longest kept
    expect(String((await app.inject({ url: '/health/live', headers: { 'x-request-id': 'x'.repeat(129) } })).headers['x-request-id'])).toMatch(uuid);
    const logged = lines.map((l) => JSON.parse(l) as { reqId: string; msg: string }).filter((l) => l.msg === 'request');
    expect(logged.map((l) => l.reqId).slice(0, 4)).toEqual([made.headers['x-request-id'], 'lb-7f3a:0001', 'second', 'third']);
  });

  it('the router\'s own refusals (a path not percent-encoded, a path part past the limit) carry X-Request-Id, are logged and counted', async () => {
    const lines: string[] = [];
    const stream = new Writable({ write(chunk, _encoding, callback) { lines.push(...String(chunk).split('\n').filter((l) => l !== '')); callback(); } });
    const app = make([lookup], { logger: { stream } });
    const badUrl = await app.inject({ url: '/models/%zz/neighbors?entity=e1', headers: { 'x-request-id': 'bad-url-1' } });
    const long = await app.inject({ url: `/models/${'m'.repeat(300)}/neighbors?entity=e1`, headers: { 'x-request-id': 'long-1' } });
    expect([badUrl.statusCode, badUrl.headers['x-request-id'], long.statusCode, long.headers['x-request-id']]).toEqual([400, 'bad-url-1', 414, 'long-1']);
    await new Promise((resolve) => setImmediate(resolve));
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request');
    expect(logged.map((l) => [l.reqId, l.method, l.route, l.statusCode])).toEqual([['bad-url-1', 'GET', null, 400], ['long-1', 'GET', null, 414]]);
    const text = (await app.inject('/metrics')).payload;
    expect(text).toContain('kgdistill_http_requests_total{method="GET",route="unmatched",status="400"} 1');
    expect(text).toContain('kgdistill_http_requests_total{method="GET",route="unmatched",status="414"} 1');
  });

  it('/metrics counts the requests in flight: one whose body is still arriving, and the scrape itself', async () => {
    const app = make([lookup]);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as net.AddressInfo).port;
    const scrape = async (): Promise<string> => (await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).split('\n').find((l) => l.startsWith('kgdistill_http_requests_in_flight ')) ?? '';
    expect(await scrape()).toBe('kgdistill_http_requests_in_flight 1');
    const socket = net.connect(port, '127.0.0.1');
    socket.write('POST /models/roth/neighbors HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{"entity"');
    for (let i = 0; i < 50 && connectionsOf(app).inFlight === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await scrape()).toBe('kgdistill_http_requests_in_flight 2');
    const answer = new Promise<string>((resolve) => { let text = ''; socket.on('data', (d) => (text += d)); socket.on('end', () => resolve(text)); });
    socket.end(':"e1"}');
    expect(await answer).toMatch(/^HTTP\/1\.1 200/);
    expect(await scrape()).toBe('kgdistill_http_requests_in_flight 1');
  });
});

describe('serve: API key, rate limit, connection cap, no paths', () => {
  it('with a key: 401 without it or with a wrong one (and WWW-Authenticate), 200 with Bearer or X-API-Key; probes stay open', async () => {
    const app = make([lookup], { apiKey: KEY });
    const bare = await app.inject('/models/roth/neighbors?entity=e1');
    expect(bare.statusCode).toBe(401);
    expect(bare.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(bare.json().message).toMatch(/needs an API key/);
    const wrong = await app.inject({ url: '/models', headers: { authorization: `Bearer ${KEY}x` } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().message).toBe('the API key sent is not this service\'s: send it as "Authorization: Bearer <key>" or "X-API-Key: <key>"'); // not "needs a key"
    expect((await app.inject({ url: '/models', headers: { authorization: `Basic ${KEY}` } })).json().message).toMatch(/^this service needs an API key/);
    expect((await app.inject({ url: '/metrics', headers: { 'x-api-key': 'short' } })).statusCode).toBe(401);
    expect((await app.inject({ url: '/models/roth/neighbors?entity=e1', headers: { authorization: `Bearer ${KEY}` } })).statusCode).toBe(200);
    expect((await app.inject({ url: '/models/roth/neighbors?entity=e1', headers: { 'x-api-key': KEY } })).statusCode).toBe(200);
    expect((await app.inject('/health/live')).statusCode).toBe(200);
    expect((await app.inject('/health/ready')).statusCode).toBe(200);
    expect((await app.inject('/health')).statusCode).toBe(401);
  });

  it('the key check compares digests in constant time; keys come from one source and must be long enough', () => {
    const valid = keyChecker(KEY);
    expect(valid({ authorization: `bearer ${KEY}` })).toBe(true);
    expect(valid({ authorization: KEY })).toBe(false);
    expect(valid({ 'x-api-key': ['a', 'b'] })).toBe(false);
    const file = path.join(tmp, 'key.txt');
    writeFileSync(file, `${KEY}\nignored\n`);
    expect(resolveApiKey({ file })).toEqual({ key: KEY, source: `--api-key-file ${file}` });
    expect(resolveApiKey({ env: { KGDISTILL_API_KEY: KEY } })).toEqual({ key: KEY, source: 'KGDISTILL_API_KEY' });
    const padded = path.join(tmp, 'key-padded.txt');
    writeFileSync(padded, `  ${KEY} \r\nignored\r\n`); // blanks around the key and CRLF line ends are not part of it
    expect(resolveApiKey({ file: padded })).toEqual({ key: KEY, source: `--api-key-file ${padded}` });
    expect(resolveApiKey({ key: `\t${KEY} ` })).toEqual({ key: KEY, source: '--api-key' });
    expect(resolveApiKey({ env: {} })).toEqual({});
    expect(() => resolveApiKey({ key: 'short' })).toThrow(/at least 16 characters/);
    expect(() => resolveApiKey({ key: KEY, file })).toThrow(/give the API key once/);
    expect(() => resolveApiKey({ file: path.join(tmp, 'missing') })).toThrow(`--api-key-file ${path.join(tmp, 'missing')}: file not found`);
    for (const host of ['127.0.0.1', '127.9.8.7', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopback(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.4', '10.0.0.1', 'example.org', '128.0.0.1']) expect(isLoopback(host), host).toBe(false);
  });

  it('a client past its rate gets 429 with a message and Retry-After; probes, /metrics and /health are not limited', async () => {
    const app = make([lookup], { rateLimit: { max: 3, windowMs: 60_000 } });
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await app.inject('/models/roth/neighbors?entity=e1')).statusCode);
    expect(codes).toEqual([200, 200, 200, 429, 429]);
    const limited = await app.inject('/models/roth/neighbors?entity=e1');
    expect(limited.json()).toMatchObject({ error: 'rate-limited', message: expect.stringMatching(/^more than 3 requests in 1 min from this client; retry in \d+ s$/) });
    // the seconds left of the 60 s window that began with the first request (a few ms ago): the message's figure
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(50);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((limited.json() as { message: string }).message).toMatch(new RegExp(`; retry in ${retryAfter} s$`));
    for (let i = 0; i < 5; i++) expect((await app.inject('/health/ready')).statusCode).toBe(200);
    for (let i = 0; i < 5; i++) expect([(await app.inject('/metrics')).statusCode, (await app.inject('/health')).statusCode]).toEqual([200, 200]);
    const other = await app.inject({ url: '/models/roth/neighbors?entity=e1', remoteAddress: '127.0.0.2' });
    expect(other.statusCode).toBe(200);
  });

  it('behind trusted proxies the client is the address they saw: a forged X-Forwarded-For entry does not escape the limit', async () => {
    const neighbors = '/models/roth/neighbors?entity=e1';
    // each request names itself anew in front of what the proxy (127.0.0.1, inject's address) appended
    const forged = (i: number) => ({ url: neighbors, headers: { 'x-forwarded-for': `203.0.113.${i}, 10.0.0.5` } });
    for (const trustProxy of [1, ['127.0.0.1'], ['127.0.0.0/8']]) {
      const app = make([lookup], { rateLimit: { max: 2, windowMs: 60_000 }, trustProxy });
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) codes.push((await app.inject(forged(i))).statusCode);
      expect(codes, JSON.stringify(trustProxy)).toEqual([200, 200, 429, 429]); // all one client: 10.0.0.5
      expect((await app.inject({ url: neighbors, headers: { 'x-forwarded-for': '10.0.0.6' } })).statusCode).toBe(200);
    }
    // trusting every hop lets each request name itself: never limited (why --trust-proxy takes hops or addresses)
    const open = make([lookup], { rateLimit: { max: 2, windowMs: 60_000 }, trustProxy: true });
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await open.inject(forged(i))).statusCode);
    expect(codes).toEqual([200, 200, 200, 200]);
  });

  it('the rate limiter counts at most maxKeys clients apart in a window; those past it share one count', () => {
    let now = 0;
    const limiter = new RateLimiter(2, 1000, () => now, 3);
    for (const client of ['a', 'b', 'c']) expect(limiter.check(client).allowed).toBe(true);
    expect([limiter.check('d').allowed, limiter.check('e').allowed, limiter.check('f').allowed]).toEqual([true, true, false]);
    expect([limiter.check('a').allowed, limiter.check('a').allowed]).toEqual([true, false]); // known clients keep their own
    now = 1000; // a new window: every client apart again
    expect(['d', 'e', 'f'].map((client) => limiter.check(client).allowed)).toEqual([true, true, true]);
  });

  it("warm with the table in the background: ready once the index is, neighbours from the index until the table is built", async () => {
    const fresh = await CheckpointLookup.open(path.join(tmp, 'roth'), { indexMode: 'background' });
    try {
      await fresh.warm({ table: 'background' });
      expect(fresh.indexReady).toBe(true);
      expect(fresh.tableState).toBe('building');
      expect((await fresh.neighbors('e1', 5)).method).toBe('hnsw');
      while (fresh.tableState !== 'ready') await new Promise((resolve) => setTimeout(resolve, 10));
      const fromTable = await fresh.neighbors('e1', 5);
      expect(fromTable.method).toBe('exact');
      expect(fromTable.neighbors).toEqual((await fresh.neighbors('e1', 5, { exact: true })).neighbors);
    } finally {
      fresh.close();
    }
  });

  it('a lookup closed while its table builds in the background says it has no table, and the build stops', async () => {
    const fresh = await CheckpointLookup.open(path.join(tmp, 'roth'), { indexMode: 'background' });
    await fresh.warm({ table: 'background' });
    expect(fresh.tableState).toBe('building');
    fresh.close();
    expect(fresh.tableState).toBe('none');
    await new Promise((resolve) => setTimeout(resolve, 50)); // the build's next check sees the close and ends
    expect(fresh.tableState).toBe('none');
  });

  it('with explorer false (serve --no-explorer) the JSON API alone: no page, no run facts, no comparisons', async () => {
    const app = make([lookup], { explorer: false });
    for (const url of ['/', '/explorer/app.js', '/models/roth/run', '/models/roth/compare?head=e1&relation=parent', '/models/roth/suggest?q=e1']) {
      expect((await app.inject(url)).statusCode, url).toBe(404);
    }
    expect((await app.inject('/models/roth/neighbors?entity=e1&k=3')).json().neighbors).toHaveLength(3);
    expect((await app.inject('/health/ready')).statusCode).toBe(200);
  });

  it('an IPv6 client counts by its /64 network (one host holds a whole /64); IPv4 by its address', async () => {
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8::7')).toBe('2001:db8:0:0::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('::ffff:203.0.113.7')).toBe('::ffff:203.0.113.7');
    const app = make([lookup], { rateLimit: { max: 2, windowMs: 60_000 }, trustProxy: 1 });
    const codes: number[] = [];
    for (let i = 1; i <= 3; i++) codes.push((await app.inject({ url: '/models/roth/neighbors?entity=e1', headers: { 'x-forwarded-for': `2001:db8:1:2::${i}` } })).statusCode);
    expect(codes).toEqual([200, 200, 429]); // three addresses of one /64: one client
    expect((await app.inject({ url: '/models/roth/neighbors?entity=e1', headers: { 'x-forwarded-for': '2001:db8:1:3::1' } })).statusCode).toBe(200);
  });

  it('an internal error answers 500 without details and writes its trace to stderr when there is no log', async () => {
    const app = make([lookup]);
    const original = lookup.neighbors;
    const written: string[] = [];
    const write = process.stderr.write;
    lookup.neighbors = () => { throw new Error('boom in /secret/place'); };
    process.stderr.write = ((chunk: string) => { written.push(String(chunk)); return true; }) as typeof process.stderr.write;
    try {
      const answer = await app.inject({ url: '/models/roth/neighbors?entity=e1', headers: { 'x-request-id': 'req-7' } });
      expect(answer.statusCode).toBe(500);
      expect(answer.json()).toMatchObject({ error: 'internal', message: 'internal error' });
      expect(answer.body).not.toContain('secret');
    } finally {
      process.stderr.write = write;
      lookup.neighbors = original;
    }
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(/^kgdistill serve: \S+ internal-error: request req-7 GET \/models\/roth\/neighbors\?entity=e1: Error: boom in \/secret\/place\n {4}at /);
  });

  it('with an API key, /metrics and /health are outside the rate limit only for requests that present the key (guesses stay limited)', async () => {
    const app = make([lookup], { apiKey: KEY, rateLimit: { max: 2, windowMs: 60_000 } });
    for (let i = 0; i < 5; i++) expect((await app.inject({ url: '/metrics', headers: { 'x-api-key': KEY } })).statusCode).toBe(200);
    const guesses: number[] = [];
    for (let i = 0; i < 4; i++) guesses.push((await app.inject({ url: i % 2 ? '/health' : '/metrics', headers: { 'x-api-key': `guess-${i}` } })).statusCode);
    expect(guesses).toEqual([401, 401, 429, 429]);
    expect((await app.inject({ url: '/health', headers: { authorization: `Bearer ${KEY}` } })).statusCode).toBe(200);
  });

  it('with an API key, requests without it have a limit of their own: guesses from an address do not lock out its clients that hold the key', async () => {
    const app = make([lookup], { apiKey: KEY, rateLimit: { max: 2, windowMs: 60_000 } });
    const status = async (key: string): Promise<number> => (await app.inject({ url: '/models', headers: { 'x-api-key': key } })).statusCode;
    expect([await status('guess-1'), await status('guess-2'), await status('guess-3')]).toEqual([401, 401, 429]);
    const refused = await app.inject({ url: '/models', headers: { 'x-api-key': 'guess-4' } });
    expect(refused.json().message).toMatch(/^more than 2 requests in 1 min from this client without the API key; retry in \d+ s$/);
    expect([await status(KEY), await status(KEY), await status(KEY)]).toEqual([200, 200, 429]); // its own limit, whole
  });

  it('connections past the cap get a 503 with a message and are closed', async () => {
    const app = make([lookup], { maxConnections: 2 });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as net.AddressInfo).port;
    const open = (): Promise<net.Socket> => new Promise((resolve) => { const s = net.connect(port, '127.0.0.1', () => resolve(s)); });
    const held = [await open(), await open()];
    await new Promise((r) => setTimeout(r, 50));
    const answeredBefore = connectionsOf(app).answered;
    const third = await open();
    third.write('GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n'); // refused connections' requests are never parsed, routed or computed
    const answer = await new Promise<string>((resolve) => { let text = ''; third.on('data', (d) => (text += d)); third.on('close', () => resolve(text)); });
    await new Promise((r) => setTimeout(r, 50));
    expect(connectionsOf(app).answered).toBe(answeredBefore);
    expect(answer).toMatch(/^HTTP\/1\.1 503 Service Unavailable/);
    expect(answer).toContain('"message":"the service holds at most 2 connections; retry later"');
    expect(connectionsOf(app).connections).toBe(2);
    held.forEach((s) => s.destroy());
    await new Promise((r) => setTimeout(r, 50));
    expect(refusedCounts(await (await app.inject('/metrics')).payload)).toEqual({ 'too-many-connections': 1, 'request-timeout': 0, 'bad-request': 0 });
  });

  it('a client that does not finish its request in time gets a 408 naming the limit and is disconnected; bytes that are not HTTP a 400', async () => {
    const app = make([lookup], { requestTimeoutMs: 400 });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as net.AddressInfo).port;
    const socket = net.connect(port, '127.0.0.1');
    const started = performance.now();
    socket.write('POST /models/roth/neighbors HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"ent');
    const answer = await new Promise<string>((resolve) => { let text = ''; socket.on('data', (d) => (text += d)); socket.on('close', () => resolve(text)); socket.on('error', () => undefined); });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({ error: 'request-timeout', message: 'the request was not received whole within 400 ms' });
    expect(performance.now() - started).toBeLessThan(3000);
    const garbage = net.connect(port, '127.0.0.1');
    garbage.write('NOT HTTP AT ALL\r\n\r\n');
    const refused = await new Promise<string>((resolve) => { let text = ''; garbage.on('data', (d) => (text += d)); garbage.on('close', () => resolve(text)); garbage.on('error', () => undefined); });
    expect(refused.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(JSON.parse(refused.slice(refused.indexOf('\r\n\r\n') + 4))).toMatchObject({ error: 'bad-request' });
    // a URL past Node's header limit: what is too large, and what to do instead
    const long = net.connect(port, '127.0.0.1');
    long.write(`GET /models/roth/neighbors?entity=${'x'.repeat(20_000)} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    const tooLarge = await new Promise<string>((resolve) => { let text = ''; long.on('data', (d) => (text += d)); long.on('close', () => resolve(text)); long.on('error', () => undefined); });
    expect(tooLarge.split('\r\n')[0]).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(JSON.parse(tooLarge.slice(tooLarge.indexOf('\r\n\r\n') + 4))).toEqual({ error: 'bad-request', message: 'the request line and headers are larger than 16 KiB: send a long query as a POST with a JSON body' });
    expect(refusedCounts(await (await app.inject('/metrics')).payload)).toEqual({ 'too-many-connections': 0, 'request-timeout': 1, 'bad-request': 2 });
  });

  it('a run whose dataset is gone: its note and the filtering error name no path', async () => {
    const graph = path.join(tmp, 'graph');
    renameSync(graph, `${graph}-away`);
    let moved: CheckpointLookup | undefined;
    try {
      moved = await CheckpointLookup.open(path.join(tmp, 'roth'), { indexMode: 'background' });
    } finally {
      renameSync(`${graph}-away`, graph);
    }
    expect(String(moved.info().note)).toContain(tmp);
    const app = make([moved]);
    const info = await app.inject('/models/roth');
    expect(info.json().note).toMatch(/not loaded/);
    const filtered = await app.inject('/models/roth/predict?head=e1&relation=parent&filtered=true');
    expect(filtered.statusCode).toBe(409); // the service cannot filter for this run: not the client's query at fault
    expect(filtered.json()).toMatchObject({ error: 'unavailable', message: expect.stringMatching(/^filtering needs the run's dataset: .*\(if it moved: neighbors, predict and serve take --dataset <where it is now>; openModel takes dataset\)$/) });
    for (const body of [info.body, filtered.body]) expect(body).not.toContain(tmp);
    moved.close();
  });

  it('messages never show absolute paths', () => {
    expect(withoutPaths("dataset /work/shared/data/WN18RR not loaded (ENOENT: no such file or directory, open '/tmp/x/train.txt')"))
      .toBe("dataset …/WN18RR not loaded (ENOENT: no such file or directory, open '…/train.txt')");
    expect(withoutPaths('no route GET /nothing')).toBe('no route GET /nothing'); // one segment: not a path (the 404 itself shows its URL unshortened)
    const relation = '/film/actor/film./film/performance/film'; // a relation of FB15k-237: a served vocabulary's key stays
    expect(withoutPaths("unknown entity '/m/027rn'; did you mean: /m/027rm, /film/actor/film./film/performance/film?", [], (name) => name === relation)).toBe("unknown entity '/m/027rn'; did you mean: /m/027rm, /film/actor/film./film/performance/film?");
    expect(withoutPaths('dataset /srv/kg/data/mine not loaded', ['/srv/kg/data/mine'])).toBe('dataset …/mine not loaded');
    expect(withoutPaths('dataset /x/y/z failed', ['/x/y/z'])).toBe('dataset …/z failed');
  });
});
