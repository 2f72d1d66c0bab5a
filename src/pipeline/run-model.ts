/**
 * A run's model from its settings: the options every model takes, and the model-specific ones the run's flags set
 * (`norm` → the `norm` of TransE and RotatE, `entityConstraint` → TransE's); a model-specific option given for
 * another model, or a model that cannot train the way the settings ask (1-N scoring of a similarity without a
 * matrix-product form), is an error naming the option by its source: the flag, the key, or the config file and key
 * (`--config run.yaml: key 'norm'`) a value came from.
 */
import type { KgeModel } from '../core/model.js';
import type { RunData } from '../core/training-data.js';
import { isDifferenceSimilarity } from '../core/similarity-tf.js';
import { createModel } from '../registry/models.js';
import { optionName, type CommonSettings, type OptionNaming } from './option-schemas.js';

/** The models whose distance takes a norm (`norm`, models/distance-norm.ts). */
const NORM_MODELS = ['transe', 'rotate'];

/** How a run names its options in errors: by flag or key (`naming`), a config file's keys by file and key (`keySources`, RunHooks'). */
export interface RunNaming {
  naming?: OptionNaming;
  keySources?: Readonly<Record<string, string>>;
}

/** Creates the model `name` of a run with the settings' shape, init scale and model-specific options. */
export function createRunModel(name: string, s: CommonSettings, data: RunData, naming: OptionNaming | RunNaming = 'key'): KgeModel {
  const how: RunNaming = typeof naming === 'string' ? { naming } : naming;
  const label = (key: string): string => optionName(key, how.keySources ?? {}, how.naming ?? 'key');
  const normed = NORM_MODELS.includes(name.toLowerCase());
  if (s.norm !== undefined && !normed) throw new Error(`${label('norm')} applies to TransE and RotatE only (the model is ${name})`);
  const transe = name.toLowerCase() === 'transe';
  if (s.entityConstraint !== undefined && !transe) throw new Error(`${label('entityConstraint')} applies to TransE only (the model is ${name})`);
  const model = createModel(name, { dim: s.dim, numEntities: data.numEntities, numRelations: data.numRelations, initScale: s.initScale,
    ...(normed && s.norm !== undefined ? { norm: s.norm } : {}), ...(transe && s.entityConstraint !== undefined ? { entityConstraint: s.entityConstraint } : {}) });
  if (s.oneToN && isDifferenceSimilarity(model.similarity)) {
    throw new Error(`${label('oneToN')} scores every entity through a matrix product, which the L1 distance of ${model.config.model} has not: `
      + `train it with sampled negatives (${label('neg')}), or with ${label('norm')} 2`);
  }
  return model;
}
