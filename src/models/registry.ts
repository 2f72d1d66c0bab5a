/** The models by name: how the CLI and checkpoints turn a model name and shape into a model. */
import type { KgeModel, ModelConfig } from '../core/model.js';
import type { ModelOptions } from './model-base.js';
import { TransE } from './transe.js';
import { DistMult } from './distmult.js';
import { ComplEx } from './complex.js';
import { RotatE } from './rotate.js';
import { RotH } from '../hyperbolic/models/roth.js';
import { RefH } from '../hyperbolic/models/refh.js';
import { AttH } from '../hyperbolic/models/atth.js';
import { MuRP } from '../hyperbolic/models/murp.js';
import { createAttE, createMuRE, createRefE, createRotE } from '../hyperbolic/models/euclidean.js';

type ModelFactory = (options: ModelOptions & Record<string, unknown>) => KgeModel;

const FACTORIES = new Map<string, ModelFactory>([
  ['TransE', (o) => new TransE(o)],
  ['DistMult', (o) => new DistMult(o)],
  ['ComplEx', (o) => new ComplEx(o)],
  ['RotatE', (o) => new RotatE(o)],
  ['RotH', (o) => new RotH(o)],
  ['RefH', (o) => new RefH(o)],
  ['AttH', (o) => new AttH(o)],
  ['MuRP', (o) => new MuRP(o)],
  ['RotE', (o) => createRotE(o)],
  ['RefE', (o) => createRefE(o)],
  ['AttE', (o) => createAttE(o)],
  ['MuRE', (o) => createMuRE(o)],
]);

/** Adds a model to the registry (used by the hyperbolic module). */
export function registerModel(name: string, factory: ModelFactory): void {
  FACTORIES.set(name, factory);
}

/** Names of all registered models. */
export function modelNames(): string[] {
  return [...FACTORIES.keys()];
}

/** Creates a model by name; unknown names get an error listing the known ones (case-insensitive match). */
export function createModel(name: string, options: ModelOptions & Record<string, unknown>): KgeModel {
  const key = [...FACTORIES.keys()].find((k) => k.toLowerCase() === name.toLowerCase());
  if (!key) throw new Error(`unknown model '${name}'; known models: ${modelNames().join(', ')}`);
  return FACTORIES.get(key)!(options);
}

/** Re-creates a model from the config saved in a checkpoint. */
export function modelFromConfig(config: ModelConfig): KgeModel {
  return createModel(config.model, { ...config.options, dim: config.dim, numEntities: config.numEntities, numRelations: config.numRelations });
}
