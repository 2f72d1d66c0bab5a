/**
 * A run's model from its settings: the options every model takes, and the model-specific ones the run's flags set
 * (`norm` → the `norm` of TransE and RotatE, `entityConstraint` → TransE's); a model-specific option given for
 * another model, or a model that cannot train the way the settings ask (1-N scoring of a similarity without a
 * matrix-product form), is an error naming the option by its source: the flag, the key, or the config file and key
 * (`--config run.yaml: key 'norm'`) a value came from — an OptionsError, a usage error (exit 2).
 */
import type { KgeModel } from '../core/model.js';
import type { RunData } from '../core/training-data.js';
import { isDifferenceSimilarity } from '../core/similarity-tf.js';
import { createModel, MODELS } from '../registry/models.js';
import { optionName, type CommonSettings, type OptionNaming } from './option-schemas.js';
import { conflictingOptions, refusedOption } from './options-error.js';

/** The models whose distance takes a norm (`norm`, models/distance-norm.ts). */
const NORM_MODELS = ['transe', 'rotate'];

/**
 * How a run names its options in errors: by flag or key (`naming`), a config file's keys by file and key (`keySources`,
 * RunHooks'), or each key as `label` says (the explorer's form: its fields' labels), which then decides alone.
 */
export interface RunNaming {
  naming?: OptionNaming;
  keySources?: Readonly<Record<string, string>>;
  label?: (key: string) => string;
}

/**
 * Refuses a model name no model has, and a model-specific option given for a model without it (`norm` but for TransE
 * and RotatE, `entityConstraint` but for TransE), as an OptionsError naming the model's key (`modelKey`: `model`,
 * distill's `student`): a usage error. It needs no data: a new run checks it before loading its dataset, createRunModel again.
 */
export function checkModelOptions(name: string, s: CommonSettings, label: (key: string) => string, modelKey = 'model'): void {
  if (!MODELS.has(name)) throw refusedOption(MODELS.unknownNameMessage(name), modelKey, name);
  const values = { ...s, [modelKey]: name };
  if (s.norm !== undefined && !NORM_MODELS.includes(name.toLowerCase())) {
    throw conflictingOptions(`${label('norm')} applies to TransE and RotatE only (the model is ${name})`, ['norm', modelKey], values);
  }
  if (s.entityConstraint !== undefined && name.toLowerCase() !== 'transe') {
    throw conflictingOptions(`${label('entityConstraint')} applies to TransE only (the model is ${name})`, ['entityConstraint', modelKey], values);
  }
}

/**
 * Data counts for a model made before its data is loaded (all createRunModel reads of the data): its tables' widths,
 * and its refusals of the settings, which do not depend on the counts.
 */
export const COUNTS_BEFORE_LOADING = { numEntities: 1, numRelations: 1 } as RunData;

/**
 * Creates the model `name` of a run with the settings' shape, init scale and model-specific options (`modelKey`: the
 * settings' key naming the model, for the errors' problems). 1-N training of an L1 model is refused here, once the
 * model says its similarity.
 */
export function createRunModel(name: string, s: CommonSettings, data: RunData, naming: OptionNaming | RunNaming = 'key', modelKey = 'model'): KgeModel {
  const how: RunNaming = typeof naming === 'string' ? { naming } : naming;
  const label = how.label ?? ((key: string): string => optionName(key, how.keySources ?? {}, how.naming ?? 'key'));
  checkModelOptions(name, s, label, modelKey);
  const normed = NORM_MODELS.includes(name.toLowerCase());
  const transe = name.toLowerCase() === 'transe';
  const model = createModel(name, { dim: s.dim, numEntities: data.numEntities, numRelations: data.numRelations, initScale: s.initScale,
    ...(normed && s.norm !== undefined ? { norm: s.norm } : {}), ...(transe && s.entityConstraint !== undefined ? { entityConstraint: s.entityConstraint } : {}) });
  if (s.oneToN && isDifferenceSimilarity(model.similarity)) {
    throw conflictingOptions(`${label('oneToN')} scores every entity through a matrix product, which the L1 distance of ${model.config.model} has not: `
      + `train it with sampled negatives (${label('neg')}), or with ${label('norm')} 2`, ['oneToN', modelKey, ...(s.norm !== undefined ? ['norm'] : [])], { ...s, [modelKey]: name });
  }
  return model;
}
