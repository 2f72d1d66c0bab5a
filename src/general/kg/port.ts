/**
 * What a KG port of a general method is: the method re-cast on the KG training core (KGE students scored over
 * candidate entities instead of networks over classes), run against its own baseline with the same budget and
 * seeds on a knowledge graph. Every port takes the same KGE settings (`--model`, `--dim`, … in `kgdistill kd`),
 * its own `--param` hyper-parameters (a zod schema) and returns a report the CLI prints as a table.
 */
import type { z } from 'zod';
import type { OptimizerName } from '../../core/optimizers.js';
import type { RunData } from '../../core/training-data.js';

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
