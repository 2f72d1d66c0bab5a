/**
 * What a distillation method is on the digits: hyper-parameters (zod, with defaults), a baseline and the method
 * itself, each trained for one seed on the same split with the same budget and returning the accuracy of the
 * model the method keeps (plus extra figures such as the teacher's or a peer's accuracy). The registry of methods
 * (`general/method-registry.ts`) pairs each with its KG port, where it has one.
 */
import type { z } from 'zod';
import type { ImageSet } from '../data/digits.js';
import type { Architecture } from '../nets/factory.js';
import type { Budget } from '../training/supervised.js';

/** Everything one seed's run of a method or baseline gets. */
export interface MethodContext<P> {
  train: ImageSet;
  test: ImageSet;
  seed: number;
  budget: Budget;
  arch: Architecture;
  params: P;
  /** Progress lines (stderr in the CLI). */
  log(line: string): void;
}

/** The outcome of one run: the kept model's test accuracy and extra figures by name. */
export interface RunOutcome {
  accuracy: number;
  extra?: Record<string, number>;
}

/** One method of the general module on the digits. */
export interface ImageMethod<P = unknown> {
  readonly name: string;
  /** "KD, temperature knowledge distillation (Hinton et al. 2015)": the registry's one-line summary. */
  readonly title: string;
  /** What the baseline is. */
  readonly baseline: string;
  /** What the accuracy measures (which model, how). */
  readonly measures: string;
  /** Architecture used when none is asked for. */
  readonly defaultArch: Architecture;
  /** Default epochs of a run (both baseline and method). */
  readonly defaultEpochs: number;
  /** What `--epochs` counts when it is not the epochs of every training (e.g. 'communication rounds'). */
  readonly epochsAre?: string;
  /**
   * The optimiser, for a method whose parameters set it instead of the shared Adam at `--lr` (federated SGD):
   * `kd` refuses `--lr` for it and its header shows this.
   */
  optimizerOf?(params: P): string;
  /** Refuses, before anything trains, an architecture or parameters the method cannot run with (a message naming the flag). */
  requireRunnable?(arch: Architecture, params: P): void;
  readonly schema: z.ZodType<P, unknown>;
  runBaseline(ctx: MethodContext<P>): RunOutcome;
  runMethod(ctx: MethodContext<P>): RunOutcome;
}

/** Declares a method (identity function that fixes its parameter type). */
export function defineImageMethod<P>(method: ImageMethod<P>): ImageMethod<P> {
  return method;
}
