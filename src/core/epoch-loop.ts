/**
 * The one KG epoch loop: batches of training queries (a shuffled pass, or draws from a sampler), an objective's
 * gradients, the optimiser step, the objective's own step after it. The Trainer runs it between validations; runs
 * that are not one model's run (a federated client's local epochs, a balanced-sampled student) run it alone.
 */
import { epochBatches, type BatchSampling, type QueryBatch } from './batch.js';
import type { TableOptimizer } from './optimizers.js';
import type { SeededRandom } from './random.js';
import type { TrainingObjective } from './training-objective.js';

/** What one epoch trains with. */
export interface EpochSetup {
  objective: TrainingObjective;
  optimizer: TableOptimizer;
  queries: QueryBatch;
  batchSize: number;
  sampling: BatchSampling;
}

/** Trains epoch `epoch` and returns the mean batch loss; a non-finite loss stops with an error naming the step. */
export function trainEpoch(setup: EpochSetup, epoch: number, rng: SeededRandom, onStep?: (step: number, steps: number, loss: number) => void): number {
  const steps = Math.ceil(setup.queries.entities.length / setup.batchSize);
  let sum = 0;
  let step = 0;
  for (const batch of epochBatches(setup.queries, setup.batchSize, setup.sampling, rng)) {
    step++;
    const loss = setup.objective.gradients(batch, epoch, rng);
    if (!Number.isFinite(loss)) throw new Error(`training diverged: loss is ${loss} at epoch ${epoch}, step ${step} (lower the learning rate?)`);
    setup.optimizer.step();
    setup.objective.afterStep?.();
    sum += loss;
    onStep?.(step, steps, loss);
  }
  return sum / Math.max(1, step);
}

/** Trains `epochs` epochs (numbered from 1) and returns each epoch's mean batch loss. */
export function trainEpochs(setup: EpochSetup, epochs: number, rng: SeededRandom): number[] {
  const losses: number[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) losses.push(trainEpoch(setup, epoch, rng));
  return losses;
}
