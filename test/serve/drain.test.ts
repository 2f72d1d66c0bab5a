import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../lookup/helpers.js';
import { namedGraph, trainRun } from '../lookup/trained-run.js';
import { rawConnection as connection } from '../helpers/raw-connection.js';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tmp = tempDir('serve-drain');
let run: string;
let child: ChildProcess | undefined;

beforeAll(async () => {
  run = await trainRun(await namedGraph(path.join(tmp, 'graph')), path.join(tmp, 'roth'), 'RotH');
});

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

/** Starts `kgdistill serve` in a child process; resolves with its port once it logs `ready`. */
function startServe(args: string[]): Promise<{ port: number; log: () => string; exit: Promise<number | null> }> {
  // tsx as a loader in this one process (the tsx command runs a second process and relays signals to it)
  child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'cli', 'main.ts'), 'serve', '--port', '0', ...args], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const exit = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child!.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const port = /listening: http:\/\/127\.0\.0\.1:(\d+)/.exec(log)?.[1];
      if (port && / ready: /.test(log)) resolve({ port: Number(port), log: () => log, exit });
    });
    void exit.then((code) => reject(new Error(`serve exited (${code}) before it was ready:\n${log}`)));
  });
}

describe('serve: drain on SIGTERM (a real child process)', () => {
  it('answers every request received before or during the shutdown, on separate connections, then exits 0 and refuses new ones', async () => {
    const served = await startServe(['--checkpoint', run]);
    const full = (i: number): string => i % 2 === 0
      ? `GET /models/roth/neighbors?entity=e${i}&k=200&exact=true HTTP/1.1\r\nHost: localhost\r\n\r\n`
      : `POST /models/roth/predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${JSON.stringify({ head: `e${i}`, relation: 'parent', k: 300 }).length}\r\n\r\n${JSON.stringify({ head: `e${i}`, relation: 'parent', k: 300 })}`;
    const complete = await Promise.all(Array.from({ length: 30 }, () => connection(served.port)));
    const partial = await Promise.all(Array.from({ length: 10 }, () => connection(served.port)));
    complete.forEach((c, i) => c.socket.write(full(i)));
    // a request on a connection opened after the 40 is answered only once the server has accepted them (a listener
    // accepts in the order connections came): a server starved of CPU would otherwise still hold some in the kernel's
    // accept queue when the drain's accepting window (ACCEPT_MS) ends, and answer those 503 as new connections
    const probe = await fetch(`http://127.0.0.1:${served.port}/health/live`);
    expect(probe.status).toBe(200);
    await probe.arrayBuffer();
    // the head of each partial request only now, so that the probe's wait does not eat into the server's headers timeout
    partial.forEach((c, i) => c.socket.write(full(100 + i).slice(0, 30))); // the rest of each request comes after the signal
    child!.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    partial.forEach((c, i) => c.socket.write(full(100 + i).slice(30)));
    const answers = await Promise.all([...complete, ...partial].map((c) => c.answer));
    const bad = answers.map((text, i) => [i, text.split('\r\n')[0]] as const).filter(([, line]) => line !== 'HTTP/1.1 200 OK');
    expect(bad, served.log()).toEqual([]);
    expect(await served.exit).toBe(0);
    const log = served.log();
    if (process.env.SHOW_SERVE_LOG) process.stdout.write(log);
    expect(log).toMatch(/ start: pid \d+, checkpoints /);
    expect(log).toContain(`, checkpoints roth (${run})\n`); // the directory behind each served name
    expect(log).toMatch(/ shutdown: SIGTERM: not ready any more; draining \d+ requests in flight on \d+ connections/);
    expect(log).toMatch(/ shutdown: answered \d+ requests since start, \d+ during the drain \(\d+ in flight at SIGTERM\), 0 connections dropped, 0 requests left unanswered by a closed connection, 0 refused once it stopped accepting \(503\), in /);
    const [, total, duringDrain] = / answered (\d+) requests since start, (\d+) during the drain/.exec(log)!.map(Number);
    expect(total).toBeGreaterThanOrEqual(40); // the 40 queries (and the readiness polls before them)
    expect(duringDrain).toBeGreaterThanOrEqual(10); // at least the 10 whose bodies came after the signal
    await expect(connection(served.port)).rejects.toThrow(/ECONNREFUSED/);
  }, 60_000);

  it('with --drain-delay, still answers new requests (Connection: close) with /health/ready at 503 for the delay, then drains and exits 0', async () => {
    const served = await startServe(['--checkpoint', run, '--drain-delay', '1500', '--keep-alive-timeout', '12000', '--no-explorer']);
    const live = await fetch(`http://127.0.0.1:${served.port}/health/live`);
    expect(live.headers.get('keep-alive')).toBe('timeout=12'); // --keep-alive-timeout reaches the server
    await live.arrayBuffer();
    const page = await fetch(`http://127.0.0.1:${served.port}/`);
    expect(page.status).toBe(404); // --no-explorer: the JSON API alone
    await page.arrayBuffer();
    const signalled = performance.now();
    child!.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    const base = `http://127.0.0.1:${served.port}`;
    expect((await fetch(`${base}/health/ready`)).status).toBe(503);
    const late = await fetch(`${base}/models/roth/neighbors?entity=e3&k=5`); // a new connection during the delay
    expect(late.status).toBe(200);
    expect(late.headers.get('connection')).toBe('close');
    expect(((await late.json()) as { neighbors: unknown[] }).neighbors).toHaveLength(5);
    expect(await served.exit).toBe(0);
    expect(performance.now() - signalled).toBeGreaterThanOrEqual(1500);
    expect(served.log()).toMatch(/ shutdown: SIGTERM: not ready any more; still accepting for 1500 ms \(--drain-delay\) before draining\n.* shutdown: draining \d+ requests in flight on \d+ connections\n.* shutdown: answered \d+ requests since start, \d+ during the drain \(\d+ in flight when the drain began\)/);
    await expect(connection(served.port)).rejects.toThrow(/ECONNREFUSED/);
  }, 60_000);

  it('names --port when the port is taken, and exits 1', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as AddressInfo).port;
    try {
      const taken = startServe(['--checkpoint', run, '--port', String(port)]);
      await expect(taken).rejects.toThrow(new RegExp(`serve exited \\(1\\) before it was ready:[\\s\\S]*kgdistill: --port ${port}: 127\\.0\\.0\\.1:${port} is already in use by another process \\(choose another --port, or 0 for any free port\\)`));
    } finally {
      holder.close();
    }
  }, 30_000);

  it('refuses a missing or damaged checkpoint before it takes the port (never `listening`)', async () => {
    const missing = startServe(['--checkpoint', path.join(tmp, 'nope')]);
    await expect(missing).rejects.toThrow(/--checkpoint .*nope: no such directory/);
    await expect(missing).rejects.not.toThrow(/listening/);
    const damaged = path.join(tmp, 'damaged');
    mkdirSync(damaged, { recursive: true });
    for (const name of readdirSync(run).filter((n) => n !== 'lookup')) copyFileSync(path.join(run, name), path.join(damaged, name));
    const header = JSON.parse(readFileSync(path.join(damaged, 'best.json'), 'utf8')) as { binary: { file: string } };
    truncateSync(path.join(damaged, header.binary.file), 100);
    const truncated = startServe(['--checkpoint', damaged]);
    await expect(truncated).rejects.toThrow(/best-[a-z0-9]+\.bin: expected \d+ bytes, found 100 \(truncated\?\)/);
    await expect(truncated).rejects.not.toThrow(/listening/);
    // a binary of the right size whose bytes changed: its checksum, before the port (it took a healthy run down with it after)
    const flipped = path.join(tmp, 'flipped');
    mkdirSync(flipped, { recursive: true });
    for (const name of readdirSync(run).filter((n) => n !== 'lookup')) copyFileSync(path.join(run, name), path.join(flipped, name));
    const binary = path.join(flipped, header.binary.file), bytes = readFileSync(binary);
    bytes[bytes.length >> 1] ^= 0xff;
    writeFileSync(binary, bytes);
    const corrupt = startServe(['--checkpoint', `${run},${flipped}`]);
    await expect(corrupt).rejects.toThrow(/--checkpoint .*flipped\/best-[a-z0-9]+\.bin: checksum mismatch \(corrupt or from another checkpoint\)/);
    await expect(corrupt).rejects.not.toThrow(/listening/);
    await expect(startServe(['--checkpoint', `${run},${path.relative(root, run)}`])).rejects.toThrow(/--checkpoint lists .* twice: each run is served once/);
  }, 60_000); // four service processes in turn, each 5 s or more to start beside training on two cores (it timed out at 30 s there)

  it('refuses a non-loopback host without an API key, and says so', async () => {
    await expect(startServe(['--checkpoint', run, '--host', '0.0.0.0'])).rejects.toThrow(/--host 0\.0\.0\.0 accepts connections from other machines: give an API key/);
  }, 30_000);
});

describe('serve --dataset (a real child process)', () => {
  it('serves a run whose dataset moved from where --dataset says: filtered predictions answer (409 without it)', async () => {
    const graph = path.join(tmp, 'graph'), moved = path.join(tmp, 'graph-moved');
    renameSync(graph, moved);
    let served: Awaited<ReturnType<typeof startServe>>;
    try {
      served = await startServe(['--checkpoint', run, '--dataset', moved, '--no-explorer']);
    } finally {
      renameSync(moved, graph); // the dataset is read once, before `ready`
    }
    expect(served.log()).not.toMatch(/no known-triple marking/);
    const answer = await fetch(`http://127.0.0.1:${served.port}/models/roth/predict?head=e1&relation=parent&filtered=true&k=3`);
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { answers: unknown[]; filtered: boolean })).toMatchObject({ filtered: true, answers: expect.any(Array) });
    child!.kill('SIGTERM');
    expect(await served.exit).toBe(0);
  });
});

describe('serve: signals (a real child process)', () => {
  it('drains on SIGHUP as on SIGTERM (exit 0); a second signal during the drain exits 128 + its number', async () => {
    const hup = await startServe(['--checkpoint', run, '--no-explorer']);
    child!.kill('SIGHUP');
    expect(await hup.exit).toBe(0);
    expect(hup.log()).toMatch(/shutdown: SIGHUP: not ready any more/);
    const twice = await startServe(['--checkpoint', run, '--no-explorer', '--drain-delay', '5000']);
    child!.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    child!.kill('SIGINT');
    expect(await twice.exit).toBe(130);
    expect(twice.log()).toContain('SIGINT again: exiting now');
  });
});

describe('serve: a run that fails to load after the listener opened (a real child process)', () => {
  it('names the run, says that it shuts down, and exits 1', async () => {
    const other = await writeSyntheticDataset(path.join(tmp, 'other-graph'), { entities: 30, seed: 9 });
    const failed = await startServe(['--checkpoint', `first=${run}`, '--dataset', `first=${other}`, '--no-explorer']).catch((error: Error) => error.message);
    expect(failed).toMatch(/^serve exited \(1\) before it was ready/);
    expect(failed).toMatch(/kgdistill serve: \S+ shutdown: loading first \(.*\): dataset .* has another vocabulary than the checkpoint.*; the listener closes, exiting\n/);
    expect(failed).toMatch(/\nkgdistill: loading first \(/);
  });
});
