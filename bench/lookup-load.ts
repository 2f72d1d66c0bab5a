/**
 * The service under load for `npm run bench:lookup`: `kgdistill serve` in a child process on 127.0.0.1, every
 * prediction index prebuilt, then autocannon for N seconds with a round-robin mix of neighbours (GET) and
 * prediction (POST) requests for random entities and relations on every served run; then a burst of malformed
 * requests (fuzzed bytes, huge k, unknown unicode names) that must all get 4xx answers, and a final health check.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import seedrandom from 'seedrandom';
import autocannon from 'autocannon';

/** One served run: its API name, some entity keys and its relation names. */
export interface ServedRun {
  name: string;
  entities: readonly string[];
  relations: readonly string[];
}

/** What the load test measured. */
export interface LoadResult {
  seconds: number;
  connections: number;
  requests: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  malformed: { sent: number; status4xx: number; status5xx: number; other: number };
  healthyAfter: boolean;
}

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/cli/main.js');

/** Starts `kgdistill serve` and resolves once it listens. */
async function startServer(runDirs: readonly string[], port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [MAIN, 'serve', '--checkpoint', runDirs.join(','), '--port', String(port), '--rate-limit', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let log = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      process.stderr.write(chunk);
      if (/ ready: /.test(log)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`serve exited with code ${code}: ${log.slice(-500)}`)));
  });
  return child;
}

/** Sends malformed requests and counts the answers by class. */
async function malformedBurst(base: string, runs: readonly ServedRun[], count: number): Promise<LoadResult['malformed']> {
  const rng = seedrandom.alea('malformed');
  const result = { sent: 0, status4xx: 0, status5xx: 0, other: 0 };
  const bodies = (i: number): { url: string; init: RequestInit } => {
    const run = runs[i % runs.length]!.name;
    switch (i % 6) {
      case 0: return { url: `${base}/models/${run}/neighbors`, init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.from(Array.from({ length: 64 }, () => Math.floor(rng() * 256))) } };
      case 1: return { url: `${base}/models/${run}/neighbors?entity=e&k=${10 ** (3 + Math.floor(rng() * 300))}`, init: {} };
      case 2: return { url: `${base}/models/${run}/neighbors?entity=${encodeURIComponent(`Zürich-東京-🚀-${i}`)}`, init: {} };
      case 3: return { url: `${base}/models/${run}/predict`, init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ head: 'x', tail: 'y', relation: [1] }) } };
      case 4: return { url: `${base}/models/${run}/predict`, init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"head": "${'a'.repeat(20_000)}"}` } };
      default: return { url: `${base}/models/no-such-model/predict?head=e1&relation=r`, init: {} };
    }
  };
  for (let i = 0; i < count; i++) {
    const { url, init } = bodies(i);
    const response = await fetch(url, init);
    await response.arrayBuffer();
    result.sent++;
    if (response.status >= 400 && response.status < 500) result.status4xx++;
    else if (response.status >= 500) result.status5xx++;
    else result.other++;
  }
  return result;
}

/** Runs the load test against the runs in `runDirs` (served under the names in `runs`). */
export async function loadTest(runDirs: readonly string[], runs: readonly ServedRun[], seconds: number, connections = 10, port = 18080): Promise<LoadResult> {
  const child = await startServer(runDirs, port);
  const base = `http://127.0.0.1:${port}`;
  try {
    const rng = seedrandom.alea('load');
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
    const requests = runs.flatMap((run) => [
      { method: 'GET' as const, setupRequest: (req: autocannon.Request) => ({ ...req, path: `/models/${run.name}/neighbors?entity=${encodeURIComponent(pick(run.entities))}&k=10` }) },
      {
        method: 'POST' as const,
        headers: { 'content-type': 'application/json' },
        setupRequest: (req: autocannon.Request) => ({
          ...req,
          path: `/models/${run.name}/predict`,
          body: JSON.stringify({ [rng() < 0.5 ? 'head' : 'tail']: pick(run.entities), relation: pick(run.relations), k: 10 }),
        }),
      },
    ]);
    const result = await autocannon({ url: base, connections, duration: seconds, requests });
    const malformed = await malformedBurst(base, runs, 600);
    const health = await fetch(`${base}/health`);
    return {
      seconds,
      connections,
      requests: result.requests.total,
      requestsPerSecond: Math.round(result.requests.average),
      latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: +result.latency.average.toFixed(2) },
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      malformed,
      healthyAfter: health.status === 200,
    };
  } finally {
    child.kill('SIGTERM');
  }
}
