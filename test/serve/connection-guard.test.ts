import { describe, expect, it } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import { ConnectionGuard, trustedProxies } from '../../src/serve/connections.js';
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

describe('ConnectionGuard: connections per client', () => {
  /** A connection to 127.0.0.1:port from `localAddress`, with everything the server sends until it closes. */
  async function from(port: number, localAddress: string): Promise<{ socket: net.Socket; answer: Promise<string> }> {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const answer = new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (d) => (text += d.toString())).on('error', () => undefined).on('close', () => resolve(text));
    });
    return { socket, answer };
  }

  it('refuses a client past its cap with the 503 of the global cap, while another client is still served', async () => {
    const server = http.createServer((_request, response) => response.end('ok'));
    const guard = new ConnectionGuard(server, 20, Infinity, undefined, { max: 5 });
    let refused = 0;
    guard.onRefused = () => refused++;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const held = [];
      for (let i = 0; i < 5; i++) {
        const c = await from(port, '127.0.0.1');
        c.socket.write('GET /slow HTTP/1.1\r\nHost: t\r\n'); // headers never finished
        held.push(c);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
      const sixth = await from(port, '127.0.0.1');
      // (without the cap it is accepted, and answers nothing until it sends a request)
      const answer = await Promise.race([sixth.answer, new Promise<string>((resolve) => setTimeout(() => resolve('accepted: no answer'), 2000))]);
      sixth.socket.destroy();
      expect(answer).toMatch(/^HTTP\/1\.1 503[\s\S]*Retry-After: 1[\s\S]*"too-many-connections"/);
      expect(answer).toContain('at most 5 connections from one client');
      expect(refused).toBe(1);
      const other = await from(port, '127.0.0.2');
      other.socket.write('GET /health/live HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
      expect(await other.answer).toMatch(/^HTTP\/1\.1 200/);
      held[0]!.socket.destroy(); // a slot of the first client is free again
      await new Promise((resolve) => setTimeout(resolve, 20));
      const again = await from(port, '127.0.0.1');
      again.socket.write('GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
      expect(await again.answer).toMatch(/^HTTP\/1\.1 200/);
      for (const c of held) c.socket.destroy();
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('leaves the proxies of --trust-proxy outside the cap', () => {
    expect(trustedProxies(undefined)('10.0.0.1')).toBe(false);
    expect(trustedProxies(1)('203.0.113.9')).toBe(true);
    const listed = trustedProxies(['10.0.0.0/8', '::1', 'fd00::/8']);
    expect([listed('10.1.2.3'), listed('::ffff:10.1.2.3'), listed('::1'), listed('fd00::5'), listed('11.0.0.1'), listed('2001:db8::1')]).toEqual([true, true, true, true, false, false]);
  });
});
