/**
 * What the federated methods on the digits (FedNTD, FedX) share: the `--param`s of their FedAvg simulation
 * (`federated/fedavg-rounds.ts`, `FedAvgSettings`), those settings read from a runner context, and the traits of a
 * method whose `--epochs` counts communication rounds and whose clients step with momentum SGD at `--param lr`.
 */
import { z } from 'zod';
import { positiveFloat32 } from '../../../core/float32-range.js';
import type { FedAvgSettings } from '../federated/fedavg-rounds.js';
import type { NetSize } from '../nets/factory.js';
import type { ImageMethod, MethodContext } from './image-method.js';

/** A method's own defaults of the shared parameters (the rest default alike: 10 clients, fraction 0.5, momentum 0.9). */
export interface FedAvgDefaults {
  alpha: number;
  localEpochs: number;
  lr: number;
}

/** The zod fields of the FedAvg parameters (to spread first into a method's schema), with the method's defaults. */
export function fedAvgParamFields(defaults: FedAvgDefaults) {
  return {
    alpha: z.number().positive().default(defaults.alpha),
    clients: z.number().int().min(1).default(10),
    localEpochs: z.number().int().min(1).default(defaults.localEpochs),
    fraction: z.number().gt(0).max(1).default(0.5),
    lr: positiveFloat32().default(defaults.lr),
    momentum: z.number().min(0).lt(1).default(0.9),
  };
}

/** The parameters `fedAvgParamFields` declares, and the size of the networks. */
export interface FedAvgParams {
  alpha: number;
  clients: number;
  localEpochs: number;
  fraction: number;
  lr: number;
  momentum: number;
  size: NetSize;
}

/** The FedAvg settings of a runner context: its parameters, with `--epochs` as rounds and the batch size, arch and seed. */
export function fedAvgSettingsOf(ctx: MethodContext<FedAvgParams>): FedAvgSettings {
  const p = ctx.params;
  return {
    arch: ctx.arch, size: p.size, clients: p.clients, alpha: p.alpha, rounds: ctx.budget.epochs, localEpochs: p.localEpochs,
    fraction: p.fraction, batchSize: ctx.budget.batchSize, learningRate: p.lr, momentum: p.momentum, seed: ctx.seed,
  };
}

/** The traits of a federated method: the MLP, 30 communication rounds, momentum SGD at `--param lr` and `momentum`. */
export const FEDERATED_METHOD_TRAITS = {
  defaultArch: 'mlp',
  defaultEpochs: 30,
  epochsAre: 'communication rounds',
  optimizerOf: (p: { lr: number; momentum: number }) => `momentum SGD lr ${p.lr}, momentum ${p.momentum} (--param lr, momentum)`,
} as const satisfies Partial<ImageMethod<{ lr: number; momentum: number }>>;
