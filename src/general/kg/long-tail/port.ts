/**
 * The KG port of CBD (`kgdistill kd cbd --dataset <KG>`): CBD-KGE for long-tail entities against instance- and
 * entity-balanced-sampled students (`cbd-kge-run.ts`), MRR by answer frequency.
 */
import { z } from 'zod';
import { positiveFloat32 } from '../../../core/float32-range.js';
import { defineKgPort, type KgPortSettings } from '../port.js';
import { runCbdKgeComparison, type CbdKgeOptions } from './cbd-kge-run.js';

/** CBD-KGE: teachers, α, the KD temperature, the balanced sampler's power and the bucket thresholds. */
export const cbdKgeParamsSchema = z.object({
  teachers: z.number().int().min(1).max(4).default(2),
  alpha: z.number().min(0).max(1).default(0.5),
  temperature: positiveFloat32().default(2),
  power: z.number().min(0).max(1).default(0),
  rareMax: z.number().int().min(1).default(2),
  frequentMin: z.number().int().min(2).default(11),
}).strict().superRefine((p, ctx) => {
  if (p.frequentMin <= p.rareMax) ctx.addIssue({ code: 'custom', message: `frequentMin (${p.frequentMin}) must exceed rareMax (${p.rareMax})` });
});

/** The port's `--param`s. */
export type CbdKgeParams = z.infer<typeof cbdKgeParamsSchema>;

/** Epochs of every model when `--epochs` is not given. */
export const CBD_KGE_DEFAULT_EPOCHS = 20;

/** CBD-KGE settings from the shared settings and the port's parameters. */
export function cbdKgeOptions(settings: KgPortSettings, params: CbdKgeParams): Omit<CbdKgeOptions, 'seed'> {
  const { rareMax, frequentMin, ...p } = params;
  return { ...settings, ...p, epochs: settings.epochs ?? CBD_KGE_DEFAULT_EPOCHS, thresholds: { rareMax, frequentMin } };
}

/** CBD on a KG. */
export const cbdKgPort = defineKgPort({
  summary: 'CBD-KGE (entity-balanced sampling + KD from instance-sampled teachers) vs instance- and balanced-sampled students; filtered test MRR by answer frequency',
  schema: cbdKgeParamsSchema,
  defaultEpochs: CBD_KGE_DEFAULT_EPOCHS,
  run: (data, settings, params: CbdKgeParams, seeds, backend, log) => runCbdKgeComparison(data, cbdKgeOptions(settings, params), seeds, backend, log),
});
