/**
 * Filtered link-prediction MRR by how often the gold answer was seen in training — the KG analogue of many/
 * medium/few-shot accuracy (Liu et al. 2019, as CBD reports it, Iscen et al. 2021 §4). Every test triple gives a
 * tail and a head query (both directions, as the core's evaluation); a query's bucket is the training frequency
 * f(a) of its answer a, the number of training queries (both directions) whose answer is a, which is a's degree
 * in the training graph. Buckets are fixed by thresholds: unseen (f = 0), rare (1 ≤ f ≤ rareMax), frequent
 * (f ≥ frequentMin) and medium in between. Ranks are the core's (filtered, ties averaged).
 */
import type { KnownAnswers } from '../../../eval/ranks.js';
import { RankMetrics } from '../../../eval/metrics.js';
import { evaluateLinkPrediction } from '../../../eval/evaluate.js';
import { evaluationQueries } from '../../../eval/queries.js';
import type { ModelRuntime } from '../../../core/model-runtime.js';
import type { Triples } from '../../../kg/types.js';

/** The bucket names, rarest first. */
export const FREQUENCY_BUCKETS = ['unseen', 'rare', 'medium', 'frequent'] as const;

/** A bucket of answer frequency. */
export type FrequencyBucket = (typeof FREQUENCY_BUCKETS)[number];

/** Thresholds: rare is 1 ≤ f ≤ rareMax, frequent is f ≥ frequentMin, medium in between. */
export interface BucketThresholds { rareMax: number; frequentMin: number }

/** WN18RR's defaults: rare f ≤ 2, frequent f ≥ 11 (≈ 30% / 45% / 25% of its test queries rare / medium / frequent). */
export const DEFAULT_THRESHOLDS: BucketThresholds = { rareMax: 2, frequentMin: 11 };

/** The bucket of an answer seen `f` times in training. */
export function bucketOf(f: number, t: BucketThresholds = DEFAULT_THRESHOLDS): FrequencyBucket {
  if (f === 0) return 'unseen';
  if (f <= t.rareMax) return 'rare';
  return f >= t.frequentMin ? 'frequent' : 'medium';
}

/** Filtered MRR overall and per bucket, with the number of queries in each. */
export interface BucketedMrr {
  all: number;
  buckets: Record<FrequencyBucket, { mrr: number; count: number }>;
}

/** Ranks both directions of every triple with the model's all-entity scorer and summarises MRR by answer frequency. */
export async function bucketedMrr(runtime: ModelRuntime, triples: Triples, numRelations: number, known: KnownAnswers, frequency: Int32Array,
  thresholds: BucketThresholds = DEFAULT_THRESHOLDS): Promise<BucketedMrr> {
  const scorer = runtime.entityScorer();
  try {
    const ranks = (await evaluateLinkPrediction(scorer, triples, numRelations, known, { keepRanks: true })).ranks!;
    const { gold } = evaluationQueries(triples, numRelations, 0, ranks.length);
    const all = new RankMetrics();
    const byBucket = Object.fromEntries(FREQUENCY_BUCKETS.map((b) => [b, new RankMetrics()])) as Record<FrequencyBucket, RankMetrics>;
    ranks.forEach((rank, q) => {
      all.add(rank);
      byBucket[bucketOf(frequency[gold[q]!]!, thresholds)].add(rank);
    });
    const buckets = Object.fromEntries(FREQUENCY_BUCKETS.map((b) => {
      const r = byBucket[b].result();
      return [b, { mrr: r.mrr, count: r.count }];
    })) as BucketedMrr['buckets'];
    return { all: all.result().mrr, buckets };
  } finally {
    scorer.dispose();
  }
}
