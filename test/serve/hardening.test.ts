// The service's answers to the security review's findings (no model needed: a service of no runs answers /models):
// a repeated Authorization header presents no key, a loopback service without a key answers only for this machine's
// names (DNS rebinding), the explorer's files count in the rate limit, and headers must come sooner than the request.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildServer, type ServerOptions } from '../../src/serve/server.js';
import { rawConnection } from '../helpers/raw-connection.js';

const KEY = 'k3y-0123456789abcdef';
const apps: FastifyInstance[] = [];
const make = (options: ServerOptions = {}): FastifyInstance => {
  const app = buildServer([], options);
  apps.push(app);
  return app;
};

afterAll(async () => {
  for (const app of apps) await app.close();
});

describe('serve: a repeated Authorization header', () => {
  it('presents no key, whichever comes first (401 saying so), as a repeated X-API-Key does', async () => {
    const app = make({ apiKey: KEY });
    // light-my-request sends an array's values as repeated headers (its types do not say so)
    const models = (headers: Record<string, string | string[]>) => app.inject({ url: '/models', headers: headers as unknown as Record<string, string> });
    expect((await models({ authorization: `Bearer ${KEY}` })).statusCode).toBe(200);
    for (const values of [[`Bearer ${KEY}`, 'Bearer nope'], ['Bearer nope', `Bearer ${KEY}`], [`Bearer ${KEY}`, `Bearer ${KEY}`]]) {
      const answer = await models({ authorization: values });
      expect(answer.statusCode).toBe(401);
      expect(answer.json()).toEqual({ error: 'unauthorized', message: 'the request has more than one Authorization header: send it as "Authorization: Bearer <key>" or "X-API-Key: <key>", once' });
    }
    expect((await models({ 'x-api-key': KEY, authorization: [`Bearer ${KEY}`, 'Bearer x'] })).statusCode).toBe(401);
    const twice = await models({ 'x-api-key': [KEY, KEY] }); // Node joins the values into one ("k, k"): said as repeated, not as a wrong key
    expect(twice.statusCode).toBe(401);
    expect(twice.json()).toEqual({ error: 'unauthorized', message: 'the request has more than one X-API-Key header: send it as "Authorization: Bearer <key>" or "X-API-Key: <key>", once' });
  });
});

describe('serve: Host check on loopback without an API key (DNS rebinding)', () => {
  it('answers 403 to another Host, naming --allowed-host; this machine\'s names pass with any port', async () => {
    const app = make();
    const refused = await app.inject({ url: '/models', headers: { host: 'attacker.example:8080' } });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: 'forbidden-host' });
    expect(refused.json().message).toContain('--allowed-host attacker.example');
    expect((await app.inject({ url: '/health', headers: { host: 'attacker.example' } })).statusCode).toBe(403);
    for (const host of ['localhost', 'localhost:8080', '127.0.0.1:9', '[::1]:8080', '[::1]', '::1', 'LOCALHOST']) {
      expect((await app.inject({ url: '/models', headers: { host } })).statusCode, host).toBe(200);
    }
    expect((await app.inject('/models')).statusCode).toBe(200); // inject's own Host: localhost:80
  });

  it('passes the names of --allowed-host; a service with a key, or not on loopback, checks no Host', async () => {
    const allowed = make({ allowedHosts: ['kg.local', 'Box.LAN:1234'] });
    for (const host of ['kg.local', 'kg.local:8080', 'box.lan']) expect((await allowed.inject({ url: '/models', headers: { host } })).statusCode, host).toBe(200);
    expect((await allowed.inject({ url: '/models', headers: { host: 'other.local' } })).statusCode).toBe(403);
    const keyed = make({ apiKey: KEY });
    expect((await keyed.inject({ url: '/models', headers: { host: 'attacker.example', 'x-api-key': KEY } })).statusCode).toBe(200);
    const exposed = make({ host: '0.0.0.0' });
    expect((await exposed.inject({ url: '/models', headers: { host: 'kg.example.org' } })).statusCode).toBe(200);
  });

  it('a listening service decides by the address it is bound to', async () => {
    const app = make();
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const { socket, answer } = await rawConnection(port);
    socket.write('GET /models HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n');
    expect(await answer).toMatch(/^HTTP\/1\.1 403[\s\S]*"forbidden-host"/);
  });
});

describe('serve: the explorer\'s files', () => {
  it('need no key but count in the rate limit, as requests without the key', async () => {
    const assets = mkdtempSync(path.join(tmpdir(), 'kgdistill-assets-'));
    writeFileSync(path.join(assets, 'index.html'), '<!doctype html>');
    writeFileSync(path.join(assets, 'app.js'), 'void 0;');
    const app = make({ apiKey: KEY, rateLimit: { max: 2, windowMs: 60_000 }, explorer: { assetsDir: assets } });
    expect((await app.inject('/explorer/app.js')).statusCode).toBe(200);
    expect((await app.inject('/')).statusCode).toBe(200);
    const third = await app.inject('/explorer/app.js');
    expect(third.statusCode).toBe(429);
    expect(Number(third.headers['retry-after'])).toBeGreaterThanOrEqual(50); // the seconds left of the 60 s window
    expect(Number(third.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(third.json()).toMatchObject({ error: 'rate-limited' });
    expect((await app.inject({ url: '/models', headers: { 'x-api-key': KEY } })).statusCode).toBe(200); // counted apart
    expect((await app.inject('/health/live')).statusCode).toBe(200); // the probes stay outside
  });

  it('on a service without a key, share the one count of the client\'s requests', async () => {
    const app = make({ rateLimit: { max: 2, windowMs: 60_000 }, explorer: { assetsDir: mkdtempSync(path.join(tmpdir(), 'kgdistill-assets-')) } });
    expect((await app.inject('/explorer/app.js')).statusCode).toBe(503); // (not built there: a 503 saying so)
    expect((await app.inject('/models')).statusCode).toBe(200);
    const third = await app.inject('/explorer/app.js');
    expect(third.statusCode).toBe(429);
    expect(third.json().message).toBe('more than 2 requests in 1 min from this client; retry in 60 s');
  });
});

describe('serve: headers timeout', () => {
  it('is 5 s by default (half the request timeout), and at most the request timeout', () => {
    expect(make().server.headersTimeout).toBe(5000);
    expect(make({ requestTimeoutMs: 2000 }).server.headersTimeout).toBe(2000);
  });

  it('drops a client that sends its headers a line at a time with a 408 before the request timeout', async () => {
    const app = make({ requestTimeoutMs: 6000, headersTimeoutMs: 400 });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const { socket, answer } = await rawConnection(port);
    const started = performance.now();
    socket.write('GET /health/live HTTP/1.1\r\nHost: localhost\r\n');
    const drip = setInterval(() => socket.writable && socket.write('X-Drip: 1\r\n'), 100);
    let text = '';
    try {
      text = await answer;
    } finally {
      clearInterval(drip);
    }
    expect(text).toMatch(/^HTTP\/1\.1 408/);
    // Node's error does not say which timeout ran out: both are named, not only the request timeout that did not
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toEqual({ error: 'request-timeout', message: 'the request was not received whole in time: its headers within 400 ms, all of it within 6000 ms' });
    expect(performance.now() - started).toBeLessThan(3000);
  });
});

describe('serve: a request refused before its body came whole', () => {
  it('gets one answer and the connection is closed: no second answer (the 408 of its timeout) on the same socket', async () => {
    const app = make({ apiKey: KEY, requestTimeoutMs: 400 });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const cases = [['Content-Type: application/json\r\n', 'HTTP/1.1 401'], [`Authorization: Bearer ${KEY}\r\nContent-Type: text/plain\r\n`, 'HTTP/1.1 415']];
    for (const [headers, status] of cases) {
      const { socket, answer } = await rawConnection(port);
      const started = performance.now();
      socket.write(`POST /models/m/neighbors HTTP/1.1\r\nHost: localhost\r\n${headers}Content-Length: 24\r\n\r\n{"ent`);
      const text = await answer; // the server closes the connection
      expect(text.match(/HTTP\/1\.1 \d{3}/g), status).toEqual([status]);
      expect(text).toMatch(/\r\nconnection: close\r\n/i);
      expect(performance.now() - started).toBeLessThan(350); // at once, not at the request timeout
    }
  });
});

describe('serve: bytes that are not HTTP behind pipelined requests', () => {
  it('answer the requests before them first, then the 400, then close (RFC 9112 §9.3.2)', async () => {
    const app = make();
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const { socket, answer } = await rawConnection(port);
    socket.write('GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\nGET /health HTTP/1.1\r\nHost: localhost\r\n\r\nGARBAGE\r\n\r\n');
    const text = await answer;
    expect(text.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 200', 'HTTP/1.1 400']);
    expect(text).toContain('{"status":"live"}');
  });
});
