/**
 * The registry of distillation losses, chosen by name with validated hyper-parameters:
 *
 *   const kd = createLoss('hinton-kd', { temperature: 4, alpha: 0.9 });
 *   const loss = kd({ student, teacher, labels });
 *
 * Unknown names and bad hyper-parameters (wrong type, out of range, unknown key) throw an error that names the
 * loss and every offending field. `describeLosses()` lists each loss with its paper and equation.
 */
import { ceLoss, hintonKdLoss, kdLoss } from './classification.js';
import { dcmLoss, dmlLoss } from './mutual.js';
import { ntXentLoss, similarityKlLoss } from './contrastive.js';
import { attentionLoss, diversityLoss, featureMseLoss } from './feature.js';
import { focalLoss } from './focal.js';
import { ntdLoss } from './not-true.js';
import { cbdLoss } from './cbd.js';
import { boundedRegressionLoss, hintLoss, weightedKdLoss } from './detection.js';
import type { LossFn, LossSpec } from './loss-spec.js';

/** Every registered loss, by name. */
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

/** A loss chosen in a configuration: its name and (unvalidated) hyper-parameters. */
export interface LossChoice {
  name: string;
  params?: Record<string, unknown>;
}

/** Names of all registered losses. */
export function lossNames(): LossName[] {
  return Object.keys(LOSSES) as LossName[];
}

/** True when `name` is a registered loss. */
export function isLossName(name: string): name is LossName {
  return Object.prototype.hasOwnProperty.call(LOSSES, name);
}

/** The spec of a loss by name, or an error listing the known names. */
export function lossSpec(name: string): LossSpec<unknown, unknown> {
  if (!isLossName(name)) throw new Error(`unknown distillation loss '${name}'; known losses: ${lossNames().join(', ')}`);
  return LOSSES[name] as unknown as LossSpec<unknown, unknown>;
}

/** Validates a loss's hyper-parameters (defaults filled in); throws naming the loss and each bad field. */
export function parseLossParams<N extends LossName>(name: N, params?: unknown): LossParams<N>;
export function parseLossParams(name: string, params?: unknown): unknown;
export function parseLossParams(name: string, params?: unknown): unknown {
  const spec = lossSpec(name);
  const result = spec.schema.safeParse(params ?? {});
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`);
    throw new Error(`invalid hyper-parameters for loss '${name}': ${problems.join('; ')}`);
  }
  return result.data;
}

/** Builds a loss by name from hyper-parameters (validated first). */
export function createLoss<N extends LossName>(name: N, params?: unknown): LossFn<LossInputs<N>>;
export function createLoss(name: string, params?: unknown): LossFn<unknown>;
export function createLoss(name: string, params?: unknown): LossFn<unknown> {
  const spec = lossSpec(name);
  return spec.build(parseLossParams(name, params));
}

/** Builds a loss from a configuration entry `{ name, params }`. */
export function lossFromChoice(choice: LossChoice): LossFn<unknown> {
  return createLoss(choice.name, choice.params);
}

/** One line per loss: name, summary, paper and equation (for `kgdistill kd --list`). */
export function describeLosses(): { name: string; summary: string; paper: string; equation: string; inputs: readonly string[]; defaults: unknown }[] {
  return lossNames().map((name) => {
    const spec = LOSSES[name] as unknown as LossSpec<unknown, unknown>;
    return { name, summary: spec.summary, paper: spec.paper, equation: spec.equation, inputs: spec.inputs, defaults: parseLossParams(name, {}) };
  });
}
