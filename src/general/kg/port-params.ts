/**
 * The `--param` hyper-parameters of the KG ports of FedNTD and CBD (`kgdistill kd fedntd|cbd --dataset <KG>`),
 * validated with zod (strict: unknown keys are errors), and the run settings built from them and the shared flags.
 */
import { z } from 'zod';
import type { OptimizerName } from '../../core/optimizers.js';
import type { FedKgeOptions } from './fed-kge-run.js';
import type { CbdKgeOptions } from './cbd-kge-run.js';

/** FedNTD-KGE: clients, local epochs per round, β and τ (paper: β = τ = 1). `--epochs` sets the rounds. */
export const fedKgeParamsSchema = z.object({
  clients: z.number().int().min(1).default(3),
  localEpochs: z.number().int().min(1).default(2),
  beta: z.number().nonnegative().default(1),
  temperature: z.number().positive().default(1),
}).strict();

/** CBD-KGE: teachers, α, the KD temperature, the balanced sampler's power and the bucket thresholds. */
export const cbdKgeParamsSchema = z.object({
  teachers: z.number().int().min(1).max(4).default(2),
  alpha: z.number().min(0).max(1).default(0.5),
  temperature: z.number().positive().default(2),
  power: z.number().min(0).max(1).default(0),
  rareMax: z.number().int().min(1).default(2),
  frequentMin: z.number().int().min(2).default(11),
}).strict();

/** Default number of rounds (FedNTD) and epochs (CBD) on a KG. */
export const KG_PORT_DEFAULT_EPOCHS = { fedntd: 16, cbd: 20 } as const;

/** The flags every KG port shares. */
export interface KgPortFlags {
  model: string;
  dim: number;
  initScale: number;
  epochs?: number;
  batchSize: number;
  learningRate: number;
  optimizer: OptimizerName;
  negatives: number;
}

function parse<T>(schema: z.ZodType<T>, method: string, params: Record<string, unknown>): T {
  const parsed = schema.safeParse(params);
  if (!parsed.success) throw new Error(`invalid parameters for the KG port of '${method}': ${parsed.error.issues.map((i) => `${i.path.length > 0 ? `${i.path.join('.')}: ` : ''}${i.message}`).join('; ')}`);
  return parsed.data;
}

/** FedNTD-KGE settings from the flags and `--param` pairs. */
export function fedKgeOptions(flags: KgPortFlags, params: Record<string, unknown>): Omit<FedKgeOptions, 'seed'> {
  const p = parse(fedKgeParamsSchema, 'fedntd', params);
  const { epochs, ...shared } = flags;
  return { ...shared, ...p, rounds: epochs ?? KG_PORT_DEFAULT_EPOCHS.fedntd };
}

/** CBD-KGE settings from the flags and `--param` pairs. */
export function cbdKgeOptions(flags: KgPortFlags, params: Record<string, unknown>): Omit<CbdKgeOptions, 'seed'> {
  const { rareMax, frequentMin, ...p } = parse(cbdKgeParamsSchema, 'cbd', params);
  if (frequentMin <= rareMax) throw new Error(`invalid parameters for the KG port of 'cbd': frequentMin (${frequentMin}) must exceed rareMax (${rareMax})`);
  return { ...flags, ...p, epochs: flags.epochs ?? KG_PORT_DEFAULT_EPOCHS.cbd, thresholds: { rareMax, frequentMin } };
}
