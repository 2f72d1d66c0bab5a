/**
 * The models by name (PyKEEN's model resolver): how the CLI, the library and checkpoints turn a model name and
 * shape into a model. It sits above both model folders — Euclidean models (src/models) and the hyperbolic ones with
 * their Euclidean counterparts (src/hyperbolic) — so neither imports it back. One entry per model: a one-line
 * summary with its paper, the zod schema of its options, and the constructor.
 */
import { z } from 'zod';
import type { KgeModel, ModelConfig } from '../core/model.js';
import type { ModelOptions } from '../core/model-base.js';
import { Registry, type RegistryEntry } from '../core/registry.js';
import { BCE_LOSS, type SampledLoss } from '../core/losses.js';
import { TransE } from '../models/transe.js';
import { DistMult } from '../models/distmult.js';
import { ComplEx } from '../models/complex.js';
import { RotatE } from '../models/rotate.js';
import { RotH } from '../hyperbolic/models/roth.js';
import { RefH } from '../hyperbolic/models/refh.js';
import { AttH } from '../hyperbolic/models/atth.js';
import { MuRP } from '../hyperbolic/models/murp.js';
import { createAttE, createMuRE, createRefE, createRotE } from '../hyperbolic/models/euclidean.js';

/** The options every model takes: its shape and the scale of its normal initialisation. */
export const modelOptionsSchema = z.object({
  dim: z.number().int().positive(),
  numEntities: z.number().int().positive(),
  numRelations: z.number().int().positive(),
  initScale: z.number().positive().optional(),
}).strict();

/** A registered model. */
export interface ModelEntry extends RegistryEntry {
  create(options: ModelOptions): KgeModel;
  /** The sampled loss it trains with by default (`--loss auto`), as its paper (PyKEEN's `loss_default`); BCE when absent. */
  defaultLoss?: SampledLoss;
}

const entry = (name: string, summary: string, create: (o: ModelOptions) => KgeModel, defaultLoss?: SampledLoss): ModelEntry =>
  ({ name, summary, schema: modelOptionsSchema, create, ...(defaultLoss ? { defaultLoss } : {}) });

/** The loss of `--loss auto` for a model. */
export function defaultLossOf(model: string): SampledLoss {
  return MODELS.get(model).defaultLoss ?? BCE_LOSS;
}

/**
 * The default loss of the bilinear models: self-adversarial negative sampling (Sun et al. 2019) without a margin
 * (their scores are unbounded inner products). Measured at d = 32, Adam 1e-3, 50 negatives, 100 epochs, seed 0
 * (docs/RESULTS.md, issue 18): DistMult test MRR 0.365 / 0.263 / 0.485 on WN18RR / FB15k-237 / a generated graph
 * against BCE's 0.346 / 0.241 / 0.034; ComplEx 0.373 / 0.262 / 0.704 against 0.296 / 0.245 / 0.038.
 */
const BILINEAR_LOSS: SampledLoss = { loss: 'nssa', margin: 0, adversarialTemperature: 1 };

/** Every model kgdistill trains. */
export const MODELS = new Registry<ModelEntry>('model', [
  entry('TransE', 'translation, −‖h + r − t‖ (Bordes et al. 2013)', (o) => new TransE(o)),
  entry('DistMult', 'diagonal bilinear, ⟨h, r, t⟩ (Yang et al. 2015); self-adversarial loss, γ = 0, α = 1', (o) => new DistMult(o), BILINEAR_LOSS),
  entry('ComplEx', 'complex bilinear, Re⟨h, r, t̄⟩ (Trouillon et al. 2016); self-adversarial loss, γ = 0, α = 1', (o) => new ComplEx(o), BILINEAR_LOSS),
  entry('RotatE', 'complex rotation, −‖h ∘ r − t‖ (Sun et al. 2019); self-adversarial loss, γ = 3, α = 1', (o) => new RotatE(o), { loss: 'nssa', margin: 3, adversarialTemperature: 1 }),
  entry('RotH', 'hyperbolic Givens rotation (Chami et al. 2020)', (o) => new RotH(o)),
  entry('RefH', 'hyperbolic Givens reflection (Chami et al. 2020)', (o) => new RefH(o)),
  entry('AttH', 'hyperbolic attention over rotation and reflection (Chami et al. 2020)', (o) => new AttH(o)),
  entry('MuRP', 'hyperbolic multi-relational Poincaré (Balažević et al. 2019)', (o) => new MuRP(o)),
  entry('RotE', 'Euclidean counterpart of RotH (Chami et al. 2020)', (o) => createRotE(o)),
  entry('RefE', 'Euclidean counterpart of RefH (Chami et al. 2020)', (o) => createRefE(o)),
  entry('AttE', 'Euclidean counterpart of AttH (Chami et al. 2020)', (o) => createAttE(o)),
  entry('MuRE', 'Euclidean MuR (Balažević et al. 2019)', (o) => createMuRE(o)),
]);

/** Names of all registered models. */
export function modelNames(): string[] {
  return MODELS.names();
}

/** Creates a model by name (case-insensitive) with validated options; errors name the model and each bad option. */
export function createModel(name: string, options: ModelOptions): KgeModel {
  const model = MODELS.get(name);
  return model.create(MODELS.parse(model.name, options) as ModelOptions);
}

/** Re-creates a model from the config saved in a checkpoint. */
export function modelFromConfig(config: ModelConfig): KgeModel {
  const initScale = config.options.initScale;
  return createModel(config.model, { dim: config.dim, numEntities: config.numEntities, numRelations: config.numRelations,
    ...(typeof initScale === 'number' ? { initScale } : {}) });
}
