/** Evaluating a model runtime on a split of its run data, with relation-category breakdowns; the run's validator. */
import { evaluateLinkPrediction, type EvaluationReport } from './evaluate.js';
import { relationCategories } from '../kg/relation-categories.js';
import type { ModelRuntime } from '../core/model-runtime.js';
import type { RunData } from '../core/training-data.js';
import type { ValidationMetrics, Validator } from '../core/trainer.js';
import type { LinkPredictionMetrics } from './metrics.js';
import type { KnownAnswers } from './ranks.js';
import type { Triples } from '../kg/types.js';
import { evaluateSampledAsync } from './sampled-evaluation.js';

/** Filtered evaluation of `split` (both directions, categories from the training triples; per relation with `byRelation`). */
export async function evaluateSplit(runtime: ModelRuntime, data: RunData, split: 'valid' | 'test',
  onProgress?: (done: number, total: number) => void, byRelation = false): Promise<EvaluationReport> {
  const scorer = runtime.entityScorer();
  try {
    return await evaluateLinkPrediction(scorer, data[split], data.numRelations, data.known, {
      categories: relationCategories(data.train, data.numRelations),
      onProgress,
      byRelation,
    });
  } finally {
    scorer.dispose();
  }
}

/** What a validator reports of an evaluation's metrics. */
function validationMetrics(f: LinkPredictionMetrics, seconds: number): ValidationMetrics {
  return { mrr: f.mrr, 'hits@1': f['hits@1'], 'hits@3': f['hits@3'], 'hits@10': f['hits@10'], mr: f.mr, seconds };
}

/**
 * The usual validator of a run: filtered metrics of the valid split over both directions (MRR is the early-stopping
 * criterion), `batchSize` queries per scoring call (default: evaluate.ts's memory bound).
 */
export function filteredValidator(data: { valid: Triples; known: KnownAnswers; numRelations: number }, batchSize?: number): Validator {
  return async (runtime, onProgress) => {
    const scorer = runtime.entityScorer();
    try {
      const report = await evaluateLinkPrediction(scorer, data.valid, data.numRelations, data.known, { batchSize, onProgress });
      return validationMetrics(report.filtered, report.seconds);
    } finally {
      scorer.dispose();
    }
  };
}

/**
 * The validator of a run on a large graph: sampled metrics of the valid split (each query against its gold answer and
 * `candidates` fixed filtered candidates, OGB-style; sampled-evaluation.ts), MRR as the early-stopping criterion.
 */
export function sampledValidator(data: { valid: Triples; known: KnownAnswers; numRelations: number }, candidates: number, seed: number, backend: string): Validator {
  return async (runtime, onProgress) => {
    const report = await evaluateSampledAsync(runtime, data.valid, data.numRelations, data.known, { candidates, seed, backend, onProgress });
    return { ...validationMetrics(report.filtered, report.seconds), candidates };
  };
}
