/**
 * `npm run bench:service`: the service's speed against a minimal fastify route, in interleaved rounds.
 *
 * Three servers, each a child process on 127.0.0.1: a minimal fastify app whose one route returns a fixed JSON
 * body (the baseline), and `kgdistill serve` (the built CLI, its rate limiter on with a limit the load cannot
 * reach, so its cost is measured) answering neighbours (GET, random entity, k = 10) and predictions (POST,
 * random entity, relation and direction, k = 10). Per round, autocannon loads each endpoint in turn with the same
 * settings (A, B, C, A, B, C, …); the table gives the median over rounds of requests per second and of p99, and
 * the ratio of each endpoint's req/s to the baseline's in the same round (median of the per-round ratios).
 * Recall@10 (in this process, before the load): neighbours through the index against the exact kernel sweep,
 * predictions against the top 10 of the all-entity scores of the scorer evaluation uses.
 *
 * Usage: node dist/bench/service.js [--run dir (default runs/wn18rr-roth-d32-service)] [--rounds 5] [--seconds 5] [--connections 10] [--queries 500]
 * Prints progress on stderr, then one JSON line and a markdown table on stdout.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import seedrandom from 'seedrandom';
import autocannon from 'autocannon';
import { initBackend } from '../src/core/backend.js';
import { CheckpointLookup } from '../src/lookup/checkpoint-lookup.js';
import { exactNeighbors } from '../src/lookup/neighbors.js';
import { DEFAULT_SERVICE_RUN, median, requireServiceRun, startServe } from './service-process.js';
import { benchArgs } from './args.js';
import { exitOnHelp } from './help.js';

exitOnHelp(import.meta.url);

const { values: { run, rounds, seconds, connections, queries: numQueries } } = benchArgs('service', {
  flags: {
    run: { type: 'string', default: DEFAULT_SERVICE_RUN },
    rounds: { type: 'integer', default: 5, min: 1 },
    seconds: { type: 'number', default: 5, min: 1 },
    connections: { type: 'integer', default: 10, min: 1 },
    queries: { type: 'integer', default: 500, min: 1 },
  },
});
const log = (line: string): void => void process.stderr.write(`${line}\n`);
requireServiceRun('service', run, '--run');

// Recall@10, in this process.
await initBackend('wasm');
const lookup = await CheckpointLookup.open(run);
await lookup.warm();
const rng = seedrandom.alea('bench-service');
const N = lookup.table.count;
const R = lookup.header.model.numRelations;
const overlap = (a: ArrayLike<number>, b: readonly number[]): number => Array.from(a).filter((x) => b.includes(x)).length;
let nHits = 0, pHits = 0;
const scorer = lookup.runtime.entityScorer();
for (let i = 0; i < numQueries; i++) {
  const entity = Math.floor(rng() * N);
  const viaIndex = (await lookup.neighbors(entity, 10)).neighbors.map((n) => n.id);
  nHits += overlap(viaIndex, exactNeighbors(lookup.search, entity, 10).map((n) => n.id));
  const relation = Math.floor(rng() * 2 * R);
  const scores = scorer.scoreAllSync(Int32Array.of(entity), Int32Array.of(relation));
  const truth = Array.from(scores.keys()).sort((a, b) => scores[b]! - scores[a]! || a - b).slice(0, 10);
  const asked = relation >= R ? { tail: entity, relation: relation - R } : { head: entity, relation };
  pHits += overlap((await lookup.predict({ ...asked, k: 10 })).answers.map((a) => a.id), truth);
}
scorer.dispose();
// What the service answers with (k ≤ 32): the neighbour table, built as `serve` builds it.
await lookup.warm({ table: true });
let tHits = 0;
const rngTable = seedrandom.alea('bench-service-table');
for (let i = 0; i < numQueries; i++) {
  const entity = Math.floor(rngTable() * N);
  const fromTable = await lookup.neighbors(entity, 10);
  const swept = exactNeighbors(lookup.search, entity, 10).map((n) => n.id);
  tHits += overlap(fromTable.neighbors.map((n) => n.id), swept);
}
const recall = {
  neighbors: +(tHits / (10 * numQueries)).toFixed(4), neighborsThroughIndex: +(nHits / (10 * numQueries)).toFixed(4), predict: +(pHits / (10 * numQueries)).toFixed(4), queries: numQueries,
  references: { neighbors: 'exact kernel sweep over all entities (the service reads k ≤ 32 from its table; the index serves larger k)', predict: 'top 10 of the all-entity scores (the evaluation scorer)' },
};
log(`recall@10: ${JSON.stringify(recall)}`);
const keys = lookup.header.vocab.entities;
const relations = lookup.header.vocab.relations;
const name = lookup.name;
lookup.close();

// The baseline: a minimal fastify route returning a fixed JSON body, in a child process of its own.
const BASELINE = `
const app = require('fastify')();
const body = { status: 'ok', value: 42 };
app.get('/fixed', async () => body);
app.listen({ host: '127.0.0.1', port: 0 }).then(() => process.stderr.write('ready ' + app.server.address().port + '\\n'));
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));`;
const baseline = spawn(process.execPath, ['-e', BASELINE], { stdio: ['ignore', 'ignore', 'pipe'] });
const baselinePort = await new Promise<number>((resolve, reject) => {
  let text = '';
  baseline.stderr!.on('data', (d: Buffer) => {
    text += d.toString();
    const m = /ready (\d+)/.exec(text);
    if (m) resolve(Number(m[1]));
  });
  baseline.once('exit', (code) => reject(new Error(`baseline exited (${code}): ${text}`)));
});
process.on('exit', () => baseline.kill('SIGKILL')); // also when something below throws
const serve = await startServe(['--checkpoint', run, '--rate-limit', '999999999']);
process.on('exit', () => serve.child.kill('SIGKILL'));

const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
type Endpoint = 'baseline' | 'neighbors' | 'predict';
// Requests are generated before the load (a cycle of 1,000 per endpoint), so the client does the same little
// work per request for every endpoint; autocannon runs in this process.
const CYCLE = 1000;
const neighborRequests = Array.from({ length: CYCLE }, () => ({ method: 'GET' as const, path: `/models/${name}/neighbors?entity=${encodeURIComponent(pick(keys))}&k=10` }));
const predictRequests = Array.from({ length: CYCLE }, () => ({
  method: 'POST' as const, path: `/models/${name}/predict`, headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ [rng() < 0.5 ? 'head' : 'tail']: pick(keys), relation: pick(relations), k: 10 }),
}));
const options = (endpoint: Endpoint): autocannon.Options => {
  if (endpoint === 'baseline') return { url: `http://127.0.0.1:${baselinePort}/fixed`, connections, duration: seconds };
  return { url: `http://127.0.0.1:${serve.port}`, connections, duration: seconds, requests: endpoint === 'neighbors' ? neighborRequests : predictRequests };
};

const ENDPOINTS: Endpoint[] = ['baseline', 'neighbors', 'predict'];
const results: Record<Endpoint, Array<{ rps: number; p50: number; p99: number; errors: number; non2xx: number }>> = { baseline: [], neighbors: [], predict: [] };
const load: number[] = [os.loadavg()[0]!];
for (const endpoint of ENDPOINTS) await autocannon({ ...options(endpoint), duration: 1 }); // warm-up
for (let round = 1; round <= rounds; round++) {
  for (const endpoint of ENDPOINTS) {
    const r = await autocannon(options(endpoint));
    results[endpoint].push({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx });
    log(`round ${round} ${endpoint}: ${Math.round(r.requests.average)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, errors ${r.errors + r.timeouts}, non-2xx ${r.non2xx}`);
  }
  load.push(os.loadavg()[0]!);
}
baseline.kill('SIGTERM');
serve.child.kill('SIGTERM');
await serve.exit;

const summary = Object.fromEntries(ENDPOINTS.map((endpoint) => {
  const rs = results[endpoint];
  const ratios = rs.map((r, i) => r.rps / results.baseline[i]!.rps);
  return [endpoint, {
    reqPerSecond: Math.round(median(rs.map((r) => r.rps))), p50Ms: median(rs.map((r) => r.p50)), p99Ms: median(rs.map((r) => r.p99)),
    ratioToBaseline: +median(ratios).toFixed(3), errors: rs.reduce((s, r) => s + r.errors, 0), non2xx: rs.reduce((s, r) => s + r.non2xx, 0),
    perRound: rs.map((r) => Math.round(r.rps)),
  }];
})) as Record<Endpoint, { reqPerSecond: number; p50Ms: number; p99Ms: number; ratioToBaseline: number; errors: number; non2xx: number; perRound: number[] }>;
const report = {
  bench: 'service', date: new Date().toISOString(), run: name, entities: N, cpus: os.cpus().length, rounds, secondsPerRun: seconds, connections,
  loadAverage1m: { min: +Math.min(...load).toFixed(2), max: +Math.max(...load).toFixed(2) }, endpoints: summary, recallAt10: recall,
};
console.log(JSON.stringify(report));
const targets: Record<Endpoint, string> = { baseline: '', neighbors: '≥ 0.3×', predict: '≥ 0.15×' };
console.log([
  '| endpoint | req/s (median) | p50 ms | p99 ms | × baseline (median of rounds) | target | recall@10 | errors / non-2xx |',
  '|---|---|---|---|---|---|---|---|',
  ...ENDPOINTS.map((e) => `| ${e === 'baseline' ? 'minimal fastify route, fixed JSON' : e} | ${summary[e].reqPerSecond.toLocaleString('en-US')} | ${summary[e].p50Ms} | ${summary[e].p99Ms} | ${e === 'baseline' ? '1' : summary[e].ratioToBaseline} | ${targets[e]} | ${e === 'baseline' ? '' : recall[e]} | ${summary[e].errors} / ${summary[e].non2xx} |`),
].join('\n'));
