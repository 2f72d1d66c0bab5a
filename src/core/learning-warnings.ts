/**
 * The warnings of a run that trained without error but did not learn: a loss that has not moved, or a best validation
 * MRR no better than a random ranking of the entities (e.g. parameters saturated by a far too large learning rate:
 * every score tied, or the gold always last, while every number stays finite).
 */
import type { Progress } from './checkpoint-progress.js';

/** The loss range below which a run is said not to have learnt: (max − min) ≤ FLAT_LOSS · max(|first|, 1e-12). */
export const FLAT_LOSS = 1e-4;

/** A best validation MRR at most this many times a random ranking's is said to be at chance level. */
export const CHANCE_FACTOR = 1.25;

/** The expected MRR of a uniformly random ranking of n entities, H_n / n (the filtered MRR of a model that learnt nothing, about). */
export function randomRankingMrr(n: number): number {
  let harmonic = 0;
  for (let k = 1; k <= n; k++) harmonic += 1 / k;
  return harmonic / n;
}

/** The run's warnings: a loss that has not moved over two or more epochs; a best validation MRR at chance level. */
export function learningWarnings(progress: Progress, numEntities: number): string[] {
  const warnings: string[] = [];
  const l = progress.loss;
  if (l && progress.epoch >= 2 && l.max - l.min <= FLAT_LOSS * Math.max(Math.abs(l.first), 1e-12)) {
    warnings.push(`the training loss did not move in ${progress.epoch} epochs (${l.first.toPrecision(6)}, range ${(l.max - l.min).toExponential(2)}): the model did not learn — is the learning rate too high or too low?`);
  }
  const chance = randomRankingMrr(numEntities);
  if (progress.bestMrr >= 0 && progress.bestMrr <= CHANCE_FACTOR * chance) {
    warnings.push(`the best validation MRR, ${progress.bestMrr.toFixed(4)} (epoch ${progress.bestEpoch}), is at chance level (a random ranking of ${numEntities} entities scores ${chance.toFixed(4)}): the model did not learn — is the learning rate far too high, or too low?`);
  }
  return warnings;
}
