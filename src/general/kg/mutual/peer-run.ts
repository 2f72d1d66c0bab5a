/**
 * The knowledge-graph port of DML and DoGo, end to end: a single KGE student trained with a mode's base loss, and
 * a pair (student A from the same initialisation, student B from another) trained with the base loss plus the
 * mutual term, for the same epochs and batches, each through the core's Trainer; filtered test MRR of A (and B)
 * against the single student. Runs write to a temporary directory that is removed afterwards.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ModelRuntime } from '../../../core/model-runtime.js';
import { Trainer } from '../../../core/trainer.js';
import { parseTrainingConfig } from '../../../core/training-config.js';
import type { RunData } from '../../../core/training-data.js';
import { evaluateSplit, filteredValidator } from '../../../eval/evaluate-run.js';
import type { OptimizerName } from '../../../core/optimizers.js';
import { createModelFor } from '../../../registry/models.js';
import { PeerKgeObjective, type PeerMode } from './peer-objective.js';
import { meanStd, type MeanStd } from '../../stats.js';
import { portRun, portRunName } from '../port.js';

/** Settings of a KG port run. */
export interface PeerRunOptions {
  model: string;
  dim: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: OptimizerName;
  negatives: number;
  weight: number;
  temperature: number;
  seed: number;
  initScale: number;
}

/** Filtered link-prediction metrics of one student. */
export interface LinkMetrics { mrr: number; 'hits@1': number; 'hits@10': number }

/** Single student vs the pair, for one mode. */
export interface PeerRunResult {
  mode: PeerMode;
  single: LinkMetrics & { seconds: number };
  pair: { a: LinkMetrics; b: LinkMetrics; seconds: number };
}

async function trainStudents(data: RunData, mode: PeerMode, options: PeerRunOptions, withPeer: boolean, backend: string): Promise<{ students: ModelRuntime[]; seconds: number }> {
  const build = (seed: number): Promise<ModelRuntime> => ModelRuntime.create(
    createModelFor(options.model, { dim: options.dim, numEntities: data.numEntities, numRelations: data.numRelations, initScale: options.initScale }, backend), seed);
  const a = await build(options.seed);
  const b = withPeer ? await build(options.seed + 1000) : undefined;
  const config = parseTrainingConfig({
    epochs: options.epochs, batchSize: options.batchSize, learningRate: options.learningRate, optimizer: options.optimizer,
    negatives: Math.max(1, options.negatives), validEvery: options.epochs, patience: 0, seed: options.seed,
  });
  const objective = new PeerKgeObjective(a, b, { mode, negatives: options.negatives, weight: options.weight, temperature: options.temperature, optimizer: options.optimizer, learningRate: options.learningRate }, backend);
  const dir = await mkdtemp(path.join(tmpdir(), 'kgdistill-peers-'));
  try {
    const result = await new Trainer(a, data, config, dir, backend, { validator: filteredValidator(data), objective }).run();
    return { students: b ? [a, b] : [a], seconds: result.seconds };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function testMetrics(runtime: ModelRuntime, data: RunData): Promise<LinkMetrics> {
  const report = await evaluateSplit(runtime, data, 'test');
  return { mrr: report.filtered.mrr, 'hits@1': report.filtered['hits@1'], 'hits@10': report.filtered['hits@10'] };
}

/** Trains and evaluates the single student and the pair for one mode; a divergence names the mode (the method), seed and run. */
export async function runPeerPair(data: RunData, mode: PeerMode, options: PeerRunOptions, backend: string, log: (line: string) => void = () => undefined): Promise<PeerRunResult> {
  const train = (which: string, withPeer: boolean): ReturnType<typeof trainStudents> =>
    portRun(portRunName(mode, options.seed, which), options.learningRate, () => trainStudents(data, mode, options, withPeer, backend));
  const single = await train('single-student run', false);
  const singleMetrics = await testMetrics(single.students[0]!, data);
  log(`${mode}: single ${options.model} d=${options.dim}: test MRR ${singleMetrics.mrr.toFixed(4)} (${(single.seconds / 60).toFixed(1)} min)`);
  const pair = await train('pair run', true);
  const a = await testMetrics(pair.students[0]!, data);
  const b = await testMetrics(pair.students[1]!, data);
  for (const runtime of [...single.students, ...pair.students]) runtime.dispose(); // their kernel worker threads
  log(`${mode}: pair: A ${a.mrr.toFixed(4)}, B ${b.mrr.toFixed(4)} (${(pair.seconds / 60).toFixed(1)} min)`);
  return { mode, single: { ...singleMetrics, seconds: single.seconds }, pair: { a, b, seconds: pair.seconds } };
}

/** A KG port comparison over seeds: per seed the single student and the pair, then mean ± std of the MRRs. */
export interface PeerComparison {
  kind: 'peers';
  mode: PeerMode;
  dataset: string;
  options: Omit<PeerRunOptions, 'seed'>;
  seeds: (PeerRunResult & { seed: number })[];
  summary: { single: MeanStd; pairA: MeanStd; pairB: MeanStd; difference: MeanStd };
  seconds: number;
}

/** Runs the KG port of a mode for each seed on loaded run data. */
export async function runPeerComparison(data: RunData, mode: PeerMode, options: Omit<PeerRunOptions, 'seed'>, seeds: readonly number[], backend: string,
  log: (line: string) => void = () => undefined): Promise<PeerComparison> {
  const started = performance.now();
  const results: (PeerRunResult & { seed: number })[] = [];
  for (const seed of seeds) results.push({ ...(await runPeerPair(data, mode, { ...options, seed }, backend, log)), seed });
  return {
    kind: 'peers',
    mode,
    dataset: data.datasetName,
    options,
    seeds: results,
    summary: {
      single: meanStd(results.map((r) => r.single.mrr)),
      pairA: meanStd(results.map((r) => r.pair.a.mrr)),
      pairB: meanStd(results.map((r) => r.pair.b.mrr)),
      difference: meanStd(results.map((r) => r.pair.a.mrr - r.single.mrr)),
    },
    seconds: (performance.now() - started) / 1000,
  };
}
