/**
 * Filtered link-prediction evaluation: ranks, metrics and the batched evaluation loop.
 */
export type { AllEntityScorer } from '../core/all-entity-scorer.js';
export { filteredRanks, type KnownAnswers, type RankOutput } from './ranks.js';
export { RankMetrics, type LinkPredictionMetrics } from './metrics.js';
export {
  evaluateLinkPrediction,
  defaultBatchSize,
  MAX_BATCH_SCORES,
  type EvaluationOptions,
  type EvaluationReport,
  type FilteredAndRawMetrics,
  type TailAndHeadMetrics,
} from './evaluate.js';
