/**
 * `npm run bench:lookup`: nearest-entity lookup and link prediction on WN18RR (40,943 entities) with trained
 * d = 32 runs, HNSW against exact brute force, then the HTTP service under an autocannon load test.
 *
 * Per run: index build time and file size (a fresh build in a temporary directory); for `neighbors`,
 * recall@10 of the index against the exact kernel sweep over all entities and queries per second of both (single
 * queries, one thread), at several ef; for `predict` (the kernel top-K over all entities), recall@10 against the
 * all-entity scores of the scorer evaluation uses, and queries per second of both end to end. For hyperbolic
 * runs also the recall of hnswlib's own `ip` space on the same Lorentz vectors (why the index reduces the inner
 * product to L2).
 *
 * Usage: node dist/bench/lookup.js [--runs dir,dir (default: those of runs/wn18rr-roth-d32-adam-neg50, runs/lookup-wn18rr-distmult, runs/lookup-wn18rr-rote that exist)] [--queries 1000] [--load-seconds 30] [--skip-load]
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import seedrandom from 'seedrandom';
import hnswlib from 'hnswlib-node';
import { initBackend } from '../src/core/backend.js';
import { CheckpointLookup } from '../src/lookup/checkpoint-lookup.js';
import { IndexStore } from '../src/lookup/index-store.js';
import { exactNeighbors, indexNeighbors, neighborQuery, neighborSpace } from '../src/lookup/neighbors.js';
import { buildSpaceData } from '../src/lookup/vector-space.js';
import { loadTest, type ServedRun } from './lookup-load.js';
import { benchArgs } from './args.js';
import { exitOnHelp } from './help.js';

exitOnHelp(import.meta.url);

const defaultRuns = ['runs/wn18rr-roth-d32-adam-neg50', 'runs/lookup-wn18rr-distmult', 'runs/lookup-wn18rr-rote'].filter((d) => existsSync(path.join(d, 'best.json')));
const { values: { runs: runDirs, queries: numQueries, 'load-seconds': loadSeconds, 'skip-load': skipLoad } } = benchArgs('lookup', {
  flags: {
    runs: { type: 'strings', default: defaultRuns.join(',') },
    queries: { type: 'integer', default: 1000, min: 1 },
    'load-seconds': { type: 'number', default: 30, min: 1 },
    'skip-load': { type: 'boolean' },
  },
});
const EFS = [50, 64, 100, 200, 400];
if (runDirs.length === 0) {
  process.stderr.write('bench:lookup: no run to measure: none of the default runs (runs/wn18rr-roth-d32-adam-neg50, runs/lookup-wn18rr-distmult, runs/lookup-wn18rr-rote) exists here; train WN18RR runs (kgdistill train --dataset WN18RR …) and pass them with --runs <dir,dir>\n');
  process.exit(2);
}

const backend = await initBackend('auto');
const rng = seedrandom.alea('bench-lookup');
const sample = (n: number, count: number): number[] => Array.from({ length: count }, () => Math.floor(rng() * n));
const overlap = (a: readonly number[], b: readonly number[]): number => a.filter((x) => b.includes(x)).length;
const timed = async <T>(fn: () => Promise<T> | T): Promise<[T, number]> => {
  const started = performance.now();
  const value = await fn();
  return [value, (performance.now() - started) / 1000];
};
const log = (line: string): void => void process.stderr.write(`${line}\n`);

const report: Record<string, unknown>[] = [];
const served: ServedRun[] = [];
for (const runDir of runDirs) {
  const lookup = await CheckpointLookup.open(runDir, { onNotice: log });
  const { table, search, metric } = lookup;
  const row: Record<string, unknown> = { run: lookup.name, model: lookup.header.model.model, dim: table.dim, entities: table.count, metric };
  log(`== ${lookup.name}: ${row.model} d=${table.dim}, ${table.count} entities, neighbour metric ${metric}`);

  // Index build, fresh, in a temporary directory.
  const scratch = mkdtempSync(path.join(tmpdir(), 'kgdistill-bench-lookup-'));
  const fresh = new IndexStore(scratch, 'bench', table, lookup.header.model);
  const [built, buildSeconds] = await timed(() => fresh.get(neighborSpace(metric)));
  row.index = { space: built.id, vectorDim: built.dim, buildSeconds: +buildSeconds.toFixed(2), fileMB: +(built.fileBytes / 1e6).toFixed(1), m: 16, efConstruction: 200 };
  log(`index ${built.id}: built in ${buildSeconds.toFixed(1)} s, ${(built.fileBytes / 1e6).toFixed(1)} MB`);

  // Neighbours: exact kernel sweep vs index, interleaved in rounds (other jobs share the machine), median speedup.
  const entities = sample(table.count, numQueries);
  const truth: number[][] = [];
  let bruteTotal = 0;
  const sweep: Record<string, unknown>[] = [];
  const ROUNDS = 5;
  const per = Math.ceil(entities.length / ROUNDS);
  for (const ef of EFS) {
    let hits = 0;
    let indexTotal = 0;
    const ratios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const chunk = entities.slice(round * per, (round + 1) * per);
      const [exact, bruteSeconds] = await timed(() => chunk.map((e) => exactNeighbors(search, e, 10).map((n) => n.id)));
      if (ef === EFS[0]) truth.push(...exact);
      const [found, indexSeconds] = await timed(async () => {
        const out: number[][] = [];
        for (const e of chunk) out.push((await indexNeighbors(fresh, search, table, e, 10, ef)).neighbors.map((n) => n.id));
        return out;
      });
      found.forEach((ids, i) => (hits += overlap(ids, exact[i]!)));
      bruteTotal += bruteSeconds;
      indexTotal += indexSeconds;
      ratios.push(bruteSeconds / indexSeconds);
    }
    ratios.sort((a, b) => a - b);
    sweep.push({ ef, recallAt10: +(hits / (10 * entities.length)).toFixed(4), qps: Math.round(entities.length / indexTotal), speedup: +ratios[ROUNDS >> 1]!.toFixed(1) });
  }
  const bruteQps = Math.round((EFS.length * entities.length) / bruteTotal);
  row.neighbors = { queries: entities.length, exactSweepQps: bruteQps, sweep, note: 'speedup: median over 5 interleaved rounds of exact kernel sweep / index time' };
  log(`neighbours: exact kernel sweep ${bruteQps} q/s; ${sweep.map((s) => `ef ${s.ef}: recall ${s.recallAt10}, ${s.qps} q/s (${s.speedup}×)`).join('; ')}`);

  if (metric === 'poincare') {
    // The same Lorentz vectors in hnswlib's own inner-product space.
    const spec = neighborSpace(metric);
    const data = buildSpaceData(spec, table);
    const inner = data.dim - 1;
    const ip = new hnswlib.HierarchicalNSW('ip', inner);
    ip.initIndex({ maxElements: table.count, m: 16, efConstruction: 200, randomSeed: 100 });
    for (let i = 0; i < table.count; i++) ip.addPoint(Array.from(data.data.subarray(i * data.dim, i * data.dim + inner)), i);
    ip.setEf(200);
    let hits = 0;
    entities.slice(0, 300).forEach((e, i) => {
      const found = ip.searchKnn(neighborQuery(table, spec, data.dim, e).slice(0, inner), 11).neighbors.filter((id) => id !== e).slice(0, 10);
      hits += overlap(found, truth[i]!);
    });
    row.hnswlibIpSpaceRecallAt10 = +(hits / 3000).toFixed(4);
    log(`hnswlib 'ip' space on the same vectors: recall@10 ${row.hnswlibIpSpaceRecallAt10} (ef 200)`);
  }
  rmSync(scratch, { recursive: true, force: true });

  // Prediction: the kernel top-K over all entities against the all-entity scores of evaluation's scorer.
  const R = lookup.header.model.numRelations;
  const queries = sample(table.count, 300).map((e) => ({ entity: e, relation: Math.floor(rng() * 2 * R) }));
  const scorer = lookup.runtime.entityScorer();
  const [exact, exactSeconds] = await timed(() => queries.map((q) => {
    const scores = scorer.scoreAllSync(Int32Array.of(q.entity), Int32Array.of(q.relation));
    return Array.from(scores.keys()).sort((a, b) => scores[b]! - scores[a]! || a - b).slice(0, 10);
  }));
  scorer.dispose();
  const [found, kernelSeconds] = await timed(() => queries.map((q) => Array.from(search.predict(q.entity, q.relation, 10).ids)));
  const hits = found.reduce((sum, ids, i) => sum + overlap(ids, exact[i]!), 0);
  row.predict = {
    queries: queries.length, recallAt10VsEvalScorer: +(hits / (10 * queries.length)).toFixed(4),
    qps: { kernelTopK: Math.round(queries.length / kernelSeconds), evalScorerAndSort: Math.round(queries.length / exactSeconds) },
  };
  log(`predict: ${JSON.stringify(row.predict)}`);
  report.push(row);
  served.push({ name: lookup.name, entities: entities.slice(0, 500).map((e) => lookup.header.vocab.entities[e]!), relations: lookup.header.vocab.relations });
  lookup.close();
}

let load: unknown;
if (!skipLoad) {
  log(`== load test: ${loadSeconds} s, 10 connections, ${served.map((s) => s.name).join(', ')}`);
  load = await loadTest(runDirs, served, loadSeconds);
  log(`load: ${JSON.stringify(load)}`);
}
console.log(JSON.stringify({ bench: 'lookup', date: new Date().toISOString(), backend, runs: report, load }));
