/**
 * The registry of distillation losses, chosen by name with validated hyper-parameters (the core's one registry
 * mechanism, `core/registry.ts`; names match case-insensitively):
 *
 *   const kd = createLoss('hinton-kd', { temperature: 4, alpha: 0.9 });
 *   const loss = kd({ student, teacher, labels });
 *
 * Unknown names and bad hyper-parameters (wrong type, out of range, unknown key) throw an error that names the
 * loss and every offending field. `describeLosses()` lists each loss with its paper and equation. The typed table
 * `LOSSES` only gives `createLoss` its input and parameter types; lookup, validation and listing go through
 * `LOSS_REGISTRY`.
 */
import { Registry } from '../../core/registry.js';
import { ceLoss, hintonKdLoss, kdLoss } from './classification.js';
import { dcmLoss, dmlLoss } from './mutual.js';
import { ntXentLoss, similarityKlLoss } from './contrastive.js';
import { attentionLoss, diversityLoss, featureMseLoss } from './feature.js';
import { focalLoss } from './focal.js';
import { ntdLoss } from './not-true.js';
import { cbdLoss } from './cbd.js';
import { boundedRegressionLoss, hintLoss, weightedKdLoss } from './detection.js';
import type { LossFn, LossSpec } from './loss-spec.js';

/** Every registered loss by name, with its types (in listing order). */
export const LOSSES = {
  ce: ceLoss,
  kd: kdLoss,
  'hinton-kd': hintonKdLoss,
  dml: dmlLoss,
  dcm: dcmLoss,
  'nt-xent': ntXentLoss,
  'similarity-kl': similarityKlLoss,
  'feature-mse': featureMseLoss,
  attention: attentionLoss,
  'ffsd-diversity': diversityLoss,
  focal: focalLoss,
  ntd: ntdLoss,
  cbd: cbdLoss,
  'weighted-kd': weightedKdLoss,
  'bounded-regression': boundedRegressionLoss,
  hint: hintLoss,
} as const;

/** A registered loss name. */
export type LossName = keyof typeof LOSSES;

type InputsOf<S> = S extends LossSpec<infer I, unknown> ? I : never;
type ParamsOf<S> = S extends LossSpec<unknown, infer P> ? P : never;

/** The inputs each loss takes. */
export type LossInputs<N extends LossName> = InputsOf<(typeof LOSSES)[N]>;

/** The validated hyper-parameters of each loss. */
export type LossParams<N extends LossName> = ParamsOf<(typeof LOSSES)[N]>;

/** The losses as a registry: lookup by name, validation of hyper-parameters, listing. */
export const LOSS_REGISTRY = new Registry<LossSpec<unknown, unknown>>('distillation loss', Object.values(LOSSES) as unknown as LossSpec<unknown, unknown>[], 'losses');

/** Names of all registered losses. */
export function lossNames(): string[] {
  return LOSS_REGISTRY.names();
}

/** Validates a loss's hyper-parameters (defaults filled in); throws naming the loss and each bad field. */
export function parseLossParams<N extends LossName>(name: N, params?: unknown): LossParams<N>;
export function parseLossParams(name: string, params?: unknown): unknown;
export function parseLossParams(name: string, params?: unknown): unknown {
  return LOSS_REGISTRY.parse(name, params);
}

/** Builds a loss by name from hyper-parameters (validated first). */
export function createLoss<N extends LossName>(name: N, params?: unknown): LossFn<LossInputs<N>>;
export function createLoss(name: string, params?: unknown): LossFn<unknown>;
export function createLoss(name: string, params?: unknown): LossFn<unknown> {
  const spec = LOSS_REGISTRY.get(name);
  return spec.build(LOSS_REGISTRY.parse(spec.name, params));
}

/** Every loss with its summary, paper, equation, inputs and default hyper-parameters (for `kgdistill kd --list`). */
export function describeLosses(): { name: string; summary: string; paper: string; equation: string; inputs: readonly string[]; defaults: unknown }[] {
  return LOSS_REGISTRY.entries().map((spec) => ({
    name: spec.name, summary: spec.summary, paper: spec.paper, equation: spec.equation, inputs: spec.inputs, defaults: LOSS_REGISTRY.parse(spec.name, {}),
  }));
}
