/**
 * Helpers of the service benchmarks: `kgdistill serve` (the built CLI) in a child process, and raw HTTP/1.1
 * requests over a socket of their own (any method, header or body bytes, nothing checked by a client library).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The run the service benchmarks serve unless told otherwise. */
export const DEFAULT_SERVICE_RUN = 'runs/wn18rr-roth-d32-service';

/**
 * Exits 2 with one line when the run to serve does not exist, with the command that trains the default one (any
 * trained run directory serves, given with `flag`).
 */
export function requireServiceRun(bench: string, run: string, flag: string, extra = ''): void {
  if (existsSync(run)) return;
  process.stderr.write(`bench:${bench}: ${flag} ${run} does not exist: train it first (e.g. kgdistill train --dataset WN18RR --model RotH --dim 32 --optimizer adam --lr 0.001 --double-neg --out ${DEFAULT_SERVICE_RUN}), or pass ${flag} <run dir>${extra}\n`);
  process.exit(2);
}

/** The built CLI (dist/src/cli/main.js beside dist/bench). */
export const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/cli/main.js');

/** A running service. */
export interface ServeProcess {
  child: ChildProcess;
  port: number;
  /** Everything it wrote to stderr so far. */
  log(): string;
  /** Resolves with the exit code. */
  exit: Promise<number | null>;
}

/** Starts `kgdistill serve <args>` on a free port; resolves once it logs `ready`. */
export function startServe(args: readonly string[], echo = false): Promise<ServeProcess> {
  const child = spawn(process.execPath, [MAIN, 'serve', '--port', '0', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (echo) process.stderr.write(chunk);
      const port = /listening: http:\/\/127\.0\.0\.1:(\d+)/.exec(log)?.[1];
      if (port && / ready: /.test(log)) resolve({ child, port: Number(port), log: () => log, exit });
    });
    void exit.then((code) => reject(new Error(`serve exited (${code}) before it was ready:\n${log.slice(-2000)}`)));
  });
}

/** One raw request: the bytes to send (an optional second part sent later), and what came back. */
export interface RawExchange {
  /** Resolves with the status code of the answer, or 0 when the connection closed without one. */
  status: Promise<number>;
  socket: net.Socket;
}

/** Opens a connection to 127.0.0.1:port (resolves once connected). */
export function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(socket)).once('error', reject);
  });
}

/** The status of whatever the server sends on `socket` before closing it (0: closed without an answer). */
export function answerStatus(socket: net.Socket): Promise<number> {
  return new Promise((resolve) => {
    let head = '';
    socket.on('data', (d: Buffer) => {
      if (head.length < 64) head += d.toString('latin1');
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0)));
  });
}

/** The bytes of an HTTP/1.1 request (Connection: close) with any method, path, headers and body. */
export function requestBytes(method: string, url: string, headers: Record<string, string>, body?: string | Buffer): Buffer {
  const payload = body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  const lines = [`${method} ${url} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
  for (const [name, value] of Object.entries(headers)) if (value !== '') lines.push(`${name}: ${value}`);
  if (body !== undefined) lines.push(`Content-Length: ${payload.byteLength}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), payload]);
}

/** Sends one raw request on a connection of its own; resolves with the answer's status (0: none). */
export async function rawRequest(port: number, bytes: Buffer): Promise<number> {
  const socket = await connect(port);
  const status = answerStatus(socket);
  socket.write(bytes);
  return status;
}

/** Median of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
