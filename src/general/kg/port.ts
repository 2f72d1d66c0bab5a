/**
 * What a KG port of a general method is: the method re-cast on the KG training core (KGE students scored over
 * candidate entities instead of networks over classes), run against its own baseline with the same budget and
 * seeds on a knowledge graph. Every port takes the same KGE settings (`--model`, `--dim`, … in `kgdistill kd`),
 * its own `--param` hyper-parameters (a zod schema) and returns a report the CLI prints as a table. Each of its
 * trainings runs in `portRun`, so that a divergence names the method, the seed and the run, and `--lr`.
 */
import type { z } from 'zod';
import type { OptimizerName } from '../../core/optimizers.js';
import type { RunData } from '../../core/training-data.js';
import { TrainingDivergedError } from '../../core/training-diverged.js';

/** The KGE settings every port shares. */
export interface KgPortSettings {
  model: string;
  dim: number;
  initScale: number;
  /** Epochs (or federated rounds); the port's default when absent. */
  epochs?: number;
  batchSize: number;
  learningRate: number;
  optimizer: OptimizerName;
  /** Uniform negatives per query. */
  negatives: number;
}

/** A method's port onto the KG training core. */
export interface KgPort<P = unknown, R = unknown> {
  /** One line: what runs on the graph, against which baseline. */
  readonly summary: string;
  /** The port's hyper-parameters (`--param`), with their defaults. */
  readonly schema: z.ZodType<P, unknown>;
  /** Epochs (or rounds) when `--epochs` is not given. */
  readonly defaultEpochs: number;
  /** Runs the port and its baseline for each seed on loaded run data (the tfjs backend must be initialised). */
  run(data: RunData, settings: KgPortSettings, params: P, seeds: readonly number[], backend: string, log: (line: string) => void): Promise<R>;
}

/** Declares a port (identity function that fixes its types). */
export function defineKgPort<P, R>(port: KgPort<P, R>): KgPort<P, R> {
  return port;
}

/**
 * A port's training that diverged: the core's finding told the run it happened in (method, seed, which run) and
 * the option that sets a port's learning rate, `--lr`, with its value, as the digits' guard says it
 * (images/training/divergence.ts).
 */
export class KgPortDivergedError extends Error {
  constructor(readonly run: string, readonly finding: string, readonly learningRate: number, options?: ErrorOptions) {
    super(`${run}: training diverged${finding}. Nothing is reported; run again with a lower --lr (it was ${learningRate}).`, options);
    this.name = 'KgPortDivergedError';
  }
}

/**
 * Runs one of a port's trainings (`run`: "kd dml, seed 1, pair run"); a divergence of the core is rethrown as a
 * {@link KgPortDivergedError} naming that run and `--lr` at `learningRate`; any other error passes unchanged.
 */
export async function portRun<T>(run: string, learningRate: number, train: () => Promise<T>): Promise<T> {
  try {
    return await train();
  } catch (error) {
    if (!(error instanceof TrainingDivergedError)) throw error;
    throw new KgPortDivergedError(run, error.finding, learningRate, { cause: error }); // the core's advice speaks of a run directory
  }
}

/** "kd dml, seed 1, pair run": how a divergence names one of a port's trainings. */
export function portRunName(method: string, seed: number, which: string): string {
  return `kd ${method}, seed ${seed}, ${which}`;
}
