/**
 * The KG port of FedNTD (`kgdistill kd fedntd --dataset <KG>`): FedNTD-KGE vs FedE over relation-partitioned
 * clients (`fed-kge-run.ts`); `--epochs` sets the rounds.
 */
import { z } from 'zod';
import { nonNegativeFloat32, positiveFloat32 } from '../../../core/float32-range.js';
import { defineKgPort, type KgPortSettings } from '../port.js';
import { runFedKgeComparison, type FedKgeOptions } from './fed-kge-run.js';

/** FedNTD-KGE: clients, local epochs per round, β and τ (paper: β = τ = 1). */
export const fedKgeParamsSchema = z.object({
  clients: z.number().int().min(1).default(3),
  localEpochs: z.number().int().min(1).default(2),
  beta: nonNegativeFloat32().default(1),
  temperature: positiveFloat32().default(1),
}).strict();

/** The port's `--param`s. */
export type FedKgeParams = z.infer<typeof fedKgeParamsSchema>;

/** Rounds when `--epochs` is not given. */
export const FED_KGE_DEFAULT_ROUNDS = 16;

/** FedNTD-KGE settings from the shared settings and the port's parameters. */
export function fedKgeOptions(settings: KgPortSettings, params: FedKgeParams): Omit<FedKgeOptions, 'seed'> {
  const { epochs, ...shared } = settings;
  return { ...shared, ...params, rounds: epochs ?? FED_KGE_DEFAULT_ROUNDS };
}

/** FedNTD on a KG. */
export const fedNtdKgPort = defineKgPort({
  summary: 'FedNTD-KGE vs FedE over relation-partitioned clients; global filtered test MRR per round',
  schema: fedKgeParamsSchema,
  defaultEpochs: FED_KGE_DEFAULT_ROUNDS,
  run: (data, settings, params: FedKgeParams, seeds, backend, log) => runFedKgeComparison(data, fedKgeOptions(settings, params), seeds, backend, log),
});
