import { describe, expect, it } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import { ConnectionGuard } from '../../src/serve/connections.js';
import { rawConnection as connection } from '../helpers/raw-connection.js';

/** GETs `path` on a fresh connection (closed after the answer) and resolves with the status. */
function get(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, agent: false }, (response) => {
      response.resume();
      response.once('end', () => resolve(response.statusCode ?? 0));
    }).once('error', reject);
  });
}

describe('ConnectionGuard: what a drain reports as answered', () => {
  it('counts every request answered since the start, and apart the ones answered during the drain', async () => {
    const server = http.createServer((_request, response) => response.end('ok'));
    const guard = new ConnectionGuard(server, 100);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    for (let i = 0; i < 5; i++) expect(await get(port, `/before-${i}`)).toBe(200);
    const late = await connection(port);
    await new Promise((resolve) => setTimeout(resolve, 20)); // each response's 'close' has fired, `late` is accepted
    expect(guard.answered).toBe(5);
    const drained = guard.drain(() => { const closed = new Promise((resolve) => server.close(resolve)); server.closeIdleConnections(); return closed; }, 5000);
    setTimeout(() => late.socket.write('GET /late HTTP/1.1\r\nHost: t\r\n\r\n'), 5); // read during the drain
    const report = await drained;
    expect(await late.answer).toMatch(/^HTTP\/1\.1 200[\s\S]*connection: close/i);
    expect(report).toMatchObject({ inFlight: 0, answered: 6, answeredDuringDrain: 1, dropped: 0, refused: 0 });
  });

  it('closes the connection of a request in flight when the drain started, once answered (no wait for the keep-alive timeout)', async () => {
    let release: () => void = () => undefined;
    const server = http.createServer((_request, response) => { release = () => response.end('slow'); });
    server.keepAliveTimeout = 10_000;
    const guard = new ConnectionGuard(server, 100);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const slow = await connection(port);
    slow.socket.write('GET /slow HTTP/1.1\r\nHost: t\r\n\r\n');
    while (guard.inFlight === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const drained = guard.drain(() => { const closed = new Promise((resolve) => server.close(resolve)); server.closeIdleConnections(); return closed; }, 5000);
    setTimeout(() => release(), 150); // after the drain's quiet turn: the listener and the idle connections are closed by then
    const report = await drained;
    expect(await slow.answer).toMatch(/^HTTP\/1\.1 200[\s\S]*connection: close/i);
    expect(report).toMatchObject({ inFlight: 1, answered: 1, answeredDuringDrain: 1, dropped: 0 });
    expect(report.seconds).toBeLessThan(2);
  });

  it('under steady traffic stops accepting after a bounded time and answers every request it received: nothing dropped', async () => {
    const server = http.createServer((_request, response) => response.end('ok'));
    const guard = new ConnectionGuard(server, 1000);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    // four clients, each a request on a fresh connection after the other, until the listener is closed
    let stopped = false;
    const outcomes: string[] = [];
    const client = async (): Promise<void> => {
      while (!stopped) {
        try {
          outcomes.push(String(await get(port, '/busy')));
        } catch (error) {
          outcomes.push((error as NodeJS.ErrnoException).code ?? 'error');
          if ((error as NodeJS.ErrnoException).code === 'ECONNREFUSED') return; // the listener is closed: done
        }
      }
    };
    const clients = Array.from({ length: 4 }, client);
    while (guard.answered < 20) await new Promise((resolve) => setTimeout(resolve, 5));
    const report = await guard.drain(() => { const closed = new Promise((resolve) => server.close(resolve)); server.closeIdleConnections(); return closed; }, 8000);
    stopped = true;
    await Promise.all(clients);
    // before the bound, the drain kept accepting until its 8 s timeout and then reset the connections it held
    expect(report.dropped).toBe(0);
    expect(report.seconds).toBeLessThan(4);
    expect(report.answeredDuringDrain).toBeGreaterThan(0);
    // every request the server read was answered; a connection accepted once the drain stopped accepting gets a 503,
    // one still in the kernel's accept queue when the listener closed is reset (never received: readiness had been
    // 503 since the drain began), one arriving later is refused
    expect(outcomes.filter((o) => o === '200').length).toBe(guard.answered);
    expect(outcomes.filter((o) => o === '503').length).toBe(report.refused); // the refusals the shutdown line reports
    expect(outcomes.filter((o) => !['200', '503', 'ECONNREFUSED', 'ECONNRESET'].includes(o))).toEqual([]);
  });

  /** A server whose every answer comes `delayMs` after its request, with a guard of request timeout `requestTimeoutMs`. */
  async function slowServer(delayMs: number, requestTimeoutMs = Infinity): Promise<{ server: http.Server; guard: ConnectionGuard; port: number; drain: (ms: number) => ReturnType<ConnectionGuard['drain']> }> {
    const server = http.createServer((request, response) => {
      request.resume();
      request.once('end', () => setTimeout(() => response.end(`ok ${request.url}`), delayMs));
    });
    const guard = new ConnectionGuard(server, 100, requestTimeoutMs, (socket) => {
      socket.end('HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n', () => socket.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const drain = (ms: number) => guard.drain(() => { const closed = new Promise((resolve) => server.close(resolve)); server.closeIdleConnections(); return closed; }, ms);
    return { server, guard, port, drain };
  }

  it('answers every pipelined request received before the drain (only the last closes the connection)', async () => {
    const { guard, port, drain } = await slowServer(40);
    const client = await connection(port);
    client.socket.write([1, 2, 3, 4].map((i) => `GET /p${i} HTTP/1.1\r\nHost: t\r\n\r\n`).join(''));
    while (guard.inFlight < 4) await new Promise((resolve) => setTimeout(resolve, 5));
    const report = await drain(5000);
    const text = await client.answer;
    // before, each answer said Connection: close and Node closed the connection after the first: 3 of 4 were lost
    expect(text.match(/HTTP\/1\.1 200/g)).toHaveLength(4); // (a body ends without a newline)
    for (let i = 1; i <= 4; i++) expect(text).toContain(`ok /p${i}`);
    expect(text.match(/connection: close/gi)).toHaveLength(1);
    expect(report).toMatchObject({ inFlight: 4, answeredDuringDrain: 4, dropped: 0, abandoned: 0 });
  });

  it('a connection closed with pipelined requests unanswered takes them out of the count in flight', async () => {
    const { server, guard, port } = await slowServer(100);
    const client = await connection(port);
    client.socket.write([1, 2, 3, 4, 5].map((i) => `GET /q${i} HTTP/1.1\r\nHost: t\r\n\r\n`).join(''));
    while (guard.inFlight < 5) await new Promise((resolve) => setTimeout(resolve, 5));
    client.socket.destroy();
    await client.answer;
    await new Promise((resolve) => setTimeout(resolve, 250)); // every handler has run by now
    expect(guard.inFlight).toBe(0); // it stayed at 4 for ever: a leak of every abandoned pipelined request
    expect(guard.answered).toBe(0);
    server.close();
  });

  it('a client still sending its body when the listener closes gets the 408 of its request timeout (from its headers), not the drain\'s end', async () => {
    const { guard, port, drain } = await slowServer(0, 300);
    const slow = await connection(port);
    slow.socket.write('POST /slow HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n0123456789');
    while (guard.inFlight === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const report = await drain(8000);
    expect(await slow.answer).toMatch(/^HTTP\/1\.1 408/);
    expect(report.seconds).toBeLessThan(2); // it held the drain to its 8 s timeout, then the connection was dropped
    expect(report).toMatchObject({ dropped: 0, abandoned: 1 });
    expect(guard.inFlight).toBe(0);
  });

  it('a client still sending its headers when the listener closes gets a 408 a request timeout later, not the drain\'s end', async () => {
    const { port, drain } = await slowServer(0, 300);
    const slow = await connection(port);
    slow.socket.write('GET /slow HTTP/1.1\r\nHost: t\r\nX-Half: '); // headers not done: no request yet
    await new Promise((resolve) => setTimeout(resolve, 20));
    const report = await drain(8000);
    expect(await slow.answer).toMatch(/^HTTP\/1\.1 408/);
    expect(report.seconds).toBeLessThan(2); // Node stops checking header timeouts at close: it held the drain for 8 s
    expect(report).toMatchObject({ dropped: 0, abandoned: 0 }); // no request was received
  });
});
