/**
 * The service's connections: a cap in all and one per client (connections past either get a 503 and are closed, so
 * one client opening many connections and never finishing a request cannot take every slot), the count of requests in
 * flight, and the drain on shutdown — stop accepting, answer everything already received, then close.
 *
 * Why a drain needs more than `server.close()`: connections a client opened before the signal may still sit in
 * the kernel's accept queue, or their request bytes in a socket buffer, while the event loop was busy answering
 * others. Closing the listener at once resets the first; Node's `closeIdleConnections` (part of `close()`)
 * destroys the second, since no request has been parsed on them yet. So the drain first keeps the listener open
 * until `QUIET_MS` and then one more poll of the sockets bring neither a new connection nor a new request (by then
 * every received request has been read and is in flight: a timer that fires late, after a long answer, runs before
 * the poll phase that reads what arrived meanwhile, hence the extra turn) — or at most `ACCEPT_MS`, since under
 * steady traffic that quiet moment never comes —, marks each connection's last answer `Connection: close`, and only
 * then closes the listener and the idle connections.
 *
 * Pipelined requests: Node answers a connection's requests in order, and closes it after the first answer that
 * says `Connection: close`, dropping the answers queued behind it; so only a connection's last received request
 * is answered with it. Node stops checking request and header timeouts once the listener closes, so the drain
 * checks them: a request whose body is still on its way gets the 408 of any request timeout `requestTimeoutMs`
 * after its headers came, and a connection whose headers are still on their way gets it `requestTimeoutMs` after
 * the listener closed (idle ones Node closes itself). And a connection that closes with
 * requests not yet answered (the client went, or the drain timed out) takes them out of the count in flight:
 * Node never finishes a queued answer on a closed connection.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { BlockList, isIP, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { clientKey } from './rate-limit.js';

/** A drain is done accepting once this long passes without a new connection. */
const QUIET_MS = 25;
/** …or once it has accepted for this long, whatever the traffic. */
const ACCEPT_MS = 500;

/**
 * Waits until `count` stays the same over QUIET_MS and one more poll of the sockets (what arrived meanwhile is read
 * and counted then), for as long as `going()` holds.
 */
async function untilQuiet(count: () => number, going: () => boolean): Promise<void> {
  for (let seen = -1; seen !== count() && going();) {
    seen = count();
    await sleep(QUIET_MS);
    await new Promise((resolve) => setImmediate(resolve)); // after a poll phase: sockets read, requests counted
  }
}

/** What a drain did. */
export interface DrainReport {
  /** Requests received and not yet answered when the drain started. */
  inFlight: number;
  /** Requests answered since the server started, the drain's included (what a shutdown log's "answered N" means). */
  answered: number;
  /** Of those, the ones answered during the drain (including ones read after it started). */
  answeredDuringDrain: number;
  /** Connections still open when the drain gave up (0 unless it timed out). */
  dropped: number;
  /** Requests received and never answered during the drain, their connection having closed first (the client went, a 408, or the drain's timeout). */
  abandoned: number;
  /** Connections turned away with a 503 once the drain stopped accepting (clients to retry elsewhere). */
  refused: number;
  /** How long the drain took. */
  seconds: number;
}

/** The per-client connection cap of a ConnectionGuard. */
export interface PerClientLimit {
  /** Connections one client (an address; IPv6 by its /64, as the rate limit counts) may hold at once; more get a 503. */
  max: number;
  /** Addresses outside the cap (the proxies of `--trust-proxy`, whose connections carry many clients). */
  exempt?: (address: string) => boolean;
}

/**
 * The addresses `--trust-proxy` names as proxies (outside the per-client cap): every address for a number of hops or
 * `true` (any peer may be a proxy), those in the listed addresses and CIDR ranges, or none.
 */
export function trustedProxies(trustProxy: boolean | number | readonly string[] | undefined): (address: string) => boolean {
  if (trustProxy === undefined || trustProxy === false) return () => false;
  if (trustProxy === true || typeof trustProxy === 'number') return () => true;
  const list = new BlockList();
  for (const entry of trustProxy) {
    const [address = '', bits] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(bits), family);
  }
  return (address) => {
    const plain = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
    const family = isIP(plain);
    return family !== 0 && list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  };
}

/** Tracks the connections and requests of one HTTP server. */
export class ConnectionGuard {
  /** True once a drain has started (readiness is then false and each connection's last answer carries `Connection: close`). */
  closing = false;
  /** Called for each connection refused past the cap (the service's metrics count them). */
  onRefused: () => void = () => undefined;
  private accepted = 0;
  private received = 0;
  private answeredCount = 0;
  private refusedWhileDraining = 0;
  private readonly open = new Set<Socket>();
  /** Open connections by client (clientKey of the address), for the per-client cap. */
  private readonly byClient = new Map<string, number>();
  /** True once a drain has stopped accepting: a new connection gets a 503 at once (the listener closes soon after). */
  private refusing = false;
  /** Each connection's requests received and not yet answered (the requests in flight), in the order received, with when each came in. */
  private readonly pending = new Map<Socket, Map<ServerResponse, { request: IncomingMessage; at: number }>>();
  private abandonedCount = 0;

  /**
   * `onRequestTimeout(socket)` answers a request not received whole within `requestTimeoutMs` during a drain (the
   * server's 408 of framework-errors.ts) and closes its socket. `perClient` caps the connections of one client.
   */
  constructor(server: Server, readonly maxConnections: number, readonly requestTimeoutMs = Infinity,
    private readonly onRequestTimeout: (socket: Socket) => void = (socket) => socket.destroy(), readonly perClient: PerClientLimit = { max: Infinity }) {
    server.on('connection', (socket: Socket) => {
      this.accepted++;
      const address = socket.remoteAddress ?? '';
      const client = perClient.max === Infinity || perClient.exempt?.(address) === true ? undefined : clientKey(address);
      const clientFull = client !== undefined && (this.byClient.get(client) ?? 0) >= perClient.max;
      if (this.open.size >= maxConnections || this.refusing || clientFull) {
        const body = this.refusing
          ? JSON.stringify({ error: 'not-ready', message: 'the service is shutting down; retry on another instance' })
          : this.open.size >= maxConnections
            ? JSON.stringify({ error: 'too-many-connections', message: `the service holds at most ${maxConnections} connections; retry later` })
            : JSON.stringify({ error: 'too-many-connections', message: `the service holds at most ${perClient.max} connections from one client (address${client?.endsWith('/64') ? ', IPv6 by its /64 network' : ''}), and this one has them open; close some, or retry later` });
        if (this.refusing) this.refusedWhileDraining++;
        else this.onRefused();
        // the HTTP parser is already attached (Node's own connection listener runs first): stop reading, so that
        // nothing the client sends on this socket is parsed, routed or computed, and destroy it once the 503 is out
        socket.pause(); // (in the same turn as the accept: before any of its bytes are read)
        socket.end(`HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n${body}`, () => socket.destroy());
        return;
      }
      this.open.add(socket);
      if (client !== undefined) this.byClient.set(client, (this.byClient.get(client) ?? 0) + 1);
      socket.once('close', () => {
        this.open.delete(socket);
        if (client !== undefined) {
          const left = (this.byClient.get(client) ?? 1) - 1;
          if (left > 0) this.byClient.set(client, left);
          else this.byClient.delete(client);
        }
        // answers still queued on it never come (Node emits no 'close' for them): out of the count in flight
        const queue = this.pending.get(socket);
        if (queue === undefined) return;
        this.abandonedCount += queue.size;
        queue.clear();
        this.pending.delete(socket);
      });
    });
    // before fastify's own listener, so a request is counted before it is answered
    server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
      this.received++;
      const socket = request.socket;
      let queue = this.pending.get(socket);
      if (!queue) this.pending.set(socket, (queue = new Map()));
      queue.set(response, { request, at: performance.now() });
      if (this.closing) closeAfterLast(queue);
      response.once('close', () => {
        if (!queue.delete(response)) return; // counted already, its connection closed first
        if (response.writableFinished) this.answeredCount++;
        else this.abandonedCount++; // its connection closed before the answer was out
      });
    });
  }

  /**
   * During a drain, once the listener closed at `closedAt`: 408s (and closes) each connection whose request body is not
   * received whole `requestTimeoutMs` after its headers, or whose headers are not `requestTimeoutMs` after `closedAt`.
   */
  private timeOutSlowRequests(closedAt: number): void {
    const now = performance.now();
    for (const socket of this.open) {
      if (socket.destroyed) continue;
      const queue = this.pending.get(socket);
      const slow = queue !== undefined && queue.size > 0
        ? [...queue.values()].some(({ request, at }) => !request.complete && now - at > this.requestTimeoutMs)
        : now - closedAt > this.requestTimeoutMs; // open, no request in: its headers are still on their way
      if (slow) this.onRequestTimeout(socket);
    }
  }

  /**
   * Runs `then` once every request received whole on `socket` before now is answered (or its answer abandoned): at
   * once when none is in flight. An error answer for what came after them (bytes that are not HTTP behind pipelined
   * requests, a request whose body stopped coming) is written after their answers, not in their place.
   */
  afterAnswers(socket: Socket, then: () => void): void {
    const whole = [...(this.pending.get(socket) ?? new Map()).entries()].filter(([, { request }]) => request.complete);
    const last = whole.at(-1)?.[0];
    if (last === undefined) return then();
    last.once('close', () => then());
  }

  /** Requests received and not yet answered. */
  get inFlight(): number {
    let count = 0;
    for (const queue of this.pending.values()) count += queue.size;
    return count;
  }

  /** Requests answered since the server started. */
  get answered(): number {
    return this.answeredCount;
  }

  /** Open connections. */
  get connections(): number {
    return this.open.size;
  }

  /**
   * Stops accepting once the accept queue is empty, answers what was received, and resolves when every
   * connection is closed (or after `timeoutMs`, destroying what is left). `close` closes the listener and the
   * idle connections (fastify's `app.close()`).
   */
  async drain(close: () => Promise<unknown>, timeoutMs: number): Promise<DrainReport> {
    const started = performance.now();
    const inFlight = this.inFlight;
    const answeredBefore = this.answeredCount;
    this.closing = true;
    const abandonedBefore = this.abandonedCount;
    // the last answer still to come on each connection closes it; else one finished after `close` below would leave
    // its keep-alive connection open until the keep-alive timeout (10 s in serve)
    for (const queue of this.pending.values()) closeAfterLast(queue);
    const left = (): number => timeoutMs - (performance.now() - started);
    const activity = (): number => this.accepted + this.received;
    // under steady traffic a quiet moment may never come: accept for at most ACCEPT_MS (a quarter of the timeout if
    // that is shorter), then close the listener anyway (readiness has been 503 since the signal, so balancers have
    // stopped sending), leaving the rest of the timeout to answer what was received
    const acceptUntil = Math.min(ACCEPT_MS, timeoutMs / 4);
    await untilQuiet(activity, () => performance.now() - started < acceptUntil);
    // done accepting: new connections get a 503, and the ones accepted so far are given a quiet turn to be read (their
    // requests are counted before `close` would take a connection without one for idle and destroy it)
    this.refusing = true;
    await untilQuiet(() => this.received, () => left() > 0);
    const closed = close().catch(() => undefined);
    // Node stops checking request timeouts once the listener closes: a slow client would hold the drain to its end
    const closedAt = performance.now();
    const checker = Number.isFinite(this.requestTimeoutMs)
      ? setInterval(() => this.timeOutSlowRequests(closedAt), Math.max(50, Math.min(1000, this.requestTimeoutMs / 4))).unref()
      : undefined;
    const timer = sleep(Math.max(left(), 0), 'timeout' as const, { ref: false });
    const outcome = await Promise.race([closed.then(() => 'closed' as const), timer]);
    clearInterval(checker);
    const dropped = outcome === 'timeout' ? this.open.size : 0;
    if (outcome === 'timeout') for (const socket of this.open) socket.destroy();
    // the listener's 'close' (and a socket's destroy) come before the sockets' own 'close' events (a handle closes a
    // loop turn later), which count the requests they leave unanswered: wait for those
    for (let turns = 0; this.open.size > 0 && turns < 100; turns++) await sleep(1);
    const answered = this.answeredCount;
    return { inFlight, answered, answeredDuringDrain: answered - answeredBefore, dropped, abandoned: this.abandonedCount - abandonedBefore,
      refused: this.refusedWhileDraining, seconds: (performance.now() - started) / 1000 };
  }
}

/**
 * Marks the last received request's answer on a connection `Connection: close`, and unmarks the earlier ones not
 * yet started: Node closes the connection after the first answer so marked and drops those queued behind it.
 */
function closeAfterLast(queue: Map<ServerResponse, unknown>): void {
  let last: ServerResponse | undefined;
  for (const response of queue.keys()) last = response;
  for (const response of queue.keys()) {
    if (response.headersSent) continue;
    if (response === last) response.setHeader('connection', 'close');
    else response.removeHeader('connection');
  }
}
