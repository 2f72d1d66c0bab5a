/**
 * The options of `kgdistill kd` (a general distillation method against its baseline), as a zod schema: the one
 * source of truth for its flags and its `--config` files. On the digits the learning rate and batch size default
 * to Adam 0.003 and 64 images; on a knowledge graph (`dataset` given: the method's KG port) to `optimizer` 0.1 and
 * 500 queries — so both stay optional here and are filled by the side that runs.
 */
import { z } from 'zod';
import { BACKEND_CHOICES } from '../core/backend.js';
import { OPTIMIZER_NAMES } from '../core/optimizers.js';
import { positiveFloat32 } from '../core/float32-range.js';
import { dataOptions } from './options.js';
import { ARCHITECTURES } from '../general/images/nets/factory.js';

/** Most seeds one `kd` invocation runs (each seed trains every model of the comparison once). */
const MAX_SEED_COUNT = 1000;
const SEEDS_TEXT = `a count from 1 to ${MAX_SEED_COUNT} or a list of at most ${MAX_SEED_COUNT} seeds`;
const count = (what: string) => z.number({ error: `must be ${what}` }).int({ error: `must be ${what}` });

/** `kd`'s options; `method` is the command's argument (or a key of a config file). */
export const kdOptionsSchema = z.object({
  method: z.string().min(1).optional(),
  /** A knowledge graph: run the method's KG port on it instead of the digits. */
  dataset: dataOptions.dataset.optional(),
  unseen: dataOptions.unseen,
  delimiter: dataOptions.delimiter,
  columns: dataOptions.columns,
  header: dataOptions.header,
  encoding: dataOptions.encoding,
  /** Where the digits are. */
  digits: z.string().min(1).default('digits'),
  /** A number of seeds (0..n-1) or a list. */
  seeds: z.union([count(SEEDS_TEXT).min(1).max(MAX_SEED_COUNT), z.array(count('a list of seeds ≥ 0').min(0)).min(1, { error: `must be ${SEEDS_TEXT}` }).max(MAX_SEED_COUNT, { error: `must be ${SEEDS_TEXT}` })
    .refine((seeds) => new Set(seeds).size === seeds.length, { error: 'must not repeat a seed (the same run twice is not two samples)' })], { error: `must be ${SEEDS_TEXT}` }).default(3),
  epochs: count('a positive integer').min(1).optional(),
  batchSize: count('an integer ≥ 2').min(2).optional(),
  lr: positiveFloat32('must be a positive number').optional(),
  arch: z.enum(ARCHITECTURES, { error: `must be one of ${ARCHITECTURES.join(', ')}` }).optional(),
  testFraction: z.number({ error: 'must lie in (0, 1)' }).gt(0, { error: 'must lie in (0, 1)' }).lt(1, { error: 'must lie in (0, 1)' }).default(0.25),
  splitSeed: count('an integer').default(0),
  /** The method's hyper-parameters (its port's on a KG). */
  params: z.record(z.string(), z.unknown()).default({}),
  model: z.string().min(1).default('DistMult'),
  dim: count('a positive integer').min(1).default(32),
  neg: count('an integer ≥ 1').min(1).default(50),
  optimizer: z.enum(OPTIMIZER_NAMES as [string, ...string[]], { error: `must be one of ${OPTIMIZER_NAMES.join(', ')}` }).default('adagrad'),
  initScale: positiveFloat32('must be a positive number').default(0.1),
  backend: z.enum(BACKEND_CHOICES as [string, ...string[]]).default('auto'),
}).strict();

/** `kd`'s options after validation and defaults. */
export type KdSettings = z.output<typeof kdOptionsSchema>;

/** The seeds of a `seeds` option: a count n is 0..n-1. */
export function seedsOf(seeds: number | number[]): number[] {
  return Array.isArray(seeds) ? seeds : Array.from({ length: seeds }, (_, i) => i);
}
