/** Times training steps of a model on a dataset through the core, as the trainer runs them. */
import type { RunData } from '../src/core/training-data.js';
import { ModelRuntime } from '../src/core/model-runtime.js';
import { TableOptimizer, type OptimizerName } from '../src/core/optimizers.js';
import { kgeObjective } from '../src/core/kge-objective.js';
import { trainingQueries } from '../src/core/batch.js';
import { SeededRandom } from '../src/core/random.js';
import { createModel } from '../src/registry/models.js';
import type { SampledLoss } from '../src/core/losses.js';
import type { OneToNLoss } from '../src/core/one-to-n-step.js';

/** What to time. */
export interface StepSetup {
  model: string;
  dim: number;
  batchSize: number;
  /** 0 = 1-N scoring. */
  negatives: number;
  doubleNegatives?: boolean;
  optimizer: OptimizerName;
  path: 'fused' | 'tfjs';
  /** The sampled loss (default BCE). */
  loss?: SampledLoss;
  /** The 1-N loss (default softmax cross-entropy). */
  oneToNLoss?: OneToNLoss;
}

/** Median and minimum milliseconds per step over `steps` steps after `warmup` steps. */
export async function timeSteps(data: RunData, setup: StepSetup, backend: string, steps = 30, warmup = 5): Promise<{ medianMs: number; minMs: number }> {
  const runtime = await ModelRuntime.create(createModel(setup.model, { dim: setup.dim, numEntities: data.numEntities, numRelations: data.numRelations }), 0);
  const optimizer = new TableOptimizer(setup.optimizer, 0.01, runtime.store, runtime.kernels);
  const objective = kgeObjective(runtime, { negatives: setup.negatives, doubleNegatives: Boolean(setup.doubleNegatives), regularizer: 'none', regularizerWeight: 0, path: setup.path, ...(setup.loss ? { loss: setup.loss } : {}),
    ...(setup.oneToNLoss ? { oneToNLoss: setup.oneToNLoss } : {}) }, backend);
  const queries = trainingQueries(data.train, data.numRelations);
  const rng = new SeededRandom(1);
  const times: number[] = [];
  for (let i = 0; i < warmup + steps; i++) {
    const start = (i * setup.batchSize) % (queries.entities.length - setup.batchSize);
    const batch = {
      entities: queries.entities.subarray(start, start + setup.batchSize),
      relations: queries.relations.subarray(start, start + setup.batchSize),
      answers: queries.answers.subarray(start, start + setup.batchSize),
    };
    const t0 = performance.now();
    objective.gradients(batch, 1, rng);
    optimizer.step();
    if (i >= warmup) times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(times.length / 2)]!, minMs: times[0]! };
}
