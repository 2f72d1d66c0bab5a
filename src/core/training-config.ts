/**
 * The settings of a training run, validated in one place (zod) so the CLI, checkpoints and library callers agree.
 * Defaults follow Chami et al. 2020's public recipe where one exists (batch 500, 50 negatives, Adagrad).
 */
import { z } from 'zod';
import { OPTIMIZER_NAMES } from './optimizers.js';
import { nonNegativeFloat32, positiveFloat32 } from './float32-range.js';
import type { KgeObjectiveSettings } from './kge-objective.js';

/** Schema of the training settings; `negatives: 0` means 1-N scoring against all entities. */
export const trainingConfigSchema = z.object({
  epochs: z.number().int().positive().default(100),
  batchSize: z.number().int().positive().default(500),
  learningRate: positiveFloat32().default(0.05),
  optimizer: z.enum(OPTIMIZER_NAMES as [string, ...string[]]).default('adagrad'),
  negatives: z.number().int().nonnegative().default(50),
  doubleNegatives: z.boolean().default(false),
  /** Consecutive queries sharing one draw of negatives (PyTorch-BigGraph's chunks); 1: each query its own. */
  sharedNegatives: z.number().int().positive().default(1),
  regularizer: z.enum(['none', 'n3', 'l2']).default('none'),
  regularizerWeight: nonNegativeFloat32().default(0),
  validEvery: z.number().int().positive().default(5),
  patience: z.number().int().nonnegative().default(10),
  seed: z.number().int().default(0),
  path: z.enum(['auto', 'fused', 'tfjs']).default('auto'),
  evalBatchSize: z.number().int().positive().optional(),
  /** The loss of 1-N training (`negatives: 0`): softmax cross-entropy, or binary cross-entropy against every entity. */
  oneToNLoss: z.enum(['softmax', 'bce']).default('softmax'),
  /** The loss of sampled training: binary cross-entropy, self-adversarial negative sampling, or margin ranking. */
  loss: z.enum(['bce', 'nssa', 'margin']).default('bce'),
  /** Margin γ of the nssa and margin losses. */
  margin: nonNegativeFloat32().default(0),
  /** Temperature α of the self-adversarial weights. */
  adversarialTemperature: nonNegativeFloat32().default(1),
  /** How queries weigh in the sampled loss: alike, or by Sun et al. 2019's subsampling weights (a config without it: uniform). */
  queryWeights: z.enum(['uniform', 'subsampling']).default('uniform'),
  /** The factor the learning rate is multiplied by after `lrPatience` validations without a new best (1: constant; plateau-schedule.ts). */
  lrDecay: positiveFloat32().max(1).default(1),
  /** Validations without a new best before the rate is lowered. */
  lrPatience: z.number().int().positive().default(2),
});

/** The training settings after validation and defaults. */
export type TrainingConfig = z.infer<typeof trainingConfigSchema>;

/** Validates settings and fills defaults; throws an error naming every bad field. */
export function parseTrainingConfig(input: unknown): TrainingConfig {
  const result = trainingConfigSchema.safeParse(input ?? {});
  if (!result.success) {
    throw new Error(`invalid training settings: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return result.data;
}

/** The KGE objective's settings of a training config. */
export function kgeSettingsOf(config: TrainingConfig): KgeObjectiveSettings {
  return {
    negatives: config.negatives, doubleNegatives: config.doubleNegatives, sharedNegatives: config.sharedNegatives, regularizer: config.regularizer, regularizerWeight: config.regularizerWeight,
    path: config.path, loss: { loss: config.loss, margin: config.margin, adversarialTemperature: config.adversarialTemperature }, oneToNLoss: config.oneToNLoss,
  };
}
