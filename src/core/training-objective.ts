/**
 * What a training step optimises. The trainer owns batching, the optimiser, validation and checkpoints; an
 * objective turns one batch into gradients in the parameter tables. The default is the KGE objective
 * (kge-objective.ts: negative sampling or 1-N); distillation methods bring their own (e.g. MulDE's Junior/Senior
 * objective) and may carry auxiliary parameters with their own optimiser, saved in checkpoints beside the model's.
 */
import type { QueryBatch } from './batch.js';
import type { SeededRandom } from './random.js';

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
  /** Ends what the objective holds once training is over (e.g. the teachers' runtimes and their worker threads). */
  dispose?(): void;
  /**
   * The mean of each term of the loss over the batches since the last call (an objective whose loss has several terms,
   * e.g. MulDE's Junior, Senior and distillation terms), then starts counting afresh; each epoch record keeps them.
   */
  takeLossTerms?(): Record<string, number> | undefined;
  /** The running sums behind `takeLossTerms` (with their batch count), saved with an interrupted epoch's position. */
  lossTermSums?(): Record<string, number>;
  /** Restores what `lossTermSums` saved, so a resumed epoch logs the terms of all its batches; throws on a bad record. */
  restoreLossTermSums?(sums: Readonly<Record<string, number>>, source: string): void;
}
