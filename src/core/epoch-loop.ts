/**
 * The one KG epoch loop: batches of training queries (a shuffled pass, or draws from a sampler), an objective's
 * gradients, the optimiser step, the objective's own step after it. The Trainer runs it between validations; runs
 * that are not one model's run (a federated client's local epochs, a balanced-sampled student) run it alone.
 */
import { epochBatches, type BatchSampling, type EpochPosition, type QueryBatch } from './batch.js';
import type { TableOptimizer } from './optimizers.js';
import type { SeededRandom } from './random.js';
import type { TrainingObjective } from './training-objective.js';
import { SLICE_MS, SliceClock, yieldToEventLoop } from './event-loop.js';
import { TrainingDivergedError } from './training-diverged.js';

/** What one epoch trains with. */
export interface EpochSetup {
  objective: TrainingObjective;
  optimizer: TableOptimizer;
  queries: QueryBatch;
  batchSize: number;
  sampling: BatchSampling;
}

/** How an epoch may be resumed or stopped part-way. */
export interface EpochControl {
  /** Resume an interrupted epoch at this position, with the loss summed over its steps so far. */
  from?: EpochPosition & { lossSum: number };
  /** Checked after every step: true stops the epoch there (e.g. Ctrl-C). */
  shouldStop?: () => boolean;
  onStep?: (step: number, steps: number, loss: number) => void;
}

/** The outcome of an epoch: its mean batch loss, or where it stopped when stopped part-way. */
export interface EpochOutcome {
  loss: number;
  steps: number;
  /** Set when the epoch stopped before its end: where to resume it. */
  stoppedAt?: EpochPosition & { lossSum: number };
}

/** Trains epoch `epoch`; a non-finite loss stops with an error naming the step. */
export function trainEpoch(setup: EpochSetup, epoch: number, rng: SeededRandom, control: EpochControl = {}): EpochOutcome {
  const steps = Math.ceil(setup.queries.entities.length / setup.batchSize);
  let sum = control.from?.lossSum ?? 0;
  const position: EpochPosition = { step: 0 };
  for (const batch of epochBatches(setup.queries, setup.batchSize, setup.sampling, rng, control.from, position)) {
    const step = position.step + 1;
    const loss = setup.objective.gradients(batch, epoch, rng);
    if (!Number.isFinite(loss)) throw new TrainingDivergedError(`: loss is ${loss} at epoch ${epoch}, step ${step}`, ': start a new run with a lower learning rate (a resumed run keeps its own)');
    setup.optimizer.step();
    setup.objective.afterStep?.();
    sum += loss;
    control.onStep?.(step, steps, loss);
    if (step < steps && control.shouldStop?.()) return { loss: sum / step, steps, stoppedAt: { order: position.order, step, lossSum: sum } };
  }
  return { loss: sum / Math.max(1, steps), steps };
}

/**
 * trainEpoch in slices of about `sliceMs`, returning to the event loop between them, so that a stop request set by a
 * signal handler or a message (Ctrl-C, the explorer's stop button) is seen after the step it arrives in rather than
 * at the end of the epoch. The slices train exactly what one call would: each goes on from where the last stopped,
 * with the same permutation and the same random stream.
 */
export async function trainEpochInSlices(setup: EpochSetup, epoch: number, rng: SeededRandom, control: EpochControl = {}, sliceMs = SLICE_MS): Promise<EpochOutcome> {
  let from = control.from;
  let stopAsked = false;
  const asked = (): boolean => (stopAsked ||= control.shouldStop?.() === true); // once asked, asked: polled once a step as trainEpoch does
  for (;;) {
    const slice = new SliceClock(sliceMs);
    const outcome = trainEpoch(setup, epoch, rng, { from, onStep: control.onStep, shouldStop: () => asked() || slice.due() });
    if (!outcome.stoppedAt || stopAsked) return outcome;
    from = outcome.stoppedAt;
    await yieldToEventLoop();
    if (asked()) return outcome; // asked while the event loop ran: stop where the slice ended
  }
}

/** Trains `epochs` epochs (numbered from 1) and returns each epoch's mean batch loss. */
export function trainEpochs(setup: EpochSetup, epochs: number, rng: SeededRandom): number[] {
  const losses: number[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) losses.push(trainEpoch(setup, epoch, rng).loss);
  return losses;
}
