/** What every model shares: the options it accepts, its checkpoint config, the common table layouts (PyKEEN's representations). */
import type { InitSpec, ModelConfig, TableSpec } from './model.js';

/** Options every model accepts. */
export interface ModelOptions {
  dim: number;
  numEntities: number;
  numRelations: number;
  /** Standard deviation of the normal initialisation of embeddings (Chami et al. 2020's code: 1e-3). */
  initScale?: number;
}

/** Default init scale, as in Chami et al. 2020's code. */
export const DEFAULT_INIT_SCALE = 1e-3;

/** The config a model records in its checkpoint. */
export function modelConfig(model: string, options: ModelOptions, extra: Record<string, number | string | boolean> = {}): ModelConfig {
  if (!Number.isInteger(options.dim) || options.dim <= 0) throw new Error(`${model}: dim must be a positive integer (got ${options.dim})`);
  return {
    model,
    dim: options.dim,
    numEntities: options.numEntities,
    numRelations: options.numRelations,
    options: { initScale: options.initScale ?? DEFAULT_INIT_SCALE, ...extra },
  };
}

/** A normal(0, scale) init spec. */
export function normalInit(scale: number): InitSpec {
  return { kind: 'normal', std: scale };
}

/** An entity-indexed embedding table spec. */
export function entityTable(name: string, dim: number, init: InitSpec, regularize = true): TableSpec {
  return { name, indexedBy: 'entity', dim, init, regularize };
}

/** A relation-indexed (2R rows, with reciprocals) table spec. */
export function relationTable(name: string, dim: number, init: InitSpec, regularize = true): TableSpec {
  return { name, indexedBy: 'relation', dim, init, regularize };
}

/** Throws unless dim is even (complex and Givens models pair coordinates). */
export function requireEvenDim(model: string, dim: number): void {
  if (dim % 2 !== 0) throw new Error(`${model}: dim must be even (got ${dim})`);
}
