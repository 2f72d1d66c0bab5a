/**
 * `npm run bench:lookup`: nearest-entity lookup and link prediction on WN18RR (40,943 entities) with trained
 * d = 32 runs, HNSW against exact brute force, then the HTTP service under an autocannon load test.
 *
 * Per run: index build time and file size (a fresh build in a temporary directory); for `neighbors`,
 * recall@10 of the index against the float64 brute-force scan and queries per second of both (single queries,
 * one thread), at several ef; for `predict`, recall@10 against the model's exact all-entity scoring, queries per
 * second end to end (model query + search + rerank) and of the search alone, and how answers were obtained.
 * For hyperbolic runs also the recall of hnswlib's own `ip` space on the same Lorentz vectors (why the index
 * reduces the inner product to L2).
 *
 * Usage: node dist/bench/lookup.js [--runs dir,dir] [--queries 1000] [--load-seconds 30] [--skip-load]
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
import { predictTopK, type PredictContext } from '../src/lookup/predict.js';
import { modelQuery } from '../src/lookup/model-query.js';
import { scoreCandidate, type QueryPoint } from '../src/lookup/exact-score.js';
import { buildSpaceData } from '../src/lookup/vector-space.js';
import { loadTest, type ServedRun } from './lookup-load.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};
const defaultRuns = ['runs/wn18rr-roth-d32-adam-neg50', 'runs/lookup-wn18rr-distmult', 'runs/lookup-wn18rr-rote'].filter((d) => existsSync(path.join(d, 'best.json')));
const runDirs = flag('--runs', defaultRuns.join(',')).split(',').filter((d) => d !== '');
const numQueries = Number(flag('--queries', '1000'));
const loadSeconds = Number(flag('--load-seconds', '30'));
const skipLoad = args.includes('--skip-load');
const EFS = [50, 64, 100, 200, 400];

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
  const { table, measure } = lookup;
  const row: Record<string, unknown> = { run: lookup.name, model: lookup.header.model.model, dim: table.dim, entities: table.count, metric: measure.metric };
  log(`== ${lookup.name}: ${row.model} d=${table.dim}, ${table.count} entities, neighbour metric ${measure.metric}`);

  // Index build, fresh, in a temporary directory.
  const scratch = mkdtempSync(path.join(tmpdir(), 'kgdistill-bench-lookup-'));
  const fresh = new IndexStore(scratch, 'bench', table, lookup.header.model);
  const [built, buildSeconds] = await timed(() => fresh.get(neighborSpace(measure)));
  row.index = { space: built.id, vectorDim: built.dim, buildSeconds: +buildSeconds.toFixed(2), fileMB: +(built.fileBytes / 1e6).toFixed(1), m: 16, efConstruction: 200 };
  log(`index ${built.id}: built in ${buildSeconds.toFixed(1)} s, ${(built.fileBytes / 1e6).toFixed(1)} MB`);

  // Neighbours: brute force vs index, interleaved in rounds (other jobs share the machine), median speedup.
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
      const [exact, bruteSeconds] = await timed(() => chunk.map((e) => exactNeighbors(measure, table, e, 10).map((n) => n.id)));
      if (ef === EFS[0]) truth.push(...exact);
      const [found, indexSeconds] = await timed(async () => {
        const out: number[][] = [];
        for (const e of chunk) out.push((await indexNeighbors(fresh, measure, table, e, 10, ef)).map((n) => n.id));
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
  row.neighbors = { queries: entities.length, bruteForceQps: bruteQps, sweep, note: 'speedup: median over 5 interleaved rounds of brute-force / index time' };
  log(`neighbours: brute force ${bruteQps} q/s; ${sweep.map((s) => `ef ${s.ef}: recall ${s.recallAt10}, ${s.qps} q/s (${s.speedup}×)`).join('; ')}`);

  if (measure.metric === 'poincare') {
    // The same Lorentz vectors in hnswlib's own inner-product space.
    const spec = neighborSpace(measure);
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

  // Prediction: every index of the run (one per distinct query curvature for hyperbolic models).
  const [, predictBuild] = await timed(() => lookup.warm(true));
  const R = lookup.header.model.numRelations;
  const queries = sample(table.count, 300).map((e) => ({ entity: e, relation: Math.floor(rng() * 2 * R) }));
  const points: QueryPoint[] = queries.map((q) => modelQuery(lookup.runtime, q.entity, q.relation));
  const asked = (q: { entity: number; relation: number }) => (q.relation >= R ? { tail: `id:${q.entity}`, relation: q.relation - R } : { head: `id:${q.entity}`, relation: q.relation });
  const [exact, exactSeconds] = await timed(async () => {
    const out: number[][] = [];
    for (const q of queries) out.push((await lookup.predict({ ...asked(q), k: 10, exact: true })).answers.map((a) => a.id));
    return out;
  });
  const methods: Record<string, number> = {};
  let hits = 0;
  let scored = 0;
  const [, indexSeconds] = await timed(async () => {
    for (let i = 0; i < queries.length; i++) {
      const q = queries[i]!;
      const result = await lookup.predict({ ...asked(q), k: 10 });
      methods[result.method] = (methods[result.method] ?? 0) + 1;
      scored += result.scored;
      hits += overlap(result.answers.map((a) => a.id), exact[i]!);
    }
  });
  const ctx = (point: QueryPoint): PredictContext => ({
    similarity: lookup.runtime.model.similarity, table, store: lookup.store, indexMode: 'await',
    exactScores: async () => Float32Array.from({ length: table.count }, (_, t) => scoreCandidate(lookup.runtime.model.similarity, point, table, t).score),
  });
  const [, searchSeconds] = await timed(async () => {
    for (const point of points) await predictTopK(ctx(point), { query: point, k: 10 });
  });
  const [, scanSeconds] = await timed(async () => {
    for (const point of points.slice(0, 100)) await predictTopK(ctx(point), { query: point, k: 10, exact: true });
  });
  row.predict = {
    queries: queries.length, indexes: lookup.store.loaded().length, indexPrepareSeconds: +predictBuild.toFixed(1),
    indexBuildSecondsTotal: +lookup.store.loaded().reduce((sum, i) => sum + i.buildSeconds, 0).toFixed(1),
    indexFilesMB: +(lookup.store.loaded().reduce((sum, i) => sum + i.fileBytes, 0) / 1e6).toFixed(1),
    recallAt10: +(hits / (10 * queries.length)).toFixed(4), methods, meanScored: Math.round(scored / queries.length),
    endToEnd: { exactQps: Math.round(queries.length / exactSeconds), indexQps: Math.round(queries.length / indexSeconds) },
    searchOnly: { bruteForceScanQps: Math.round(100 / scanSeconds), indexQps: Math.round(points.length / searchSeconds), speedup: +((scanSeconds / 100) / (searchSeconds / points.length)).toFixed(1) },
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
