/**
 * `openModel(runDir)`: a trained run as an object — nearest entities, link prediction, the score (and rank) of a
 * triple, and the embeddings — through the same lookup code as `kgdistill neighbors|predict` and the service.
 */
import { z } from 'zod';
import { initBackend, type BackendRequest } from '../core/backend.js';
import { trueOrFalse } from '../kg/load-options.js';
import { runOpeningOptions } from './evaluate.js';
import { CheckpointLookup, type NeighborsResult, type PredictResult, type TripleScore } from '../lookup/checkpoint-lookup.js';
import { dataOptions, parseOptions, runReadingOptions } from './options.js';

/** An entity or relation as a query gives it: its name or vocabulary key (a string) or its id (a number). */
export type QueryTerm = string | number;

/** A query for the tails of (head, relation, ?). */
export interface TailsQuery {
  /** The known head: the answers are tails. */
  head: QueryTerm;
  /** The relation. */
  relation: QueryTerm;
  /** Not with `head`: a query asks for tails or for heads. */
  tail?: never;
}

/** A query for the heads of (?, relation, tail). */
export interface HeadsQuery {
  /** Not with `tail`: a query asks for tails or for heads. */
  head?: never;
  /** The relation. */
  relation: QueryTerm;
  /** The known tail: the answers are heads. */
  tail: QueryTerm;
}

/** A link-prediction query: the tails of (head, relation, ?) or the heads of (?, relation, tail); never both head and tail. */
export type PredictQuery = TailsQuery | HeadsQuery;

/** Options of a prediction. */
export interface PredictOptions {
  /** Leave out answers known true in train/valid/test instead of marking them. */
  filtered?: boolean;
  /** Accepted for compatibility: predictions always score every entity. */
  exact?: boolean;
}

/** Options of a neighbours query. */
export interface NeighborsOptions {
  /** Sweep every entity with the top-K kernels (exact in float32) instead of the HNSW index (built on first use). */
  exact?: boolean;
}

/** A trained model opened for queries; call `close()` when done. */
export interface OpenedModel {
  /** The run directory. */
  readonly runDir: string;
  /** Model, dimension, dataset, similarity and index facts. */
  info(): Record<string, unknown>;
  /** The k nearest entities of an entity (by name, key or id), through the index or, with `exact`, by a sweep of all. */
  neighbors(entity: string | number, k?: number, options?: NeighborsOptions): Promise<NeighborsResult>;
  /** The k best answers of a query by the model's own score. */
  predict(query: PredictQuery, k?: number, options?: PredictOptions): Promise<PredictResult>;
  /** The model's score of one triple and the filtered rank of its tail. */
  score(head: string | number, relation: string | number, tail: string | number): Promise<TripleScore>;
  /** Every parameter table (entity and relation embeddings, biases, curvatures) with the vocabularies. */
  embeddings(): ReturnType<CheckpointLookup['embeddings']>;
  /** Frees the model (its scorer and kernel worker thread); every other method then throws, a second close does nothing. */
  close(): void;
}

/** What each key of openModel's options accepts. */
const openModelOptionsSchema = z.object({ ...runOpeningOptions, dataset: dataOptions.dataset }).partial().strict();

/** What each key of a prediction's options accepts. */
const predictOptionsSchema = z.object({ filtered: trueOrFalse, exact: trueOrFalse }).partial().strict();

/** What each key of a neighbours query's options accepts. */
const neighborsOptionsSchema = z.object({ exact: trueOrFalse }).partial().strict();

/** Opens a run directory (its best checkpoint, or `last`) for queries. */
export async function openModel(runDir: string, options: { last?: boolean; backend?: BackendRequest; onNotice?: (message: string) => void; dataset?: string } = {}): Promise<OpenedModel> {
  parseOptions(openModelOptionsSchema, options, 'key', 'openModel'); // a typo such as `lats` is an error, not the best checkpoint
  await initBackend(options.backend ?? 'auto');
  const lookup = await CheckpointLookup.open(runDir, { stem: options.last ? 'last' : undefined, onNotice: options.onNotice, reading: runReadingOptions(runDir, options.onNotice), dataset: options.dataset });
  let closed = false;
  /** The lookup, unless the model was closed (its scorer and worker thread are gone: an answer would be undefined). */
  const open = (): CheckpointLookup => {
    if (closed) throw new Error(`${lookup.runDir}: this model was closed; open it again with openModel`);
    return lookup;
  };
  return {
    runDir: lookup.runDir,
    info: () => open().info(),
    neighbors: async (entity, k, neighborsOptions = {}) => {
      parseOptions(neighborsOptionsSchema, neighborsOptions, 'key', 'neighbors'); // an unknown key would be ignored
      return open().neighbors(entity, k, { exact: neighborsOptions.exact === true });
    },
    predict: async (query, k, predictOptions = {}) => {
      parseOptions(predictOptionsSchema, predictOptions, 'key', 'predict'); // a misspelled 'filterd' would answer unfiltered
      return open().predict({ ...query, k, ...predictOptions });
    },
    score: async (head, relation, tail) => open().score(head, relation, tail),
    embeddings: () => open().embeddings(),
    close: () => {
      if (!closed) lookup.close(); // a second close does nothing
      closed = true;
    },
  };
}
