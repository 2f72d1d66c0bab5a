/**
 * `npm run bench:scale`: kgdistill on large generated graphs (issue 17, part 3) at up to three sizes, up to the size
 * of ogbl-wikikg2 (2.5M entities, 16M triples). The generator is seeded: entities are drawn with heavy-tailed
 * (Zipf, s = 1.1) frequencies and relations from 500 with Zipf frequencies, split 98/1/1. For each size, in a child
 * process each (so peak RSS is the step's own):
 * - load: `data stats`-like loading (read, vocabularies, filter index) → lines per second, peak RSS, bytes per triple;
 * - train: DistMult d = 32 (Adagrad, batch 500, 50 negatives), two epochs over the first 500k training triples (1M
 *   queries with the reciprocals; the tables hold every entity, so the caches see the whole graph) → seconds per
 *   million triples of the second epoch (steady state; the first, shown beside it, also pays one-time costs such as
 *   the first touch of the fresh optimiser state's pages), with each query's own negatives and with negatives shared
 *   by chunks of 50 queries (PyTorch-BigGraph's, `--shared-neg 50`);
 * - eval: sampled evaluation (gold + 100 filtered candidates, 2,000 test triples) → seconds;
 * and the kernel memory per entity of each optimiser. With `--ceiling N`, also the largest model: DistMult with N
 * entities at d = 64 under Adam, sparse Adam and Adagrad (allocated — Adam's moments in host memory when they do not
 * fit one wasm32 memory beside the tables —, 50 steps of 500 random queries × 50 negatives timed, then a checkpoint
 * of tables, state and vocabulary saved and read back). Prints a markdown table and a JSON line.
 * Usage: node dist/bench/scale.js [--sizes 50000:1000000,1000000:1000000,2500000:16000000] [--root /tmp/kgdistill-scale] [--load-only]
 *        [--ceiling <entities>]   (`--sizes 0:0 --ceiling <entities>`: the ceiling only)
 * (`--load-only`: only the load step of each size; the other columns stay empty).
 */
import { execFile } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import seedrandom from 'seedrandom';
import { writeNewDirectory } from '../src/kg/new-directory.js';
import { kernelBytesOf } from '../src/core/memory-budget.js';
import { OPTIMIZER_SLOTS } from '../src/core/optimizers.js';
import { createModel } from '../src/registry/models.js';
import type { OptimizerName } from '../src/core/optimizers.js';
import { benchArgs } from './args.js';
import { exitOnHelp } from './help.js';

exitOnHelp(import.meta.url);

const args = process.argv.slice(2);
/** This script's child modes (`--step <kind> <dir>`, `--ceiling-step <entities> <optimizer> <root>`): one step in a process of its own. */
const childMode = args[0] === '--step' || args[0] === '--ceiling-step';
const options = childMode ? undefined : benchArgs('scale', {
  flags: {
    root: { type: 'string', default: '/tmp/kgdistill-scale' },
    sizes: { type: 'strings', default: '50000:1000000,1000000:1000000,2500000:16000000' },
    'load-only': { type: 'boolean' },
    ceiling: { type: 'integer', min: 1 },
  },
}).values;
const root = path.resolve(options?.root ?? args[3] ?? '/tmp/kgdistill-scale');
const sizes = (options?.sizes ?? []).map((size) => {
  const [entities, triples] = size.split(':').map(Number);
  if (!/^\d+:\d+$/.test(size) || !(entities === 0 || (entities! >= 2 && triples! >= 1))) {
    process.stderr.write(`bench:scale: --sizes takes comma-separated <entities ≥ 2>:<triples ≥ 1>, or 0:0 for none (got '${size}')\n`);
    process.exit(2);
  }
  return [entities!, triples!] as [number, number];
}).filter(([entities]) => entities > 0);
const self = fileURLToPath(import.meta.url);
/** Training triples timed per graph (the first ones of the shuffled generator's output). */
const TRAIN_TRIPLES = 500_000;

/** Inverse-CDF sampler of a Zipf(s) law over n items (item 0 the most frequent), by binary search on the CDF. */
function zipf(n: number, s: number, rng: () => number): () => number {
  const cdf = new Float64Array(n);
  let acc = 0;
  for (let i = 0; i < n; i++) cdf[i] = acc += 1 / (i + 1) ** s;
  return () => {
    const u = rng() * acc;
    let lo = 0, hi = n - 1;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (cdf[mid]! < u) lo = mid + 1; else hi = mid; }
    return lo;
  };
}

/** The file that marks a generated graph as whole (written last, with its size). */
const COMPLETE_FILE = 'graph.json';

/**
 * Writes train/valid/test.txt of a seeded heavy-tailed graph with about `triples` triples over `entities` entities,
 * whole or not at all (a staging directory renamed at the end, `graph.json` last): a graph cut short by a kill, from
 * before this rule, is generated again (it was measured as it was: 1.02M triples for 3M asked).
 */
async function generate(dir: string, entities: number, triples: number): Promise<void> {
  if (existsSync(path.join(dir, COMPLETE_FILE))) return;
  rmSync(dir, { recursive: true, force: true });
  await writeNewDirectory(dir, async (staging) => {
    await writeGraph(staging, entities, triples);
    writeFileSync(path.join(staging, COMPLETE_FILE), `${JSON.stringify({ entities, triples })}\n`);
  });
}

/** The three split files of {@link generate} in `dir`. */
async function writeGraph(dir: string, entities: number, triples: number): Promise<void> {
  const rng = seedrandom.alea(`scale:${entities}:${triples}`);
  const entity = zipf(entities, 1.1, rng);
  const relation = zipf(500, 1.1, rng);
  const perm = Int32Array.from({ length: entities }, (_, i) => i); // scatter the frequent ids over the id range
  for (let i = entities - 1; i > 0; i--) { const j = Math.floor(rng() * (i + 1)); [perm[i], perm[j]] = [perm[j]!, perm[i]!]; }
  const files = { train: createWriteStream(path.join(dir, 'train.txt')), valid: createWriteStream(path.join(dir, 'valid.txt')), test: createWriteStream(path.join(dir, 'test.txt')) };
  const chunk: Record<keyof typeof files, string[]> = { train: [], valid: [], test: [] };
  const flush = async (name: keyof typeof files): Promise<void> => {
    if (!files[name].write(chunk[name].join(''))) await new Promise<void>((r) => files[name].once('drain', () => r()));
    chunk[name] = [];
  };
  for (let i = 0; i < triples; i++) {
    const u = rng();
    const name = u < 0.98 ? 'train' : u < 0.99 ? 'valid' : 'test';
    chunk[name].push(`e${perm[entity()]}\tr${relation()}\te${perm[entity()]}\n`);
    if (chunk[name].length === 10000) await flush(name);
  }
  for (const name of ['train', 'valid', 'test'] as const) {
    await flush(name);
    await new Promise<void>((r) => files[name].end(() => r()));
  }
}

/** Runs one measurement in a child process (this file with --step) and returns its JSON line. */
async function step(kind: string, dir: string): Promise<Record<string, number>> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--max-old-space-size=16384', self, '--step', kind, dir], { maxBuffer: 1 << 24 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, number>;
}

/** The ceiling: a DistMult of `entities` × 64 under `optimizer`, allocated and stepped, or the error that refuses it. */
async function ceilingStep(entities: number, optimizer: OptimizerName): Promise<Record<string, unknown>> {
  const { requireKernelMemory, kernelBytesOf } = await import('../src/core/memory-budget.js');
  const { ModelRuntime } = await import('../src/core/model-runtime.js');
  const { TableOptimizer } = await import('../src/core/optimizers.js');
  const { SeededRandom } = await import('../src/core/random.js');
  const { kgeObjective } = await import('../src/core/kge-objective.js');
  const { initBackend } = await import('../src/core/backend.js');
  const model = createModel('DistMult', { dim: 64, numEntities: entities, numRelations: 500 });
  const bytes = kernelBytesOf(model.tables, entities, 500, optimizer);
  try {
    requireKernelMemory('DistMult', model.tables, entities, 500, optimizer);
  } catch (error) {
    return { entities, optimizer, kernelGiB: bytes / 2 ** 30, refused: (error as Error).message };
  }
  const backend = await initBackend('auto');
  const t0 = performance.now();
  const runtime = await ModelRuntime.create(model, 0);
  const optim = new TableOptimizer(optimizer, 0.05, runtime.store, runtime.kernels);
  const allocateSeconds = (performance.now() - t0) / 1000;
  const objective = kgeObjective(runtime, { negatives: 50, doubleNegatives: false, regularizer: 'none', regularizerWeight: 0, path: 'auto' }, backend);
  const rng = new SeededRandom(1);
  const ids = (n: number, limit: number): Int32Array => Int32Array.from({ length: n }, () => rng.int(limit));
  const steps = 50;
  const t1 = performance.now();
  for (let s = 0; s < steps; s++) {
    objective.gradients({ entities: ids(500, entities), relations: ids(500, 1000), answers: ids(500, entities) }, 1, rng);
    optim.step();
  }
  const msPerStep = (performance.now() - t1) / steps;
  // a checkpoint of that size, as a run writes one (tables, optimiser state and the vocabulary), read back and checked
  const { saveCheckpoint, loadCheckpoint } = await import('../src/core/checkpoint.js');
  const dir = mkdtempSync(path.join(root, 'ceiling-'));
  const state = optim.state();
  const arrays = { ...runtime.parameterArrays(), ...Object.fromEntries(Object.entries(state.slots).map(([k, v]) => [`optimizer.${k}`, v])) };
  const header = { model: { model: 'DistMult', dim: 64, numEntities: entities, numRelations: 500, options: {} }, training: { optimizer }, dataset: { name: 'ceiling' },
    vocab: { entities: Array.from({ length: entities }, (_, i) => `e${i}`), relations: Array.from({ length: 500 }, (_, i) => `r${i}`) }, progress: { step: state.step } };
  const t2 = performance.now();
  await saveCheckpoint(dir, 'last', { header, arrays });
  const t3 = performance.now();
  const loaded = await loadCheckpoint(dir, 'last');
  const t4 = performance.now();
  const sameBytes = Object.entries(arrays).every(([name, values]) => loaded.arrays[name]![values.length - 1] === values[values.length - 1] && loaded.arrays[name]![0] === values[0]);
  rmSync(dir, { recursive: true, force: true });
  return { entities, optimizer, kernelGiB: bytes / 2 ** 30, stateIn: optim.stateIn, allocateSeconds, msPerStep, checkpointGiB: loaded.header.binary.bytes / 2 ** 30,
    saveSeconds: (t3 - t2) / 1000, loadSeconds: (t4 - t3) / 1000, checkpointReadBack: sameBytes, peakRssMB: process.resourceUsage().maxRSS / 1024 };
}

if (args[0] === '--ceiling-step') {
  process.stdout.write(`${JSON.stringify(await ceilingStep(Number(args[1]), args[2] as OptimizerName))}\n`);
} else if (args[0] === '--step') {
  const [kind, dir] = [args[1]!, args[2]!];
  const { loadDataset } = await import('../src/kg/dataset.js');
  const { runDataFromDataset } = await import('../src/core/training-data.js');
  const t0 = performance.now();
  const dataset = await loadDataset(dir, { unseen: 'keep', verify: false });
  const data = runDataFromDataset(dataset); // builds the filter index
  const loadSeconds = (performance.now() - t0) / 1000;
  const lines = dataset.report.lines.train + dataset.report.lines.valid + dataset.report.lines.test;
  const out: Record<string, number> = { entities: data.numEntities, relations: data.numRelations, lines, loadSeconds };
  if (kind === 'train' || kind === 'eval') {
    const { initBackend } = await import('../src/core/backend.js');
    const { ModelRuntime } = await import('../src/core/model-runtime.js');
    const { TableOptimizer } = await import('../src/core/optimizers.js');
    const { SeededRandom } = await import('../src/core/random.js');
    const { kgeObjective } = await import('../src/core/kge-objective.js');
    const { trainEpoch } = await import('../src/core/epoch-loop.js');
    const { trainingQueries } = await import('../src/core/batch.js');
    const { evaluateSampled } = await import('../src/eval/sampled-evaluation.js');
    const backend = await initBackend('auto');
    const runtime = await ModelRuntime.create(createModel('DistMult', { dim: 32, numEntities: data.numEntities, numRelations: data.numRelations }), 0);
    if (kind === 'train') {
      const train = data.train.subarray(0, 3 * Math.min(data.train.length / 3, TRAIN_TRIPLES));
      out.trainTriples = train.length / 3;
      for (const [key, sharedNegatives] of [['epochSeconds', 1], ['sharedEpochSeconds', 50]] as const) {
        const objective = kgeObjective(runtime, { negatives: 50, doubleNegatives: false, sharedNegatives, regularizer: 'none', regularizerWeight: 0, path: 'auto' }, backend);
        const optimizer = new TableOptimizer('adagrad', 0.05, runtime.store, runtime.kernels);
        const queries = trainingQueries(train, data.numRelations);
        const rng = new SeededRandom(1);
        for (const epoch of [1, 2]) {
          const t1 = performance.now();
          trainEpoch({ objective, optimizer, queries, batchSize: 500, sampling: { kind: 'shuffled' } }, epoch, rng);
          out[epoch === 1 ? `${key}First` : key] = (performance.now() - t1) / 1000;
        }
      }
    } else {
      const test = data.test.slice(0, 3 * 2000);
      const t1 = performance.now();
      evaluateSampled(runtime, test, data.numRelations, data.known, { candidates: 100, backend });
      out.evalSeconds = (performance.now() - t1) / 1000;
      out.evalQueries = (2 * test.length) / 3;
    }
  }
  out.peakRssMB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify(out)}\n`);
} else {
  const rows: Record<string, unknown>[] = [];
  for (const [entities, triples] of sizes) {
    const dir = path.join(root, `g-${entities}-${triples}`);
    const g0 = performance.now();
    await generate(dir, entities, triples);
    process.stderr.write(`graph ${entities} × ${triples}: generated in ${((performance.now() - g0) / 1000).toFixed(0)} s\n`);
    const load = await step('load', dir);
    const loadOnly = options!['load-only'];
    const train = loadOnly ? {} : await step('train', dir);
    const evaluation = loadOnly ? {} : await step('eval', dir);
    const row = {
      entities: load.entities, triples: load.lines, loadSeconds: load.loadSeconds, linesPerSecond: load.lines! / load.loadSeconds!, loadPeakRssMB: load.peakRssMB,
      bytesPerTriple: (load.peakRssMB! * 2 ** 20) / load.lines!, epochSeconds: train.epochSeconds, secondsPerMillionTriples: train.epochSeconds! / (train.trainTriples! / 1e6),
      sharedSecondsPerMillionTriples: train.sharedEpochSeconds! / (train.trainTriples! / 1e6),
      firstSecondsPerMillionTriples: train.epochSecondsFirst! / (train.trainTriples! / 1e6),
      sharedFirstSecondsPerMillionTriples: train.sharedEpochSecondsFirst! / (train.trainTriples! / 1e6),
      trainPeakRssMB: train.peakRssMB, evalSeconds: evaluation.evalSeconds, evalQueries: evaluation.evalQueries,
    };
    rows.push(row);
    process.stderr.write(`${JSON.stringify(row)}\n`);
  }
  const ceiling = options!.ceiling ?? 0;
  const ceilings: Record<string, unknown>[] = [];
  for (const optimizer of ceiling > 0 ? (['adam', 'sparse-adam', 'adagrad'] as const) : []) {
    const { stdout } = await promisify(execFile)(process.execPath, ['--max-old-space-size=16384', self, '--ceiling-step', String(ceiling), optimizer, root], { maxBuffer: 1 << 24 });
    ceilings.push(JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>);
    process.stderr.write(`${JSON.stringify(ceilings.at(-1))}\n`);
  }
  /** A figure with `digits` decimals, or — when the step did not run. */
  const fixed = (x: unknown, digits: number): string => (Number.isFinite(Number(x)) && x !== undefined ? Number(x).toFixed(digits) : '—');
  const dist = createModel('DistMult', { dim: 32, numEntities: 1, numRelations: 1 });
  const perEntity = Object.fromEntries((Object.keys(OPTIMIZER_SLOTS) as OptimizerName[]).map((o) => [o, kernelBytesOf(dist.tables.filter((t) => t.indexedBy === 'entity'), 1, 0, o)]));
  const table = ['| entities | triples | load s | lines/s | load peak RSS MB | bytes/triple (RSS) | s per 1M triples (first epoch / next) | same, shared negatives (50) | train peak RSS MB | sampled eval s (queries) |', '|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${Number(r.entities).toLocaleString('en-US')} | ${Number(r.triples).toLocaleString('en-US')} | ${fixed(r.loadSeconds, 1)} | ${Math.round(Number(r.linesPerSecond)).toLocaleString('en-US')} | ${fixed(r.loadPeakRssMB, 0)} | ${fixed(r.bytesPerTriple, 0)} | ${fixed(r.firstSecondsPerMillionTriples, 2)} / ${fixed(r.secondsPerMillionTriples, 2)} | ${fixed(r.sharedFirstSecondsPerMillionTriples, 2)} / ${fixed(r.sharedSecondsPerMillionTriples, 2)} | ${fixed(r.trainPeakRssMB, 0)} | ${fixed(r.evalSeconds, 1)} (${String(r.evalQueries ?? '—')}) |`)];
  process.stdout.write(`${table.join('\n')}\n\nkernel memory per entity, DistMult d=32: ${Object.entries(perEntity).map(([o, b]) => `${o} ${b} B`).join(', ')}\n`);
  for (const c of ceilings) {
    process.stdout.write(`ceiling, DistMult ${Number(c.entities).toLocaleString('en-US')} × 64, ${String(c.optimizer)} (${Number(c.kernelGiB).toFixed(2)} GiB of tables and state): ${c.refused ? `refused before allocation: ${String(c.refused)}` : `state in ${String(c.stateIn)} memory, allocated in ${Number(c.allocateSeconds).toFixed(1)} s, ${Number(c.msPerStep).toFixed(1)} ms per step (500 queries × 50 negatives), checkpoint ${Number(c.checkpointGiB).toFixed(2)} GiB saved in ${Number(c.saveSeconds).toFixed(1)} s and read back in ${Number(c.loadSeconds).toFixed(1)} s (${c.checkpointReadBack ? 'same values' : 'VALUES DIFFER'}), peak RSS ${Number(c.peakRssMB).toFixed(0)} MB`}\n`);
  }
  process.stdout.write(`${JSON.stringify({ bench: 'scale', date: new Date().toISOString(), rows, kernelBytesPerEntity: perEntity, ceilings })}\n`);
}
