/** What every model shares: the options it accepts, its checkpoint config, the common table layouts (PyKEEN's representations). */
import type { InitSpec, ModelConfig, TableSpec } from './model.js';

/** Options every model accepts. */
export interface ModelOptions {
  dim: number;
  numEntities: number;
  numRelations: number;
  /**
   * Standard deviation of a normal initialisation of the embeddings. When absent each model starts as its paper
   * does: normal(0, 1e-3) for DistMult, ComplEx and the models of Chami et al. 2020 (KGEmb's init_size), uniform
   * ±6/√d for TransE (Bordes et al. 2013), uniform ±(γ + 2)/(d/2) entities for RotatE (Sun et al. 2019's code).
   */
  initScale?: number;
}

/** Default init scale, as in Chami et al. 2020's code. */
export const DEFAULT_INIT_SCALE = 1e-3;

/**
 * The config a model records in its checkpoint: its shape and how its embeddings were initialised — `initScale`
 * (normal), or `init` naming the paper's initialisation for models that have their own (`paperInit`).
 */
export function modelConfig(model: string, options: ModelOptions, extra: Record<string, number | string | boolean> = {}, paperInit?: string): ModelConfig {
  if (!Number.isInteger(options.dim) || options.dim <= 0) throw new Error(`${model}: dim must be a positive integer (got ${options.dim})`);
  const init: Record<string, number | string> = paperInit !== undefined && options.initScale === undefined ? { init: paperInit } : { initScale: options.initScale ?? DEFAULT_INIT_SCALE };
  return {
    model,
    dim: options.dim,
    numEntities: options.numEntities,
    numRelations: options.numRelations,
    options: { ...init, ...extra },
  };
}

/** `paper` when no `initScale` was given, else normal(0, initScale). */
export function paperOrNormal(options: ModelOptions, paper: InitSpec): InitSpec {
  return options.initScale === undefined ? paper : normalInit(options.initScale);
}

/** A normal(0, scale) init spec. */
export function normalInit(scale: number): InitSpec {
  return { kind: 'normal', std: scale };
}

/** An entity-indexed embedding table spec. */
export function entityTable(name: string, dim: number, init: InitSpec, regularize = true): TableSpec {
  return { name, indexedBy: 'entity', dim, init, regularize };
}

/** The same table spec with rows read as [Re | Im] halves of complex numbers (for the regulariser). */
export function complexPairs(spec: TableSpec): TableSpec {
  return { ...spec, complexPairs: true };
}

/** A relation-indexed (2R rows, with reciprocals) table spec. */
export function relationTable(name: string, dim: number, init: InitSpec, regularize = true): TableSpec {
  return { name, indexedBy: 'relation', dim, init, regularize };
}

/** Throws unless dim is even (complex and Givens models pair coordinates). */
export function requireEvenDim(model: string, dim: number): void {
  if (dim % 2 !== 0) throw new Error(`${model}: dim must be even (got ${dim})`);
}
