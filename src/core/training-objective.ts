/**
 * What a training step optimises. The trainer owns batching, the optimiser, validation and checkpoints; an
 * objective turns one batch into gradients in the parameter tables. The default is the KGE objective
 * (negative sampling or 1-N); distillation methods bring their own (e.g. MulDE's Junior/Senior objective) and
 * may carry auxiliary parameters with their own optimiser, saved in checkpoints beside the model's.
 */
import type { ModelRuntime } from './model-runtime.js';
import type { QueryBatch } from './negative-sampling-step.js';
import { negativeSamplingGradients } from './negative-sampling-step.js';
import { oneToNGradients } from './one-to-n-step.js';
import type { SeededRandom } from './random.js';
import type { TrainingConfig } from './training-config.js';
import type { RegularizerName } from './losses.js';

/** The scoring a run used: sampled candidates through the fused kernels or tfjs, or 1-N against all entities. */
export type ScoringPathUsed = 'fused' | 'tfjs' | 'one-to-n';

/** One training objective. */
export interface TrainingObjective {
  /** How the objective scores (reported in results): sampled candidates fused or in tfjs, or all entities (1-N). */
  readonly scoringPath: ScoringPathUsed;
  /** Accumulates the gradients of a batch into the model's tables and returns the batch loss. */
  gradients(batch: QueryBatch, epoch: number, rng: SeededRandom): number;
  /** Runs after the model's optimiser step (e.g. an auxiliary optimiser). */
  afterStep?(): void;
  /** Auxiliary arrays to checkpoint (parameters and optimiser state), by name. */
  checkpointArrays?(): Record<string, Float32Array>;
  /** Restores what `checkpointArrays` saved. */
  restoreArrays?(arrays: Record<string, Float32Array>, source: string): void;
}

/** The plain KGE objective: negative sampling when `config.negatives > 0`, else 1-N scoring. */
export function kgeObjective(runtime: ModelRuntime, config: TrainingConfig, backend: string): TrainingObjective {
  const scorer = runtime.candidateScorer(config.path, backend);
  const regularizer = config.regularizer as RegularizerName;
  const settings = { negatives: config.negatives, doubleNegatives: config.doubleNegatives, regularizer, regularizerWeight: config.regularizerWeight };
  return {
    scoringPath: config.negatives > 0 ? scorer.path : 'one-to-n',
    gradients: (batch, _epoch, rng) => config.negatives > 0
      ? negativeSamplingGradients(runtime.model, runtime.store, scorer, batch, settings, rng)
      : oneToNGradients(runtime.model, runtime.store, batch, settings),
  };
}
