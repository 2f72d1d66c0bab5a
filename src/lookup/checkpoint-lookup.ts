/**
 * Lookup queries on one trained run: the model and its entity table, the dataset's entity names and known-true
 * triples (when the dataset can be loaded), the run's indexes, and the two queries — nearest entities and link
 * prediction — with their inputs validated. Used alike by the CLI and the HTTP service.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadRun, noteIfStillTraining, otherTrainer, savedAtEpoch } from '../registry/load-run.js';
import type { CheckpointHeader } from '../core/checkpoint.js';
import type { ModelRuntime } from '../core/model-runtime.js';
import { loadDataset, type LoadOptions } from '../kg/dataset.js';
import { loadEntityNames } from '../kg/entity-names.js';
import { FilterIndex } from '../kg/filter-index.js';
import { tripleFingerprint } from '../kg/triple-fingerprint.js';
import { SPLIT_NAMES } from '../kg/types.js';
import { LookupError, resolvedAs } from './errors.js';
import { NameResolver } from './name-resolver.js';
import { IndexStore, type IndexStoreOptions } from './index-store.js';
import { HnswUnavailableError } from './hnsw.js';
import { KernelSearch, NEIGHBOR_CURVATURE, type NeighborMetric } from './kernel-search.js';
import { exactNeighbors, indexNeighbors, neighborSpace } from './neighbors.js';
import { MAX_TABLE_ENTITIES, NeighborTable } from './neighbor-table.js';
import { goldRank, type GoldRank } from './gold-rank.js';
import { pickAnswers, sweptAnswers } from './top-answers.js';
import { PredictBatcher } from './predict-batcher.js';
import type { EntityTable } from './vector-space.js';
import { defaultAnswerCount } from './answer-count.js';
import { logicalRows } from '../core/table-padding.js';

/** Options of opening a run for lookups. */
export interface OpenOptions extends IndexStoreOptions {
  /** Which checkpoint of the run (default: best, else last). */
  stem?: 'best' | 'last';
  /** `await` (CLI): build a missing neighbour index before answering; `background` (service): answer exactly meanwhile. */
  indexMode?: 'await' | 'background';
  /** Name of the run in the service (default: the directory's base name). */
  name?: string;
  /** How the run's triple files are read (delimiter, columns, header, encoding; the pipeline's `runReadingOptions`). */
  reading?: Omit<LoadOptions, 'unseen'>;
  /** The run's dataset where it is now (name or directory), when it moved since training (default: where it was); one given that cannot be read with the run's vocabulary fails the open. */
  dataset?: string;
}

/** An entity in an answer: id, vocabulary key and readable name (when the dataset has names). */
export interface EntityRef {
  id: number;
  key: string;
  name?: string;
}

/** Result of `neighbors`. */
export interface NeighborsResult {
  checkpoint: string;
  entity: EntityRef;
  metric: NeighborMetric;
  /** Curvature of the Poincaré ball distances are measured in (hyperbolic models). */
  curvature?: number;
  method: 'hnsw' | 'exact';
  neighbors: Array<EntityRef & { rank: number; distance?: number; similarity?: number }>;
}

/**
 * How an answer list was obtained. Predictions are always `exact` now (the top-K kernels over all entities);
 * `hnsw+bound` (index candidates certified by a bound) is no longer produced and stays in the type for readers
 * of older results.
 */
export type PredictMethod = 'hnsw' | 'hnsw+bound' | 'exact';

/** Arguments of `predict`: exactly one of head (predict tails) and tail (predict heads). */
export interface PredictArgs {
  head?: unknown;
  tail?: unknown;
  relation: unknown;
  /** How many answers (default: 10, or fewer when the model has fewer entities or `maxK` is lower; answer-count.ts). */
  k?: number;
  filtered?: boolean;
  /** Accepted for compatibility: every prediction scores all entities. */
  exact?: boolean;
}

/** Result of `predict`. */
export interface PredictResult {
  checkpoint: string;
  direction: 'tails' | 'heads';
  given: EntityRef;
  relation: { id: number; key: string };
  filtered: boolean;
  method: PredictMethod;
  scored: number;
  note?: string;
  answers: Array<EntityRef & { rank: number; score: number; known?: boolean }>;
}

/** Result of `score`: one triple's model score and the filtered and raw rank of its tail among all entities. */
export interface TripleScore {
  checkpoint: string;
  head: EntityRef;
  relation: { id: number; key: string };
  tail: EntityRef;
  score: number;
  /** Rank of the tail for (head, relation, ?) among all entities (ties: mean of optimistic and pessimistic). */
  rank: { filtered?: number; raw: number };
  /** Whether the triple is in the run's train, valid or test split (when the dataset is loaded). */
  known?: boolean;
}

/**
 * The k of a query: without one, the default (answer-count.ts); else checks that k is an integer from 1 to the
 * smaller of `maxK` (the caller's cap, e.g. the service's --max-k) and `available` (the entities there are to list:
 * `what`); a k too large says which of the two limits it.
 */
function checkK(k: unknown, maxK: number | undefined, available: number, what: string): number {
  if (k === undefined) return defaultAnswerCount(maxK, available);
  if (typeof k === 'object' && k !== null) { // neighbors('e1', { k: 5 }): the options given in k's place
    throw new LookupError('invalid', `k must be a positive integer, got an object (${JSON.stringify(k) ?? String(k)}): k is the number of answers, and the options come after it, e.g. neighbors('e1', 5, { exact: true })`);
  }
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) throw new LookupError('invalid', `k must be a positive integer, got ${typeof k === 'string' ? JSON.stringify(k) : String(k)}`);
  const max = Math.min(maxK ?? Infinity, available);
  if (k > max) throw new LookupError('invalid', `k must be at most ${max}, got ${k} (${max === available ? `this model has ${available} ${what}` : 'the largest k this service answers'})`);
  return k;
}

/** A trained run opened for lookups. */
export class CheckpointLookup {
  readonly entities: NameResolver;
  readonly relations: NameResolver;
  readonly store: IndexStore;
  /** The kernel side of the queries (query points, top-K sweeps, candidate scores). */
  readonly search: KernelSearch;
  private readonly batcher: PredictBatcher;
  private neighborTable?: NeighborTable;
  private tableBuild?: Promise<void>;
  private closed = false;
  /** Set when warm() found hnswlib-node's native addon missing: neighbours are then answered exactly. */
  private indexUnavailable?: HnswUnavailableError;

  private constructor(
    readonly name: string,
    readonly runDir: string,
    readonly header: CheckpointHeader,
    readonly runtime: ModelRuntime,
    readonly table: EntityTable,
    readonly known: FilterIndex | undefined,
    readonly datasetNote: string | undefined,
    names: Map<string, string> | undefined,
    private readonly indexMode: 'await' | 'background',
    stem: string,
    options: IndexStoreOptions,
  ) {
    const vocab = header.vocab;
    const nameOf = names ? vocab.entities.map((key) => names.get(key)) : undefined;
    this.entities = new NameResolver('entity', vocab.entities, nameOf ? (id) => nameOf[id] : undefined);
    this.relations = new NameResolver('relation', vocab.relations);
    this.store = new IndexStore(runDir, stem, table, header.model, options);
    this.search = new KernelSearch(runtime);
    this.batcher = new PredictBatcher(this.search);
  }

  /** How neighbours are measured: Euclidean or L1 distance, inner product, or Poincaré distance at c = 1. */
  get metric(): NeighborMetric {
    return this.search.metric;
  }

  /** Opens a run directory: checkpoint, model, dataset names and known triples (without the dataset: no filtering). */
  static async open(runDir: string, options: OpenOptions = {}): Promise<CheckpointLookup> {
    const dir = path.resolve(runDir);
    const run = await loadRun(dir, options.stem, options.onNotice);
    noteIfStillTraining(run, options.onNotice);
    const { runtime, header } = run;
    const model = runtime.model;
    const entity = runtime.store.table(model.candidateTable);
    const bias = model.tailBiasTable ? runtime.store.table(model.tailBiasTable) : undefined;
    // the asked width: an index file, a projection and every row that leaves here hold no column stored only for the kernels
    const { values, dim } = logicalRows(entity);
    const table: EntityTable = { rows: values, count: entity.rows, dim, tailBias: bias?.data.array.slice() };
    let known: FilterIndex | undefined;
    let names: Map<string, string> | undefined;
    let problem: string | undefined; // why the dataset gives no known-triple marking
    let hint = '';
    const datasetSpec = options.dataset ?? header.dataset.dir ?? header.dataset.name;
    try {
      const dataset = await loadDataset(datasetSpec, { ...options.reading, unseen: header.dataset.unseen ?? 'drop' });
      const same = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
      // the run's own dataset must still hold the triples it trained with (as eval checks): else its marks would be another graph's
      const saved = options.dataset === undefined ? header.dataset.triples : undefined;
      const changed = saved && SPLIT_NAMES.find((split) => saved[split] !== tripleFingerprint(dataset[split]));
      if (!same(dataset.entities.names, header.vocab.entities) || !same(dataset.relations.names, header.vocab.relations)) {
        problem = `dataset ${datasetSpec} has another vocabulary than the checkpoint`;
      } else if (changed) {
        problem = `dataset ${datasetSpec}: its ${changed} triples differ from those the run was trained with (the dataset changed since)`;
        hint = ' (neighbors, predict and serve take --dataset <dir>, openModel takes dataset, to mark answers by these files knowingly)';
        names = dataset.entityNames;
      } else {
        known = FilterIndex.build(header.model.numEntities, header.model.numRelations, [dataset.train, dataset.valid, dataset.test]);
        names = dataset.entityNames;
      }
    } catch (error) {
      problem = `dataset ${datasetSpec} not loaded (${(error as Error).message})`;
      if (options.dataset === undefined) {
        hint = ' (if it moved: neighbors, predict and serve take --dataset <where it is now>; openModel takes dataset)';
        if (header.dataset.dir) names = await loadEntityNames(header.dataset.dir).catch(() => undefined);
      }
    }
    if (problem !== undefined && options.dataset !== undefined) {
      // a dataset the caller named must be the run's: answers without its marking (and raw ranks) would pass for right
      runtime.dispose();
      throw new Error(`${problem}: the dataset given must be the run's (where it is now), or left out`);
    }
    const note = problem === undefined ? undefined : `${problem}: no known-triple marking${hint}`;
    if (note) options.onNotice?.(note);
    const stem = path.basename(run.file, '.json');
    return new CheckpointLookup(options.name ?? path.basename(dir), dir, header, runtime, table, known, note, names, options.indexMode ?? 'await', stem, options);
  }

  /** The entity reference of an id. */
  ref(id: number): EntityRef {
    const name = this.entities.name(id);
    return name === undefined ? { id, key: this.entities.key(id) } : { id, key: this.entities.key(id), name };
  }

  /** Model facts for the model-info endpoint (no file-system paths: `runDir` is a property of its own). */
  info(): Record<string, unknown> {
    const { model, dim, numEntities } = this.header.model;
    const note = [this.datasetNote, this.trainingNote() ?? this.replacedNote()].filter((n) => n !== undefined).join('; ');
    return {
      name: this.name, model, dim, entities: numEntities, relations: this.header.vocab.relations,
      similarity: this.runtime.model.similarity, neighborMetric: this.metric, tailBias: this.table.tailBias !== undefined,
      dataset: this.header.dataset.name, knownTriples: this.known !== undefined, entityNames: this.entities.named,
      indexes: this.store.loaded().map((i) => ({ id: i.id, origin: i.origin, buildSeconds: i.buildSeconds, fileBytes: i.fileBytes })),
      ...(note ? { note } : {}),
    };
  }

  /**
   * Said while another process trains the run (it holds the run's lock): answers come from the checkpoint loaded,
   * of its epoch, while the files on disk (curves, test figures, newer checkpoints) move on.
   */
  trainingNote(): string | undefined {
    const holder = otherTrainer(this.runDir);
    if (!holder) return undefined;
    return `the run is still being trained by process ${holder.pid} on ${holder.host}: answers come from the checkpoint loaded${savedAtEpoch(this.header)}, its curves are the training's so far; once it ends, restart to serve its final checkpoint`;
  }

  /**
   * Said when the run directory no longer holds the checkpoint binary this lookup loaded (each save writes a binary of
   * a new name): the run was trained again or replaced, and its files on disk are of another model than the one served.
   */
  replacedNote(): string | undefined {
    if (existsSync(path.join(this.runDir, this.header.binary.file))) return undefined;
    return 'the run directory no longer holds the checkpoint served (trained again or replaced since it was loaded): what is read from it now (test figures, curves) may be of another model; restart to serve that one';
  }

  /**
   * Loads or builds the neighbour index and waits for it (predictions need no index); with `table`, also the
   * exact neighbour table of every entity (neighbor-table.ts; skipped past MAX_TABLE_ENTITIES entities), waited for
   * or (`'background'`) started and left to finish while the index answers.
   */
  async warm(options: { table?: boolean | 'background' } = {}): Promise<void> {
    try {
      await this.store.get(neighborSpace(this.metric));
    } catch (error) {
      if (!(error instanceof HnswUnavailableError)) throw error;
      this.indexUnavailable = error; // a service without the addon answers every neighbour query exactly
    }
    if (options.table && this.table.count <= MAX_TABLE_ENTITIES) {
      this.tableBuild ??= NeighborTable.build(this.search, () => this.closed).then((built) => {
        this.neighborTable = built;
        if (!built) this.tableBuild = undefined; // cancelled by close(): nothing is being built any more
      });
      if (options.table !== 'background') return this.tableBuild;
      // answers come from the index until the table is there; a failed build leaves them so (and may be tried again)
      this.tableBuild.catch(() => { this.tableBuild = undefined; });
    }
  }

  /** The exact neighbour table: built, being built, or not there (not wanted, too many entities, or closed). */
  get tableState(): 'ready' | 'building' | 'none' {
    if (this.closed) return 'none';
    return this.neighborTable ? 'ready' : this.tableBuild ? 'building' : 'none';
  }

  /** Whether the neighbour index is in memory, or cannot be had here and exact answers stand in (the service is ready once it is). */
  get indexReady(): boolean {
    return this.indexUnavailable !== undefined || this.store.peek(neighborSpace(this.metric)) !== undefined;
  }

  /** Why warm() found no HNSW index possible on this machine (the native addon is missing), if it did. */
  get indexProblem(): HnswUnavailableError | undefined {
    return this.indexUnavailable;
  }

  /** The k nearest entities of an entity (by name, key or id). */
  async neighbors(entityInput: unknown, kInput?: unknown, options: { exact?: boolean; maxK?: number } = {}): Promise<NeighborsResult> {
    const entity = this.entities.resolve(entityInput);
    const k = checkK(kInput, options.maxK, this.table.count - 1, 'entities besides the query');
    const spec = neighborSpace(this.metric);
    let method: 'hnsw' | 'exact' = 'exact';
    let found = this.neighborTable?.get(entity, k);
    if (found) {
      // read from the exact table
    } else if (!options.exact && !this.indexUnavailable && (this.indexMode === 'await' || this.store.peek(spec))) {
      ({ neighbors: found, method } = await indexNeighbors(this.store, this.search, this.table, entity, k));
    } else {
      if (!options.exact && !this.indexUnavailable) this.store.prepare(spec);
      found = exactNeighbors(this.search, entity, k);
    }
    const field = this.metric === 'dot' ? 'similarity' : 'distance';
    return {
      checkpoint: this.name,
      entity: this.ref(entity),
      metric: this.metric,
      ...(this.metric === 'poincare' ? { curvature: NEIGHBOR_CURVATURE } : {}),
      method,
      neighbors: found.map((n, i) => ({ rank: i + 1, ...this.ref(n.id), [field]: n.value })),
    };
  }

  /** Top-k tails of (head, relation, ?) or heads of (?, relation, tail) by the model's score. */
  async predict(args: PredictArgs, options: { maxK?: number } = {}): Promise<PredictResult> {
    const hasHead = args.head !== undefined && args.head !== null;
    const hasTail = args.tail !== undefined && args.tail !== null;
    if (hasHead === hasTail) throw new LookupError('invalid', hasHead ? 'predict lists the answers of a query: give head or tail, not both; score(head, relation, tail) scores one triple and gives its filtered rank' : 'give head (to predict tails) or tail (to predict heads)');
    const given = this.entities.resolve(hasHead ? args.head : args.tail);
    const relation = this.relations.resolve(args.relation);
    const k = checkK(args.k, options.maxK, this.table.count, 'entities');
    const filtered = args.filtered === true;
    if (filtered && !this.known) throw new LookupError('unavailable', `filtering needs the run's dataset: ${this.datasetNote ?? 'not loaded'}`);
    const R = this.header.model.numRelations;
    const queryRelation = hasHead ? relation : relation + R;
    // concurrent predictions share one sweep of the table (answers as each query alone)
    const found = await this.batcher.predict(given, queryRelation, sweptAnswers(this.search, this.known, given, queryRelation, k, filtered));
    const answers = pickAnswers(found, this.known, given, queryRelation, k, filtered);
    return {
      checkpoint: this.name,
      direction: hasHead ? 'tails' : 'heads',
      given: this.ref(given),
      relation: { id: relation, key: this.relations.key(relation) },
      filtered,
      method: 'exact',
      scored: this.table.count,
      answers: answers.map((a, i) => ({ rank: i + 1, ...this.ref(a.id), score: a.score, ...(a.known === undefined ? {} : { known: a.known }) })),
    };
  }

  /** The model's score of (head, relation, tail) and the tail's rank among all entities (filtered when the dataset is loaded). */
  async score(headInput: unknown, relationInput: unknown, tailInput: unknown): Promise<TripleScore> {
    const head = resolvedAs('head', () => this.entities.resolve(headInput)); // two entities given: an unknown one is named by its place
    const relation = this.relations.resolve(relationInput);
    const tail = resolvedAs('tail', () => this.entities.resolve(tailInput));
    const { score, raw, filtered } = await this.rankOf(head, relation, tail);
    const known = this.known ? this.known.answers(head, relation).includes(tail) : undefined;
    return {
      checkpoint: this.name, head: this.ref(head), relation: { id: relation, key: this.relations.key(relation) }, tail: this.ref(tail),
      score, rank: { ...(filtered === undefined ? {} : { filtered }), raw }, ...(known === undefined ? {} : { known }),
    };
  }

  /**
   * Where the model puts `gold` for (entity, queryRelation) (ids; queryRelation ≥ R asks for heads): its score, raw
   * rank and, with the dataset, filtered rank — from the lookup's one all-entity scorer.
   */
  async rankOf(entity: number, queryRelation: number, gold: number): Promise<GoldRank> {
    return goldRank(await this.exactScores(entity, queryRelation), this.table.count, this.known, entity, queryRelation, gold);
  }

  /** The entity and relation embeddings (copies), with the vocabulary keys, for export and exploration. */
  embeddings(): { entities: string[]; relations: string[]; tables: Record<string, { rows: number; dim: number; indexedBy: 'entity' | 'relation'; values: Float32Array }> } {
    const tables: Record<string, { rows: number; dim: number; indexedBy: 'entity' | 'relation'; values: Float32Array }> = {};
    for (const table of this.runtime.store.tables()) {
      const { values, dim } = logicalRows(table); // the model's own width: columns stored only for the kernels left out
      tables[table.spec.name] = { rows: table.rows, dim, indexedBy: table.spec.indexedBy, values };
    }
    return { entities: [...this.header.vocab.entities], relations: [...this.header.vocab.relations], tables };
  }

  /** Frees the all-entity scorer and the kernel worker thread. */
  close(): void {
    this.closed = true;
    this.search.dispose();
    this.runtime.dispose(); // its kernel worker thread, which holds the model's memory
  }

  private async exactScores(entity: number, queryRelation: number): Promise<Float32Array> {
    return this.search.entityScorer().scoreAll(Int32Array.of(entity), Int32Array.of(queryRelation));
  }
}
