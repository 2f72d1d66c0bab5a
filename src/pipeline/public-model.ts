/**
 * `openModel` as the package entry exports it: the opened model typed exactly (`info()`, `embeddings()`, a predict
 * query that names head or tail, never both), over pipeline/open-model.ts, which does the work.
 */
import type { BackendRequest } from '../core/backend.js';
import type { SimilarityName } from '../core/model.js';
import type { NeighborMetric } from '../lookup/kernel-search.js';
import type { NeighborsResult, PredictResult, TripleScore } from '../lookup/checkpoint-lookup.js';
import { openModel as openRunModel, type NeighborsOptions, type OpenedModel as RunModel, type PredictOptions, type PredictQuery, type QueryTerm } from './open-model.js';

export type { QueryTerm, TailsQuery, HeadsQuery, PredictQuery } from './open-model.js';

/** Options of {@link openModel}. */
export interface OpenModelOptions {
  /** Open the run's last checkpoint instead of its best. */
  last?: boolean;
  /** The tfjs backend (default `auto`: tfjs-node when installed, else wasm). */
  backend?: BackendRequest;
  /** Told what opening noticed (a dataset that moved or changed, a run still training); default: nothing is said. */
  onNotice?: (message: string) => void;
  /** The run's dataset where it is now, if it moved since training (default: where it was): names and known triples. */
  dataset?: string;
}

/** A neighbour index the opened model holds (built on first use of `neighbors` without `exact`). */
export interface ModelIndexInfo {
  /** The index's id (the space it indexes). */
  id: string;
  /** `loaded` from its file, or `built` now. */
  origin: 'loaded' | 'built';
  /** Seconds its build took (0 when loaded). */
  buildSeconds: number;
  /** Size of its saved file in bytes (0 when saving failed). */
  fileBytes: number;
}

/** What `info()` tells of an opened model (no file-system paths: `runDir` is a property of its own). */
export interface ModelInfo {
  /** The run's name (its directory's base name). */
  name: string;
  /** The model (its registry name, e.g. `RotH`). */
  model: string;
  /** Embedding dimension. */
  dim: number;
  /** Number of entities. */
  entities: number;
  /** The relations' vocabulary keys, by id. */
  relations: string[];
  /** The model's similarity (its score function's family). */
  similarity: SimilarityName;
  /** How `neighbors` measures closeness. */
  neighborMetric: NeighborMetric;
  /** Whether the model has a per-entity tail bias. */
  tailBias: boolean;
  /** The dataset the run was trained on (its name). */
  dataset: string;
  /** Whether the dataset was loaded, so answers known true are marked (or left out with `filtered`). */
  knownTriples: boolean;
  /** Whether the dataset has readable entity names. */
  entityNames: boolean;
  /** The neighbour indexes loaded or built so far. */
  indexes: ModelIndexInfo[];
  /** What opening noticed (a dataset not loaded, a run trained again since it was opened); absent when nothing. */
  note?: string;
}

/** One parameter table of a model (entity or relation embeddings, biases, curvatures), as a copy. */
export interface EmbeddingTable {
  /** Number of rows (entities or relations). */
  rows: number;
  /** Values per row. */
  dim: number;
  /** Whether a row is an entity's or a relation's. */
  indexedBy: 'entity' | 'relation';
  /** The rows, row-major (`rows × dim` values). */
  values: Float32Array;
}

/** What `embeddings()` returns: every parameter table by name, with the vocabularies that index them. */
export interface ModelEmbeddings {
  /** The entities' vocabulary keys, by id. */
  entities: string[];
  /** The relations' vocabulary keys, by id. */
  relations: string[];
  /** Each parameter table by its name (e.g. `entity`, `relation`). */
  tables: Record<string, EmbeddingTable>;
}

/** A trained model opened for queries; call `close()` when done. */
export interface OpenedModel {
  /** The run directory. */
  readonly runDir: string;
  /** Model, dimension, dataset, similarity and index facts. */
  info(): ModelInfo;
  /** The k nearest entities of an entity (by name, key or id), through the index or, with `exact`, by a sweep of all. */
  neighbors(entity: QueryTerm, k?: number, options?: NeighborsOptions): Promise<NeighborsResult>;
  /** The k best answers of a query by the model's own score. */
  predict(query: PredictQuery, k?: number, options?: PredictOptions): Promise<PredictResult>;
  /** The model's score of one triple and the filtered rank of its tail. */
  score(head: QueryTerm, relation: QueryTerm, tail: QueryTerm): Promise<TripleScore>;
  /** Every parameter table (entity and relation embeddings, biases, curvatures) with the vocabularies. */
  embeddings(): ModelEmbeddings;
  /** Frees the model (its scorer and kernel worker thread); every other method then throws, a second close does nothing. */
  close(): void;
}

/** The run-time model's methods, each assignable to the public one (a drift in open-model.ts is a compile error here). */
type Checked<T extends true> = T;
type Assignable<From, To> = [From] extends [To] ? true : false;
type _RunModelFits = Checked<Assignable<Omit<RunModel, 'info'>, Omit<OpenedModel, 'info'>>>;

/** Opens a run directory (its best checkpoint, or `last`) for queries. */
export async function openModel(runDir: string, options: OpenModelOptions = {}): Promise<OpenedModel> {
  const model = await openRunModel(runDir, options);
  // the one cast: CheckpointLookup.info() is declared Record<string, unknown>; its object is a ModelInfo (checked by test/api/public-types.test.ts)
  const runInfo = model.info;
  return Object.assign(model, { info: (): ModelInfo => runInfo() as unknown as ModelInfo }) satisfies OpenedModel;
}
