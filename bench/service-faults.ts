/**
 * `npm run bench:service-faults`: the service under malformed input and under shutdown, as `kgdistill serve`
 * (the built CLI) in a child process on 127.0.0.1.
 *
 * 1. Fuzz: N generated malformed requests (bench/service-fuzz.ts: random bytes, query strings, JSON values,
 *    methods, paths, content types, auth headers, number forms of k), each on its own connection; counts the
 *    answers by status class, connections closed without an answer, 5xx, and whether the process is alive and
 *    ready afterwards (a crash is an exit or a failed probe).
 * 2. Drain: per trial, a fresh service; C connections each send one expensive request (exact neighbours or
 *    predictions with k = 1000), a fifth of them only half of it; SIGTERM right after the writes; the halves are
 *    completed 100 ms later. Counts requests in flight at SIGTERM (sent, unanswered), answered (HTTP 200), the
 *    server's own count from its shutdown line, and the exit code.
 *
 * Usage: node dist/bench/service-faults.js [--run dir (default runs/wn18rr-roth-d32-service)] [--fuzz 600] [--trials 3] [--connections 40]
 * Prints progress on stderr, then one JSON line and a markdown table on stdout.
 */
import os from 'node:os';
import { fuzzRequests } from './service-fuzz.js';
import { answerStatus, connect, DEFAULT_SERVICE_RUN, rawRequest, requestBytes, requireServiceRun, startServe } from './service-process.js';
import { benchArgs } from './args.js';
import { exitOnHelp } from './help.js';

exitOnHelp(import.meta.url);

const { values: { run, fuzz: fuzzCount, trials, connections } } = benchArgs('service-faults', {
  flags: {
    run: { type: 'string', default: DEFAULT_SERVICE_RUN },
    fuzz: { type: 'integer', default: 600, min: 0 },
    trials: { type: 'integer', default: 3, min: 1 },
    connections: { type: 'integer', default: 40, min: 1 },
  },
});
const log = (line: string): void => void process.stderr.write(`${line}\n`);
requireServiceRun('service-faults', run, '--run');
const name = run.replace(/\/+$/, '').split('/').pop()!;
const loadBefore = os.loadavg()[0]!;

// 1. fuzz
log(`== fuzz: ${fuzzCount} malformed requests against ${name}`);
let serve = await startServe(['--checkpoint', run, '--rate-limit', '0']);
process.on('exit', () => serve.child.kill('SIGKILL')); // the current service, also when something below throws
const byClass: Record<string, number> = {};
let fivexx = 0, noAnswer = 0;
for (const request of fuzzRequests([name], fuzzCount, 'bench-fuzz')) {
  const status = await rawRequest(serve.port, requestBytes(request.method, request.url, request.headers, request.body));
  const cls = status === 0 ? 'none' : `${Math.floor(status / 100)}xx`;
  byClass[cls] = (byClass[cls] ?? 0) + 1;
  if (status >= 500) fivexx++;
  if (status === 0) noAnswer++;
}
const alive = serve.child.exitCode === null;
const readyAfter = alive && (await rawRequest(serve.port, requestBytes('GET', '/health/ready', {}))) === 200;
serve.child.kill('SIGTERM');
await serve.exit;
const fuzz = { requests: fuzzCount, byClass, status5xx: fivexx, noAnswer, crashes: alive && readyAfter ? 0 : 1 };
log(`fuzz: ${JSON.stringify(fuzz)}`);

// 2. drain
const drains: Array<{ trial: number; sent: number; inFlightAtSigterm: number; answered: number; serverInFlight: number; serverAnswered: number; exitCode: number | null }> = [];
for (let trial = 1; trial <= trials; trial++) {
  serve = await startServe(['--checkpoint', run, '--rate-limit', '0']);
  const body = (i: number): string => JSON.stringify({ [i % 4 === 1 ? 'tail' : 'head']: `id:${(i * 7919) % 40000}`, relation: `id:${i % 11}`, k: 1000 });
  const bytes = (i: number): Buffer => i % 2 === 0
    ? requestBytes('GET', `/models/${name}/neighbors?entity=id:${(i * 104729) % 40000}&k=1000&exact=true`, {})
    : requestBytes('POST', `/models/${name}/predict`, { 'content-type': 'application/json' }, body(i));
  const sockets = await Promise.all(Array.from({ length: connections }, () => connect(serve.port)));
  const answers: number[] = new Array(connections).fill(-1);
  const statuses = sockets.map((socket, i) => answerStatus(socket).then((s) => (answers[i] = s)));
  const split = (i: number): boolean => i % 5 === 4;
  sockets.forEach((socket, i) => socket.write(split(i) ? bytes(i).subarray(0, 20) : bytes(i)));
  serve.child.kill('SIGTERM');
  const inFlight = answers.filter((s) => s === -1).length;
  await new Promise((r) => setTimeout(r, 100));
  sockets.forEach((socket, i) => { if (split(i)) socket.write(bytes(i).subarray(20)); });
  await Promise.all(statuses);
  const exitCode = await serve.exit;
  const line = /answered (\d+) requests \((\d+) in flight at SIGTERM\)/.exec(serve.log());
  const result = { trial, sent: connections, inFlightAtSigterm: inFlight, answered: answers.filter((s) => s === 200).length, serverInFlight: Number(line?.[2] ?? -1), serverAnswered: Number(line?.[1] ?? -1), exitCode };
  drains.push(result);
  log(`drain: ${JSON.stringify(result)}`);
}

const sum = (key: 'sent' | 'inFlightAtSigterm' | 'answered'): number => drains.reduce((s, d) => s + d[key], 0);
const report = {
  bench: 'service-faults', date: new Date().toISOString(), run: name, cpus: os.cpus().length, loadAverage: { before: +loadBefore.toFixed(2), after: +os.loadavg()[0]!.toFixed(2) },
  fuzz, drain: { trials, connectionsPerTrial: connections, sent: sum('sent'), inFlightAtSigterm: sum('inFlightAtSigterm'), answered: sum('answered'), exitCodes: drains.map((d) => d.exitCode), perTrial: drains },
};
console.log(JSON.stringify(report));
console.log([
  '| fuzzed requests | 4xx | 5xx | closed without answer | crashes | drain trials | requests in flight at SIGTERM | answered | exit codes |',
  '|---|---|---|---|---|---|---|---|---|',
  `| ${fuzz.requests} | ${byClass['4xx'] ?? 0} | ${fuzz.status5xx} | ${fuzz.noAnswer} | ${fuzz.crashes} | ${trials} × ${connections} connections | ${report.drain.inFlightAtSigterm} | ${report.drain.answered} | ${report.drain.exitCodes.join(', ')} |`,
].join('\n'));
