/**
 * Sampled evaluation, as the OGB link-prediction protocol (Hu et al. 2020, ogbl-wikikg2): each query is ranked
 * against its gold answer and N candidate entities instead of all of them — what large graphs can afford. The
 * candidates are fixed per query (drawn from a generator seeded by the seed and the query's index, whatever the
 * batching), distinct, and filtered (never the gold answer nor another known-true answer), so numbers are
 * comparable across runs and models. Scores come from the model's forward-only candidate scoring (kernels); ranks
 * count ties as the mean of optimistic and pessimistic rank, as the full evaluation does. Reported as its own
 * protocol, never mixed with full filtered ranking. evaluateSampledAsync lets the event loop run between query
 * batches every SLICE_MS (Ctrl-C and a worker's messages are seen during a long evaluation); evaluateSampled runs
 * straight through. Both run the same steps, so their reports are the same.
 */
import type { ModelRuntime } from '../core/model-runtime.js';
import type { RunData } from '../core/training-data.js';
import { SeededRandom } from '../core/random.js';
import { SliceClock } from '../core/event-loop.js';
import type { Triples } from '../kg/types.js';
import { RankMetrics, type LinkPredictionMetrics, type SummaryMetrics } from './metrics.js';
import { filteredRanks, type KnownAnswers } from './ranks.js';
import { evaluationQueries } from './queries.js';

/** Options of {@link evaluateSampled}. */
export interface SampledEvaluationOptions {
  /** Candidates per query besides the gold answer. */
  candidates: number;
  seed?: number;
  /** Queries scored per call (default 512). */
  batchSize?: number;
  backend: string;
  onProgress?: (done: number, total: number) => void;
}

/** What a sampled evaluation needs of a model: its entity count and forward-only candidate scoring (a ModelRuntime). */
export type CandidateScoringModel = Pick<ModelRuntime, 'scoreCandidates'> & { model: { config: { numEntities: number } } };

/** The metrics of a sampled evaluation and how they were made. */
export interface SampledEvaluationReport {
  filtered: LinkPredictionMetrics;
  byDirection: { tail: LinkPredictionMetrics; head: LinkPredictionMetrics };
  protocol: string;
  seconds: number;
}

/** The most candidates every query of `triples` can be given, and the first query that allows no more (its index). */
export function maxSampledCandidates(triples: Triples, numRelations: number, known: KnownAnswers, numEntities: number): { max: number; query: number } {
  let max = numEntities - 1, query = -1;
  const total = 2 * (triples.length / 3);
  const { entities, relations, gold } = evaluationQueries(triples, numRelations, 0, total);
  for (let q = 0; q < total; q++) {
    const answers = known.answers(entities[q]!, relations[q]!);
    const free = numEntities - answers.length - (binarySearch(answers, gold[q]!) ? 0 : 1);
    if (free < max) [max, query] = [free, q];
  }
  return { max, query };
}

/**
 * Refuses a number of sampled evaluation candidates that some valid or test query cannot be given (its filtered
 * candidates are the entities that are neither its answer nor a known answer), naming the largest that works.
 */
export function requireCandidates(candidates: number, data: Pick<RunData, 'valid' | 'test' | 'numRelations' | 'numEntities' | 'known' | 'entityNames' | 'relationNames'>, flag: string, splits: readonly ('valid' | 'test')[] = ['valid', 'test']): void {
  for (const split of splits) {
    const { max, query } = maxSampledCandidates(data[split], data.numRelations, data.known, data.numEntities);
    if (candidates <= max) continue;
    const t = 3 * (query >> 1), triple = data[split];
    const [given, relation] = query & 1 ? [triple[t + 2]!, triple[t + 1]!] : [triple[t]!, triple[t + 1]!];
    const shown = query & 1 ? `(?, ${data.relationNames[relation]}, ${data.entityNames[given]})` : `(${data.entityNames[given]}, ${data.relationNames[relation]}, ?)`;
    throw new Error(`${flag} ${candidates}: at most ${max} on this dataset (the ${split} query ${shown} has only ${max} entities that are neither its answer nor a known answer)`);
  }
}

/** The N fixed filtered candidates of query `index` (gold `gold`, known answers `known`). */
export function queryCandidates(index: number, gold: number, known: Int32Array, numEntities: number, n: number, seed: number, out: Int32Array, offset: number): void {
  const excluded = known.length + (known.includes(gold) ? 0 : 1);
  if (numEntities - excluded < n) throw new Error(`sampled evaluation: only ${numEntities - excluded} entities are not known answers of query ${index}, fewer than --eval-candidates ${n}`);
  const rng = new SeededRandom(`eval-candidates:${seed}:${index}`);
  const chosen = new Set<number>();
  let k = 0;
  while (k < n) {
    const e = rng.int(numEntities);
    if (e === gold || chosen.has(e) || binarySearch(known, e)) continue;
    chosen.add(e);
    out[offset + k++] = e;
  }
}

/** Whether a sorted Int32Array holds `x`. */
function binarySearch(sorted: Int32Array, x: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid]!;
    if (v === x) return true;
    if (v < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** Ranks every triple's tail and head query against its gold answer and N fixed filtered candidates, in one go. */
export function evaluateSampled(runtime: CandidateScoringModel, triples: Triples, numRelations: number, known: KnownAnswers, options: SampledEvaluationOptions): SampledEvaluationReport {
  const steps = sampledSteps(runtime, triples, numRelations, known, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** As {@link evaluateSampled}, but lets the event loop run between query batches once a slice (SLICE_MS) is over; the same report. */
export async function evaluateSampledAsync(runtime: CandidateScoringModel, triples: Triples, numRelations: number, known: KnownAnswers, options: SampledEvaluationOptions): Promise<SampledEvaluationReport> {
  const slice = new SliceClock();
  const steps = sampledSteps(runtime, triples, numRelations, known, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await slice.yieldIfDue();
  }
}

/** The sampled evaluation as steps: each ranks one batch of queries and pauses; the last returns the report. */
function* sampledSteps(runtime: CandidateScoringModel, triples: Triples, numRelations: number, known: KnownAnswers, options: SampledEvaluationOptions): Generator<void, SampledEvaluationReport, void> {
  const started = performance.now();
  const { candidates: N, backend } = options;
  if (!Number.isInteger(N) || N < 1) throw new Error(`--eval-candidates must be a positive integer (got ${N})`);
  const seed = options.seed ?? 0;
  const numEntities = runtime.model.config.numEntities;
  const total = 2 * (triples.length / 3);
  const batch = options.batchSize ?? 512;
  const M = N + 1;
  const metrics = [new RankMetrics(), new RankMetrics()];
  for (let start = 0; start < total; start += batch) {
    const rows = Math.min(batch, total - start);
    const { entities, relations, gold } = evaluationQueries(triples, numRelations, start, rows);
    const ids = new Int32Array(rows * M);
    for (let row = 0; row < rows; row++) {
      ids[row * M] = gold[row]!;
      queryCandidates(start + row, gold[row]!, known.answers(entities[row]!, relations[row]!), numEntities, N, seed, ids, row * M + 1);
    }
    const scores = runtime.scoreCandidates(entities, relations, { ids, perQuery: M }, backend);
    // Each row is [gold, N candidates]: the gold's rank among them is ranks.ts's, with M entities and the gold at 0
    // (ties averaged; a NaN gold ranks last, M). No known answers here (null): the columns are candidates, not ids.
    const ranks = { raw: new Float64Array(rows), filtered: new Float64Array(rows) };
    filteredRanks(scores, M, entities, relations, new Int32Array(rows), null, ranks);
    for (let row = 0; row < rows; row++) metrics[(start + row) & 1]!.add(ranks.raw[row]!);
    options.onProgress?.(start + rows, total);
    yield;
  }
  const both = new RankMetrics();
  both.merge(metrics[0]!);
  both.merge(metrics[1]!);
  return {
    filtered: both.result(),
    byDirection: { tail: metrics[0]!.result(), head: metrics[1]!.result() },
    protocol: `sampled: gold + ${N} fixed filtered candidates per query (OGB-style), seed ${seed}`,
    seconds: (performance.now() - started) / 1000,
  };
}

/** The headline metrics of a sampled evaluation (with its protocol), as a run's JSON and `eval --json` print them. */
export function sampledSummary(report: SampledEvaluationReport): SummaryMetrics {
  const f = report.filtered;
  return { mrr: f.mrr, 'hits@1': f['hits@1'], 'hits@3': f['hits@3'], 'hits@10': f['hits@10'], mr: f.mr, queries: f.count, byDirection: report.byDirection, protocol: report.protocol, evalSeconds: report.seconds };
}
