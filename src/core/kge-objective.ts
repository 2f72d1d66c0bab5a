/**
 * The plain KGE objective, and the one place the core chooses how a model's sampled scores are computed:
 * - `one-to-n` when there are no negatives (all entities, softmax or binary cross-entropy; one-to-n-step.ts);
 * - `fused` when the scorer is the kernels' and the model has a usable fused query program: the whole step in
 *   kernels (fused-negative-step.ts);
 * - otherwise the tfjs tape step (negative-sampling-step.ts) with the scorer the runtime picked: kernels for the
 *   candidates and tfjs for the query side (hybrid), or all tfjs (the reference, and native backends).
 * Distillation objectives that add a KGE hard loss (MulDE's Junior, the KG ports) build it here too.
 */
import type { ModelRuntime, ScoringPath } from './model-runtime.js';
import type { NegativeSamplingSettings } from './batch.js';
import type { TrainingObjective } from './training-objective.js';
import { negativeSamplingGradients } from './negative-sampling-step.js';
import { fusedNegativeSamplingGradients, fusedStepSupports } from './fused-negative-step.js';
import { oneToNGradients, type OneToNLoss } from './one-to-n-step.js';
import { isDifferenceSimilarity } from './similarity-tf.js';

/** Settings of the KGE objective: negative sampling (`negatives: 0` = 1-N), regulariser, scoring path. */
export interface KgeObjectiveSettings extends NegativeSamplingSettings {
  path: ScoringPath;
  /** The loss of 1-N training (default softmax cross-entropy). */
  oneToNLoss?: OneToNLoss;
}

/** The KGE objective of a runtime: negative sampling when `settings.negatives > 0`, else 1-N scoring. */
export function kgeObjective(runtime: ModelRuntime, settings: KgeObjectiveSettings, backend: string): TrainingObjective {
  const { model, store } = runtime;
  if (settings.negatives === 0) {
    if (isDifferenceSimilarity(model.similarity)) {
      throw new Error(`1-N scoring needs a matrix-product similarity; ${model.config.model}'s ${model.similarity} (an L1 distance) has none: train it with sampled negatives`);
    }
    return { scoringPath: 'one-to-n', gradients: (batch) => oneToNGradients(model, store, batch, settings) };
  }
  const scorer = runtime.candidateScorer(settings.path, backend);
  if (scorer.path === 'fused' && fusedStepSupports(model, store)) {
    return { scoringPath: 'fused', gradients: (batch, _epoch, rng) => fusedNegativeSamplingGradients(model, store, batch, settings, rng) };
  }
  return { scoringPath: scorer.path, gradients: (batch, _epoch, rng) => negativeSamplingGradients(model, store, scorer, batch, settings, rng) };
}
