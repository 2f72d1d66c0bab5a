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
import { maxEntitiesOf, requireKernelMemory, requireTrainingMemory, runScratchBytesOf, type ValidationKind } from '../core/memory-budget.js';
import { TOP_K_REFRESH_QUERIES, type StepShape } from '../core/step-memory.js';
import { kernelThreads } from '../kernels/kernel-worker.js';
import type { SplitName } from '../kg/types.js';

/** The options of a distillation that size its steps (absent from a `train` run's settings). */
interface DistillSizes {
  topK?: number;
  teachers?: readonly string[];
  refreshEvery?: number;
}

/** The counts of a run's data that size its memory: training queries (two a train triple), entities, relations. */
interface DataCounts {
  trainingQueries: number;
  numEntities: number;
  numRelations: number;
}

/** The counts of loaded run data. */
function countsOf(data: RunData): DataCounts {
  // every triple gives a tail and a head query (batch.ts trainingQueries)
  return { trainingQueries: 2 * (data.train.length / 3), numEntities: data.numEntities, numRelations: data.numRelations };
}

/** The shape of one training step of this run (see StepShape). */
export function stepShapeOf(config: TrainingConfig, data: RunData, settings: DistillSizes): StepShape {
  return stepShapeAt(config, countsOf(data), settings);
}

/** The shape of one training step of a run with these counts. */
function stepShapeAt(config: TrainingConfig, data: DataCounts, settings: DistillSizes): StepShape {
  const queries = Math.min(config.batchSize, data.trainingQueries);
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
  requireMemoryAt(model, config, countsOf(data), settings, backend, name, validationOf(data, settings));
}

/** How the run validates: run-job.ts validates on sampled candidates with evalCandidates, against every entity without, not at all without a valid split. */
function validationOf(data: RunData, settings: object): ValidationKind {
  return data.valid.length === 0 ? 'none' : validationKindOf(settings);
}

/** How a run with these settings validates when its valid split has a triple. */
function validationKindOf(settings: object): ValidationKind {
  return (settings as { evalCandidates?: number }).evalCandidates !== undefined ? 'sampled' : 'full';
}

/**
 * The kernel memory this run's steps and validation need beside its tables and optimiser state (memory-budget.ts
 * runScratchBytesOf), which the trainer's optimiser keeps free (optimizers.ts optimizerStateHome); 0 on a native
 * backend, whose steps run in tfjs.
 */
export function runKernelBytesOf(model: KgeModel, config: TrainingConfig, data: RunData, settings: object, backend: string): number {
  if (hasNativeGatherGradient(backend)) return 0;
  return runScratchBytesOf(model, stepShapeOf(config, data, settings as DistillSizes), validationOf(data, settings));
}

/** {@link requireRunMemory} for data of these counts, validated as `validation` says. */
function requireMemoryAt(model: KgeModel, config: TrainingConfig, data: DataCounts, settings: object, backend: string, name: (key: string) => string,
  validation: ValidationKind): void {
  requireKernelMemory(model.config.model, model.tables, data.numEntities, data.numRelations, config.optimizer as OptimizerName);
  if (hasNativeGatherGradient(backend)) return;
  requireTrainingMemory({ model, batchSize: config.batchSize, name, validation }, stepShapeAt(config, data, settings as DistillSizes)); // a train run has no DistillSizes
}

/** What sizes a run's memory before its data is loaded: the model (its tables' widths), the training config, the settings, the backend and how options are named. */
export interface MemoryPlan {
  model: KgeModel;
  config: TrainingConfig;
  settings: object;
  backend: string;
  name: (key: string) => string;
}

/**
 * The most entities the data of this run may name (loadDataset's `maxEntities`: train's names, and under `--unseen
 * keep` those valid and test add), and the lower bound once the valid split has a triple (`maxEntitiesWithValid`, the
 * scoring of the run's validation counted): sized for full batches (memory-budget.ts `maxEntitiesOf`). Never below
 * batch size − 1: once a train split names as many entities as a batch has queries, it has at least that many
 * training queries (a triple names two entities at most, and gives two queries), so every step takes the full batch,
 * and past the bound the memory checks of `requireRunMemory` refuse the run whatever the rest of the data. A bound
 * passed in valid or test, after a train split of fewer queries than a batch, may not be: load-within-memory.ts checks.
 */
export function entityLimitOf(plan: MemoryPlan): EntityLimits {
  const { model, config, settings, backend } = plan;
  const shapeAt = (numEntities: number): StepShape => stepShapeAt(config, { trainingQueries: Infinity, numEntities, numRelations: 0 }, settings as DistillSizes);
  const tablesOnly = hasNativeGatherGradient(backend);
  const most = (validation: ValidationKind): number => Math.max(maxEntitiesOf(model, shapeAt, tablesOnly, validation), config.batchSize - 1);
  return { maxEntities: most('none'), maxEntitiesWithValid: most(validationKindOf(settings)) };
}

/** loadDataset's bounds of a run: without validation, and once the valid split has a triple (its scoring counted). */
export interface EntityLimits {
  maxEntities: number;
  maxEntitiesWithValid: number;
}

/**
 * Where the data passed {@link entityLimitOf}'s count (`limit`): the file and line, the entities and relations named
 * by then, and the split being read (train when absent; valid and test are bounded under `--unseen keep`).
 */
export interface EntityLimitCrossing {
  file: string;
  line: number;
  entities: number;
  relations: number;
  limit: number;
  split?: SplitName;
  /** The entities the train split named, when the count was passed in valid or test (train was read whole before them). */
  trainEntities?: number;
  /** Whether the valid split was known to have a triple (the run validates: its scoring is counted). */
  withValid?: boolean;
}

/**
 * The error of a run whose data passed {@link entityLimitOf}'s count while loading: the memory check's own message for
 * the data read so far (at least what the whole would need), after the file and line where the count was passed.
 * Undefined when the whole might still fit, which with entityLimitOf's own bounds only a valid or test split can bring
 * (they are sized for full batches, and a train split smaller than one batch steps with fewer queries), and a train
 * crossing only under a caller's lower `limit`: the caller loads without the bound.
 */
export function entityLimitRefusal(plan: MemoryPlan, at: EntityLimitCrossing): Error | undefined {
  const { model, config, settings, backend, name } = plan;
  // a train split has at least as many training queries as entities it names (entityLimitOf): a lower bound, which at
  // worst lets a run through to a second, unbounded load; valid and test add no queries
  const split = at.split ?? 'train';
  const trainingQueries = split === 'train' ? at.entities : at.trainEntities ?? 0;
  const counts: DataCounts = { trainingQueries, numEntities: at.entities, numRelations: at.relations };
  const validation = at.withValid === true ? validationKindOf(settings) : 'none'; // the valid split has a triple: the run validates
  if (split !== 'train') {
    // a smaller step's real check need not refuse every count above one it refuses (1-N's loss group shrinks as the
    // entities grow): refuse only past the bound of this step, whose figure never falls (maxEntitiesOf)
    const shapeAt = (numEntities: number): StepShape => stepShapeAt(config, { ...counts, numEntities }, settings as DistillSizes);
    if (at.entities <= maxEntitiesOf(model, shapeAt, hasNativeGatherGradient(backend), validation)) return undefined;
  }
  const count = (n: number): string => n.toLocaleString('en-US');
  const added = split === 'valid' ? 'valid adds' : 'valid and test add';
  const named = split === 'train' ? 'the train split names' : `with the entities ${added} (${name('unseen')} keep), the splits name`;
  const where = `${at.file}:${at.line}: ${named} ${count(at.entities)} entities by this line, more than the ${count(at.limit)} this run can hold ` +
    `(${count(at.relations)} relations so far; loading stopped, nothing was written)`;
  try {
    requireMemoryAt(model, config, counts, settings, backend, name, validation);
  } catch (error) {
    return new Error(`${where}: ${(error as Error).message}`, { cause: error });
  }
  return undefined; // these counts fit: a train crossing below entityLimitOf's bound (a caller's own limit)
}
