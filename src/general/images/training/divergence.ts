/**
 * The divergence guard of every training step on the images: the one place that decides a step has diverged and
 * says so. Both optimisers of the image methods end their steps here, tfjs's Adam (`minimizeStep` in
 * `supervised.ts`) and the federated clients' momentum SGD (`federated/sgd.ts`). Each step hands over its loss (computed
 * before the update) and the sum of its parameters after the update (NaN propagates through a sum, and an
 * overflow to ±Infinity shows there too), both read in the one synchronisation the step already makes. A
 * non-finite value stops the run with a {@link TrainingDivergedError} naming where (what trains, epoch or round,
 * step), the loss and the option that sets the step's learning rate, instead of reporting the NaN network's chance
 * accuracy. The runner (`runner.ts`) adds the method, the seed, which run (baseline or method) and the option's value.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Where a training step is. */
export interface StepPlace {
  /** What trains at this step, a noun phrase: 'the student (cross-entropy)', 'peer 2', 'client 4/10 in round 3', … */
  readonly phase: string;
  /** The epoch (or what `unit` counts), from 1; none for a loop of plain steps (a probe). */
  readonly epoch?: number;
  /** The step within it, from 1. */
  readonly step: number;
  /** What `epoch` counts: 'epoch' when not given ('local epoch', 'frame'). */
  readonly unit?: string;
  /** The `--param` key that sets this step's learning rate (federated `lr`, stream `onlineLr`); `--lr` when not given. */
  readonly rateParam?: string;
  /** The advice when the cause is not this step's rate (a probe on a diverged encoder); replaces "lower <option>". */
  readonly advice?: string;
}

/** The option that sets a step's learning rate: `--lr`, or `--param <key>` for a rate its method's parameters set. */
function rateOption(rateParam?: string): string {
  return rateParam === undefined ? '--lr' : `--param ${rateParam}`;
}

/** "epoch 2, step 7 of the student (cross-entropy)". */
export function describePlace(place: StepPlace): string {
  return `${place.epoch === undefined ? '' : `${place.unit ?? 'epoch'} ${place.epoch}, `}step ${place.step} of ${place.phase}`;
}

/** What a diverged step found. */
function stepFinding(loss: number, parameters: number): string {
  if (!Number.isFinite(loss)) return `the loss is ${loss}`;
  return `the loss was ${loss} but the update left non-finite parameters (their sum is ${parameters})`;
}

/**
 * A training step that produced a non-finite loss or non-finite parameters, or a trained network whose outputs
 * are not finite (its last update diverged, with nothing after it to take a loss from).
 */
export class TrainingDivergedError extends Error {
  /**
   * @param where "epoch 1, step 2 of the student (cross-entropy)"
   * @param found "the loss is NaN"
   * @param rateParam the `--param` key of the learning rate that applies (`--lr` when undefined)
   * @param advice replaces "run again with a lower <option>" when the cause is elsewhere
   */
  constructor(readonly where: string, readonly found: string, readonly rateParam?: string, readonly advice?: string) {
    super(TrainingDivergedError.text(where, found, rateParam, advice));
    this.name = 'TrainingDivergedError';
  }

  /** The divergence of a step. */
  static atStep(place: StepPlace, loss: number, parameters: number): TrainingDivergedError {
    return new TrainingDivergedError(describePlace(place), stepFinding(loss, parameters), place.rateParam, place.advice);
  }

  /** The message; `run` names the method, seed and run, and `rate` is the value of the rate option, when known. */
  static text(where: string, found: string, rateParam?: string, advice?: string, run?: string, rate?: unknown): string {
    const what = advice ?? `run again with a lower ${rateOption(rateParam)}${rate === undefined ? '' : ` (it was ${String(rate)})`}`;
    return `${run ? `${run}: ` : ''}training diverged at ${where}: ${found}. Nothing is reported; ${what}.`;
  }

  /**
   * The same error told the run it happened in (method, seed, baseline or method), the rate option when the error
   * does not name one (a method whose optimiser is set by `--param lr`) and the option's value.
   */
  inRun(run: string, rateOf: (rateParam: string | undefined) => { rateParam?: string; rate?: unknown }): TrainingDivergedError {
    const { rateParam, rate } = rateOf(this.rateParam);
    const error = new TrainingDivergedError(this.where, this.found, rateParam, this.advice);
    error.message = TrainingDivergedError.text(this.where, this.found, rateParam, this.advice, run, rate);
    return error;
  }
}

/** The sum of every parameter (a scalar; non-finite as soon as one parameter is, or the values overflow). */
export function parameterSum(variables: readonly tf.Variable[]): tf.Scalar {
  return tf.tidy(() => tf.addN(variables.map((v) => tf.sum(v))) as tf.Scalar);
}

/** The guard: throws {@link TrainingDivergedError} unless the step's loss and parameter sum are both finite. */
export function requireFiniteStep(loss: number, parameters: number, place: StepPlace): void {
  if (Number.isFinite(loss) && Number.isFinite(parameters)) return;
  throw TrainingDivergedError.atStep(place, loss, parameters);
}

/**
 * The evaluation side of the guard: the outputs (logits, boxes) of a trained network must be finite. A network
 * whose last update (finite loss, finite but huge parameters) made its outputs overflow is caught here, before its
 * NaN logits are scored as chance accuracy. `what` names the network ("the online student"), `rateParam` the
 * `--param` key of the rate that trained it, when it is not `--lr`.
 */
export function requireFiniteOutputs(values: Float32Array, what: string, rateParam?: string): void {
  const index = values.findIndex((v) => !Number.isFinite(v));
  if (index < 0) return;
  throw new TrainingDivergedError(`the evaluation of ${what}`, `its outputs hold ${values[index]} (value ${index} of ${values.length}) although every training step was finite: its last update diverged`, rateParam);
}

/**
 * Runs a step that returns its loss (a scalar computed before the update), reads the loss and the parameters'
 * sum after the update in one synchronisation, and guards them; returns the loss.
 */
export function guardedStep(variables: readonly tf.Variable[], place: StepPlace, step: () => tf.Scalar): number {
  const both = tf.tidy(() => tf.stack([step(), parameterSum(variables)]));
  const [loss, parameters] = both.dataSync() as Float32Array;
  both.dispose();
  requireFiniteStep(loss!, parameters!, place);
  return loss!;
}
