/**
 * Epochs of KGE training outside the core's Trainer, for runs that are not one model's run: a federated client's
 * local epochs and CBD's balanced-sampled student. The step is the core's (an objective's gradients, then the
 * TableOptimizer), over shuffled batches (instance sampling) or batches from an EntityBalancedSampler with as many
 * steps per epoch as an instance epoch. No validation or checkpoints: the callers evaluate at their own points.
 */
import type { QueryBatch } from '../../core/negative-sampling-step.js';
import type { TableOptimizer } from '../../core/optimizers.js';
import type { SeededRandom } from '../../core/random.js';
import type { TrainingObjective } from '../../core/training-objective.js';
import { selectQueries, type EntityBalancedSampler } from './entity-balanced-sampler.js';

/** How an epoch's batches are drawn: a shuffled pass (instance) or draws with replacement from a sampler. */
export type QuerySampling = { kind: 'instance' } | { kind: 'balanced'; sampler: EntityBalancedSampler };

/** The batches of one epoch over `queries`. */
export function* epochQueryBatches(queries: QueryBatch, batchSize: number, sampling: QuerySampling, rng: SeededRandom): Generator<QueryBatch> {
  const total = queries.entities.length;
  const steps = Math.ceil(total / batchSize);
  const order = sampling.kind === 'instance' ? rng.permutation(total) : undefined;
  for (let step = 0; step < steps; step++) {
    const size = Math.min(batchSize, total - step * batchSize);
    if (order) yield selectQueries(queries, order.slice(step * batchSize, step * batchSize + size));
    else if (sampling.kind === 'balanced') yield sampling.sampler.batch(queries, size, rng);
  }
}

/** Trains `epochs` epochs; returns the mean batch loss of each epoch. */
export function trainQueryEpochs(objective: TrainingObjective, optimizer: TableOptimizer, queries: QueryBatch, batchSize: number,
  epochs: number, sampling: QuerySampling, rng: SeededRandom): number[] {
  const losses: number[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    let sum = 0;
    let steps = 0;
    for (const batch of epochQueryBatches(queries, batchSize, sampling, rng)) {
      const loss = objective.gradients(batch, epoch, rng);
      if (!Number.isFinite(loss)) throw new Error(`training diverged: loss is ${loss} at epoch ${epoch} (lower the learning rate?)`);
      optimizer.step();
      objective.afterStep?.();
      sum += loss;
      steps++;
    }
    losses.push(sum / Math.max(1, steps));
  }
  return losses;
}
