/** Evaluating a model runtime on a split of its run data, with relation-category breakdowns. */
import { evaluateLinkPrediction, type EvaluationReport } from '../eval/evaluate.js';
import { relationCategories } from '../kg/relation-categories.js';
import type { ModelRuntime } from './model-runtime.js';
import type { RunData } from './training-data.js';

/** Filtered evaluation of `split` (both directions, categories from the training triples). */
export async function evaluateSplit(runtime: ModelRuntime, data: RunData, split: 'valid' | 'test',
  onProgress?: (done: number, total: number) => void): Promise<EvaluationReport> {
  const scorer = runtime.entityScorer();
  try {
    return await evaluateLinkPrediction(scorer, data[split], data.numRelations, data.known, {
      categories: relationCategories(data.train, data.numRelations),
      onProgress,
    });
  } finally {
    scorer.dispose();
  }
}
