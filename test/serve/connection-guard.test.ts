import { describe, expect, it } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import { ConnectionGuard } from '../../src/serve/connections.js';
import { rawConnection as connection } from '../helpers/raw-connection.js';

/** Busy-waits `ms` milliseconds (a long synchronous answer: the event loop reads no socket meanwhile). */
function block(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('ConnectionGuard.drain', () => {
  it('answers a request that arrives after the drain started, while a long answer blocks the loop', async () => {
    const server = http.createServer((_request, response) => {
      block(80);
      response.end('ok');
    });
    const guard = new ConnectionGuard(server, 100);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const [a, b] = await Promise.all([connection(port), connection(port)]);
    await new Promise((resolve) => setTimeout(resolve, 20)); // both accepted
    a.socket.write('GET /a HTTP/1.1\r\nHost: t\r\n\r\n');
    const drained = guard.drain(() => { const closed = new Promise((resolve) => server.close(resolve)); server.closeIdleConnections(); return closed; }, 5000);
    // written while A's answer blocks the loop: B's bytes wait in its socket when the drain's timer fires
    setTimeout(() => b.socket.write('GET /b HTTP/1.1\r\nHost: t\r\n\r\n'), 5);
    const report = await drained;
    expect(await a.answer).toMatch(/^HTTP\/1\.1 200/);
    expect(await b.answer).toMatch(/^HTTP\/1\.1 200[\s\S]*connection: close/i);
    expect(report).toMatchObject({ answered: 2, dropped: 0 });
  });
});
