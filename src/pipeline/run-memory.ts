/**
 * The kernel memory a training job will need, checked before anything of the run is written: the model's tables and
 * gradients (memory-budget.ts), the optimiser state beside them, and one step's scratch as this run's options shape it
 * (core/step-memory.ts): batch size, negatives, dimension, 1-N or sampled, and for `distill` the top-K and teachers.
 */
import type { KgeModel } from '../core/model.js';
import type { RunData } from '../core/training-data.js';
import type { TrainingConfig } from '../core/training-config.js';
import type { OptimizerName } from '../core/optimizers.js';
import { hasNativeGatherGradient } from '../core/backend.js';
import { requireKernelMemory, requireTrainingMemory } from '../core/memory-budget.js';
import { TOP_K_REFRESH_QUERIES, type StepShape } from '../core/step-memory.js';
import { kernelThreads } from '../kernels/kernel-worker.js';

/** The options of a distillation that size its steps (absent from a `train` run's settings). */
interface DistillSizes {
  topK?: number;
  teachers?: readonly string[];
  refreshEvery?: number;
}

/** The shape of one training step of this run (see StepShape). */
export function stepShapeOf(config: TrainingConfig, data: RunData, settings: DistillSizes): StepShape {
  const trainingQueries = 2 * (data.train.length / 3); // every triple gives a tail and a head query (batch.ts trainingQueries)
  const queries = Math.min(config.batchSize, trainingQueries);
  const shape: StepShape = {
    queries, negatives: config.negatives, doubleNegatives: config.doubleNegatives, weighted: config.queryWeights === 'subsampling' && config.negatives > 0,
    optimizer: config.optimizer as OptimizerName, loss: config.loss, numEntities: data.numEntities, numRelations: data.numRelations, threads: kernelThreads(),
  };
  if (settings.topK === undefined || settings.teachers === undefined) return shape;
  const k = Math.min(settings.topK, data.numEntities); // train.ts clamps K to the entities
  const rankedPerCall = (settings.refreshEvery ?? 0) > 0 ? TOP_K_REFRESH_QUERIES : queries; // a cache refresh ranks in chunks
  return { ...shape, topK: { k, queries: rankedPerCall, teachers: settings.teachers.length } };
}

/**
 * Throws, naming the options (`name`), when the model and one step of this run cannot fit one kernel memory. A native
 * backend trains through tfjs: only its tables are counted there.
 */
export function requireRunMemory(model: KgeModel, config: TrainingConfig, data: RunData, settings: object, backend: string, name: (key: string) => string): void {
  requireKernelMemory(model.config.model, model.tables, data.numEntities, data.numRelations, config.optimizer as OptimizerName);
  if (hasNativeGatherGradient(backend)) return;
  // run-job.ts validates on sampled candidates with evalCandidates, against every entity without, not at all without a valid split
  const validation = data.valid.length === 0 ? 'none' : (settings as { evalCandidates?: number }).evalCandidates !== undefined ? 'sampled' : 'full';
  requireTrainingMemory({ model, batchSize: config.batchSize, name, validation }, stepShapeOf(config, data, settings as DistillSizes)); // a train run has no DistillSizes
}
