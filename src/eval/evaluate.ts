/**
 * Filtered link-prediction evaluation in both directions against all entities, batched and memory-bounded.
 *
 * Every triple (h, r, t) gives two queries: the tail query (h, r) with gold t and the head query
 * (t, r + numRelations) with gold h. Queries are interleaved (tail of triple i, then its head) and scored in
 * batches, so head and tail queries share batches; only one batch of scores exists at a time.
 * Ranks use the tie convention of ranks.ts (mean of optimistic and pessimistic rank); the headline numbers are
 * the filtered metrics over both directions (Bordes et al. 2013; Chami et al. 2020).
 */
import type { RelationCategory, Triples } from '../kg/types.js';
import { filteredRanks, type KnownAnswers, type RankOutput } from './ranks.js';
import { RankMetrics, type LinkPredictionMetrics, type SummaryMetrics } from './metrics.js';
import type { AllEntityScorer } from '../core/all-entity-scorer.js';
import { SliceClock } from '../core/event-loop.js';
import { evaluationQueries } from './queries.js';

/** Filtered and raw metrics of one set of queries. */
export interface FilteredAndRawMetrics {
  filtered: LinkPredictionMetrics;
  raw: LinkPredictionMetrics;
}

/** Filtered metrics of the tail queries and of the head queries of a group of triples. */
export interface TailAndHeadMetrics {
  tail: LinkPredictionMetrics;
  head: LinkPredictionMetrics;
}

/** Result of {@link evaluateLinkPrediction}. */
export interface EvaluationReport {
  /** Headline: filtered metrics over the tail and head queries of all triples. */
  filtered: LinkPredictionMetrics;
  /** Raw (unfiltered) metrics over the tail and head queries of all triples. */
  raw: LinkPredictionMetrics;
  /** Tail queries (h, r) → t and head queries (t, r⁻¹) → h separately. */
  byDirection: { tail: FilteredAndRawMetrics; head: FilteredAndRawMetrics };
  /** Filtered metrics per relation category of the triple's relation; present when categories were given. */
  byCategory?: Record<RelationCategory, TailAndHeadMetrics>;
  /** Queries left out of byCategory, their relation having no category (no training triple); present when > 0. */
  uncategorizedQueries?: number;
  /** Filtered metrics per relation, indexed by relation id; present when options.byRelation is true. */
  byRelation?: TailAndHeadMetrics[];
  /** Filtered metrics over both directions under each tie rule (PyKEEN's names; `realistic` is the headline). */
  tieRules: { optimistic: LinkPredictionMetrics; realistic: LinkPredictionMetrics; pessimistic: LinkPredictionMetrics };
  /** Every query's filtered rank, in query order (queries.ts), when options.keepRanks. */
  ranks?: Float64Array;
  /** Wall-clock seconds of the whole evaluation (scoring included). */
  seconds: number;
  /** How tied scores are ranked. */
  ties: 'mean of optimistic and pessimistic rank';
}

/** Options of {@link evaluateLinkPrediction}. */
export interface EvaluationOptions {
  /** Queries scored per call of scoreAll; default keeps a batch of scores at ≤ 8M floats (32 MB). */
  batchSize?: number;
  /** Category of each relation id (length ≥ numRelations; null: none); enables report.byCategory. */
  categories?: (RelationCategory | null)[];
  /** Whether to break the filtered metrics down per relation (report.byRelation). */
  byRelation?: boolean;
  /** Called after each batch with the number of queries ranked so far and the total (2 per triple). */
  onProgress?: (done: number, total: number) => void;
  /** Keep every query's filtered rank in `report.ranks` (query order of queries.ts). */
  keepRanks?: boolean;
}

/** Upper bound on the number of scores (floats) in one default-sized batch. */
export const MAX_BATCH_SCORES = 8 * 1024 * 1024;

const CATEGORIES: readonly RelationCategory[] = ['1-1', '1-N', 'N-1', 'N-N'];

/** Default number of queries per batch so that one batch of scores holds at most MAX_BATCH_SCORES floats. */
export function defaultBatchSize(numEntities: number): number {
  return Math.max(1, Math.floor(MAX_BATCH_SCORES / numEntities));
}

/** Ranks every triple's tail and head query against all entities and returns filtered and raw metrics. */
export async function evaluateLinkPrediction(
  scorer: AllEntityScorer,
  triples: Triples,
  numRelations: number,
  known: KnownAnswers,
  options: EvaluationOptions = {},
): Promise<EvaluationReport> {
  const startTime = performance.now();
  const numEntities = scorer.numEntities;
  validateInputs(triples, numEntities, numRelations, options);
  const batchSize = options.batchSize ?? defaultBatchSize(numEntities);

  const numTriples = triples.length / 3;
  const totalQueries = 2 * numTriples;
  const ranks = { filtered: new Float64Array(totalQueries), raw: new Float64Array(totalQueries),
    filteredOptimistic: new Float64Array(totalQueries), filteredPessimistic: new Float64Array(totalQueries) };

  const slice = new SliceClock(); // Ctrl-C and a worker's messages are seen during a long evaluation
  for (let start = 0; start < totalQueries; start += batchSize) {
    await slice.yieldIfDue();
    const rows = Math.min(batchSize, totalQueries - start);
    const { entities, relations: queryRelations, gold } = evaluationQueries(triples, numRelations, start, rows);
    const scores = await scorer.scoreAll(entities, queryRelations);
    if (scores.length !== rows * numEntities) {
      throw new RangeError(`scoreAll returned ${scores.length} scores for ${rows} queries × ${numEntities} entities`);
    }
    filteredRanks(scores, numEntities, entities, queryRelations, gold, known, ranks, start);
    options.onProgress?.(start + rows, totalQueries);
  }

  return summarise(triples, numRelations, ranks, options, (performance.now() - startTime) / 1000);
}

/** Throws a RangeError for malformed triples, ids out of range, or bad options. */
function validateInputs(
  triples: Triples,
  numEntities: number,
  numRelations: number,
  options: EvaluationOptions,
): void {
  if (!Number.isInteger(numEntities) || numEntities < 1) {
    throw new RangeError(`scorer.numEntities must be a positive integer, got ${numEntities}`);
  }
  if (!Number.isInteger(numRelations) || numRelations < 1) {
    throw new RangeError(`numRelations must be a positive integer, got ${numRelations}`);
  }
  if (triples.length % 3 !== 0) throw new RangeError(`triple array length ${triples.length} is not a multiple of 3`);
  for (let i = 0; i < triples.length; i += 3) {
    const h = triples[i];
    const r = triples[i + 1];
    const t = triples[i + 2];
    if (h < 0 || h >= numEntities || t < 0 || t >= numEntities || r < 0 || r >= numRelations) {
      throw new RangeError(
        `triple ${i / 3} (${h}, ${r}, ${t}) is outside ${numEntities} entities / ${numRelations} relations`,
      );
    }
  }
  const { batchSize, categories } = options;
  if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1)) {
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  }
  if (categories !== undefined && categories.length < numRelations) {
    throw new RangeError(`categories has ${categories.length} entries for ${numRelations} relations`);
  }
}

/** Accumulates per-query ranks (interleaved tail, head per triple) into the report's groups. */
function summarise(
  triples: Triples,
  numRelations: number,
  ranks: Required<RankOutput>,
  options: EvaluationOptions,
  seconds: number,
): EvaluationReport {
  const direction = [
    { filtered: new RankMetrics(), raw: new RankMetrics() },
    { filtered: new RankMetrics(), raw: new RankMetrics() },
  ];
  const { categories } = options;
  const perCategory = new Map<RelationCategory, [RankMetrics, RankMetrics]>();
  if (categories) for (const c of CATEGORIES) perCategory.set(c, [new RankMetrics(), new RankMetrics()]);
  let uncategorizedQueries = 0;
  const perRelation = options.byRelation
    ? Array.from({ length: numRelations }, (): [RankMetrics, RankMetrics] => [new RankMetrics(), new RankMetrics()])
    : null;

  for (let query = 0; query < ranks.filtered.length; query++) {
    const side = query & 1; // 0 = tail query, 1 = head query
    const relation = triples[3 * (query >> 1) + 1];
    const filtered = ranks.filtered[query];
    direction[side].filtered.add(filtered);
    direction[side].raw.add(ranks.raw[query]);
    const category = categories?.[relation];
    if (category === null) uncategorizedQueries++;
    else if (category !== undefined) {
      const group = perCategory.get(category);
      if (group === undefined) throw new RangeError(`unknown category ${category} of relation ${relation}`);
      group[side].add(filtered);
    }
    if (perRelation) perRelation[relation][side].add(filtered);
  }

  const filtered = new RankMetrics();
  const raw = new RankMetrics();
  for (const d of direction) {
    filtered.merge(d.filtered);
    raw.merge(d.raw);
  }
  const toTailAndHead = ([tail, head]: [RankMetrics, RankMetrics]): TailAndHeadMetrics => ({
    tail: tail.result(),
    head: head.result(),
  });

  const report: EvaluationReport = {
    filtered: filtered.result(),
    raw: raw.result(),
    byDirection: {
      tail: { filtered: direction[0].filtered.result(), raw: direction[0].raw.result() },
      head: { filtered: direction[1].filtered.result(), raw: direction[1].raw.result() },
    },
    tieRules: { optimistic: metricsOf(ranks.filteredOptimistic), realistic: filtered.result(), pessimistic: metricsOf(ranks.filteredPessimistic) },
    seconds,
    ties: 'mean of optimistic and pessimistic rank',
  };
  if (categories) {
    report.byCategory = Object.fromEntries(
      CATEGORIES.map((c) => [c, toTailAndHead(perCategory.get(c)!)]),
    ) as Record<RelationCategory, TailAndHeadMetrics>;
    if (uncategorizedQueries > 0) report.uncategorizedQueries = uncategorizedQueries;
  }
  if (perRelation) report.byRelation = perRelation.map(toTailAndHead);
  if (options.keepRanks) report.ranks = ranks.filtered;
  return report;
}

/** Metrics of an array of ranks. */
function metricsOf(ranks: Float64Array): LinkPredictionMetrics {
  const metrics = new RankMetrics();
  metrics.addAll(ranks);
  return metrics.result();
}

/** The flat headline object of a report (`--json`, result.json): filtered metrics over both directions, then the details. */
export function evaluationSummary(report: EvaluationReport): SummaryMetrics {
  const f = report.filtered;
  return {
    mrr: f.mrr, 'hits@1': f['hits@1'], 'hits@3': f['hits@3'], 'hits@10': f['hits@10'], mr: f.mr, queries: f.count,
    raw: report.raw, byDirection: report.byDirection, byCategory: report.byCategory,
    ...(report.uncategorizedQueries === undefined ? {} : { uncategorizedQueries: report.uncategorizedQueries }),
    ties: report.ties, tieRules: report.tieRules, evalSeconds: report.seconds,
  };
}
