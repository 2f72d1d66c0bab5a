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
import { float32Problem, positiveFloat32 } from '../core/float32-range.js';
import { padForKernels } from '../core/table-padding.js';
import { hasNativeGatherGradient } from '../core/backend.js';
import { BCE_LOSS, type SampledLoss } from '../core/losses.js';
import { ENTITY_CONSTRAINTS, TransE, entityConstraintOf, type TransEOptions } from '../models/transe.js';
import { DISTANCE_NORMS, type NormOptions } from '../models/distance-norm.js';
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
  initScale: positiveFloat32().optional(),
}).strict();

/** The norm of a distance model's distance (TransE, RotatE): 1 or 2. The run options' `norm` is this schema too. */
export const NORM_SCHEMA = z.union(DISTANCE_NORMS.map((p) => z.literal(p)), { error: 'must be 1 (L1) or 2 (L2)' });
/** TransE's entity constraint: unit or none. The run options' `entityConstraint` is this schema too. */
export const ENTITY_CONSTRAINT_SCHEMA = z.enum(ENTITY_CONSTRAINTS, { error: 'must be unit or none' });

/** The options of TransE and RotatE: those of every model and the norm of the distance (the model's default if absent). */
const normOptionsSchema = modelOptionsSchema.extend({ norm: NORM_SCHEMA.optional() }).strict();

/** TransE's options: a distance model's and the entity constraint (unit if absent). */
const transeOptionsSchema = normOptionsSchema.extend({ entityConstraint: ENTITY_CONSTRAINT_SCHEMA.optional() }).strict();

/** A registered model. */
export interface ModelEntry extends RegistryEntry {
  readonly schema: z.ZodObject;
  create(options: ModelOptions): KgeModel;
  /** The sampled loss it trains with by default (`--loss auto`) given its options, as its paper (PyKEEN's `loss_default`); BCE when absent. */
  defaultLoss?: (options: Readonly<Record<string, unknown>>) => SampledLoss;
  /** The options a checkpoint saved before an option existed was trained with (an absent key means this value). */
  optionsBeforeRecorded?: Record<string, number | string | boolean>;
}

const entry = (name: string, summary: string, create: (o: ModelOptions) => KgeModel, defaultLoss?: SampledLoss): ModelEntry =>
  ({ name, summary, schema: modelOptionsSchema, create, ...(defaultLoss ? { defaultLoss: () => defaultLoss } : {}) });

/**
 * TransE's loss of `--loss auto` on free entities (`entityConstraint` none): self-adversarial negative sampling
 * (Sun et al. 2019, eq. (5)) without a margin and with a sharp temperature α = 8, chosen by validation MRR on the
 * generated graph (2,000 entities; d = 32, Adam 1e-3, 50 negatives, batch 500, 100 epochs; docs/RESULTS.md, issue 18).
 * L1, seeds 0/1/2, valid (test) MRR: α = 8 0.432/0.430/0.428 (0.436/0.435/0.426); α = 4 0.427/0.428/0.422; α = 1
 * 0.401/0.398/0.392; BCE 0.411/0.407/0.401 (0.417/0.418/0.400); γ = 3/6/9 at α = 1 0.329/0.311/0.294; margin ranking
 * γ = 1…24 ≤ 0.221. L2 at α = 8: 0.411 (BCE 0.230).
 */
const TRANSE_FREE_LOSS: SampledLoss = { loss: 'nssa', margin: 0, adversarialTemperature: 8 };

/**
 * TransE's loss of `--loss auto` on unit entities (`entityConstraint` unit, the default): self-adversarial negative
 * sampling with a margin γ = 3 at temperature α = 4 (Sun et al. 2019, eq. (5)), chosen by validation MRR on the
 * generated graph, WN18RR and FB15k-237 (d = 32, Adam 1e-3, 50 negatives, batch 500, 100 epochs; docs/RESULTS.md,
 * "TransE's default"). Valid MRR, seed 0 (generated: mean of seeds 0/1/2): nssa γ = 3, α = 4 0.476 / 0.200 / 0.286;
 * γ = 2, α = 4 0.478 / 0.196 / 0.276; margin ranking γ = 2 0.311 / 0.201 / 0.255, γ = 4 0.411 / 0.221 / 0.233, γ = 6
 * 0.471 / 0.202 / 0.214; nssa γ = 0, α = 8 on free entities (the default before) 0.430 / 0.173. On unit rows the
 * distances have a scale that a fixed margin can be set against (one served the three graphs); free rows lack it.
 */
export const TRANSE_UNIT_LOSS: SampledLoss = { loss: 'nssa', margin: 3, adversarialTemperature: 4 };

/** TransE's loss of `--loss auto`: self-adversarial with a margin on unit entities, sharp and without one on free ones. */
const transeLoss = (options: Readonly<Record<string, unknown>>): SampledLoss =>
  (entityConstraintOf(options) === 'unit' ? TRANSE_UNIT_LOSS : TRANSE_FREE_LOSS);

/** The loss of `--loss auto` for a model with these options (a model's loss may depend on them, as TransE's). */
export function defaultLossOf(model: string, options: Readonly<Record<string, unknown>> = {}): SampledLoss {
  return MODELS.get(model).defaultLoss?.(options) ?? BCE_LOSS;
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
  { ...entry('TransE', 'translation, −‖h + r − t‖₁ (or ₂ with norm 2; Bordes et al. 2013); self-adversarial loss, γ = 3, α = 4 on unit entities (γ = 0, α = 8 with entity constraint none)', (o) => new TransE(o as TransEOptions)),
    defaultLoss: transeLoss, schema: transeOptionsSchema, optionsBeforeRecorded: { norm: 2, entityConstraint: 'none' } },
  entry('DistMult', 'diagonal bilinear, ⟨h, r, t⟩ (Yang et al. 2015); self-adversarial loss, γ = 0, α = 1', (o) => new DistMult(o), BILINEAR_LOSS),
  entry('ComplEx', 'complex bilinear, Re⟨h, r, t̄⟩ (Trouillon et al. 2016); self-adversarial loss, γ = 0, α = 1', (o) => new ComplEx(o), BILINEAR_LOSS),
  { ...entry('RotatE', 'complex rotation, −‖h ∘ r − t‖₂ (or the sum of complex moduli with norm 1; Sun et al. 2019); self-adversarial loss, γ = 3, α = 1',
    (o) => new RotatE(o as NormOptions), { loss: 'nssa', margin: 3, adversarialTemperature: 1 }), schema: normOptionsSchema, optionsBeforeRecorded: { norm: 2 } },
  entry('RotH', 'hyperbolic Givens rotation (Chami et al. 2020)', (o) => new RotH(o)),
  entry('RefH', 'hyperbolic Givens reflection (Chami et al. 2020)', (o) => new RefH(o)),
  entry('AttH', 'hyperbolic attention over rotation and reflection (Chami et al. 2020)', (o) => new AttH(o)),
  entry('MuRP', 'hyperbolic multi-relational Poincaré (Balažević et al. 2019), head-side variant: the relation moves the head, not the tail', (o) => new MuRP(o)),
  entry('RotE', 'Euclidean counterpart of RotH (Chami et al. 2020)', (o) => createRotE(o)),
  entry('RefE', 'Euclidean counterpart of RefH (Chami et al. 2020)', (o) => createRefE(o)),
  entry('AttE', 'Euclidean counterpart of AttH (Chami et al. 2020)', (o) => createAttE(o)),
  entry('MuRE', 'Euclidean MuR (Balažević et al. 2019)', (o) => createMuRE(o)),
]);

/** Names of all registered models. */
export function modelNames(): string[] {
  return MODELS.names();
}

/**
 * Creates a model by name (case-insensitive) with validated options; errors name the model and each bad option. Its
 * tables are stored with zero columns when that lets the fused kernels run them (core/table-padding.ts), unless
 * `storedDim` says otherwise: a checkpoint's (the width its tables were saved at; `options.dim` when not padded).
 */
export function createModel(name: string, options: ModelOptions, storedDim?: number): KgeModel {
  const entry = MODELS.get(name);
  const build = (dim: number): KgeModel => entry.create(MODELS.parse(entry.name, { ...options, dim }) as ModelOptions);
  return padForKernels(build(options.dim), build, storedDim);
}

/**
 * The model a run on `backend` trains: `createModel`'s, except that a native backend (which trains through tfjs
 * whatever the widths) keeps the tables at the asked width — zero columns would only cost it memory.
 */
export function createModelFor(name: string, options: ModelOptions, backend: string): KgeModel {
  return createModel(name, options, hasNativeGatherGradient(backend) ? options.dim : undefined);
}

/** `model` with its tables at its own width (the same model when they already are). */
export function atOwnWidth(model: KgeModel): KgeModel {
  return model.config.storedDim === undefined ? model : modelFromConfig({ ...model.config, storedDim: model.config.dim });
}

/**
 * Re-creates a model from the config saved in a checkpoint: its shape and the recorded options its schema takes;
 * an option the checkpoint does not record takes the value it had before it was recorded (`optionsBeforeRecorded`:
 * a TransE saved without `norm` is the L2 model it was trained as), stored as wide as it was saved (`storedDim`; a
 * checkpoint without it, at `dim`); an unknown model, a bad option or a `storedDim` that is neither is an error, prefixed
 * with `source` (the header's file).
 */
export function modelFromConfig(config: ModelConfig, source?: string): KgeModel {
  try {
    const recorded: Record<string, unknown> = { ...recordedOptionsOf(config) };
    // initScale only says how the tables began (the checkpoint's replace them): a run of a version before 2026-12-07
    // may record one a 32-bit float cannot hold, which createModel now refuses; it must still open
    if (typeof recorded.initScale === 'number' && float32Problem(recorded.initScale, 'positive') !== undefined) delete recorded.initScale;
    return createModel(config.model, { ...recorded, dim: config.dim, numEntities: config.numEntities,
      numRelations: config.numRelations } as ModelOptions, config.storedDim ?? config.dim);
  } catch (error) {
    if (source === undefined) throw error;
    throw new Error(`${source}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The options a checkpoint's model was trained with: the recorded ones its schema takes, and for each it does not
 * record the value from before it was recorded (`optionsBeforeRecorded`). What modelFromConfig builds the model from,
 * and what a resumed run's default loss must be chosen from (a TransE saved without `entityConstraint` is free).
 */
export function recordedOptionsOf(config: ModelConfig): Record<string, unknown> {
  const model = MODELS.get(config.model);
  const recorded: Record<string, unknown> = { ...model.optionsBeforeRecorded };
  for (const key of Object.keys(model.schema.shape)) if (config.options[key] !== undefined) recorded[key] = config.options[key];
  return recorded;
}
