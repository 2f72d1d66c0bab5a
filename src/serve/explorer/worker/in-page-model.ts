/**
 * The model trained in the page, answering the explorer's queries in the worker with the service's own pieces: the
 * name resolver (suggestions), the kernel search (exact neighbours and top-K predictions over all entities), the
 * known-true filter of the three splits, and the neighbourhood projection — the answers have the shapes of the
 * server's routes, so the page shows them the same way.
 */
import type { ModelRuntime } from '../../../core/model-runtime.js';
import type { RunData } from '../../../core/training-data.js';
import { LookupError, resolvedAs } from '../../../lookup/errors.js';
import { goldRank } from '../../../lookup/gold-rank.js';
import { KernelSearch, NEIGHBOR_CURVATURE } from '../../../lookup/kernel-search.js';
import { NameResolver } from '../../../lookup/name-resolver.js';
import { projectNeighbourhood } from '../../../lookup/projection.js';
import { topAnswers } from '../../../lookup/top-answers.js';
import type { EntityTable } from '../../../lookup/vector-space.js';
import { defaultAnswerCount } from '../../../lookup/answer-count.js';
import type { EntityRef, ModelSummary, NeighborsResult, PredictArgs, PredictResult, ProjectionResult, ScoreArgs, SuggestResult, TripleScore } from '../protocol.js';

/** Largest k of a query (as the service's default --max-k). */
const MAX_K = 1000;

/** The k of a query: without one, the default (answer-count.ts); else checks k is an integer in [1, max]. */
function checkK(k: unknown, max: number): number {
  if (k === undefined) return defaultAnswerCount(max, max);
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1 || k > max) throw new LookupError('invalid', `k must be an integer from 1 to ${max}, got ${String(k)}`);
  return k;
}

/** Queries on a model trained in the page. */
export class InPageModel {
  readonly entities: NameResolver;
  readonly relations: NameResolver;
  private readonly search: KernelSearch;
  private readonly table: EntityTable;

  constructor(private readonly runtime: ModelRuntime, private readonly data: RunData, private readonly facts: ModelSummary) {
    this.entities = new NameResolver('entity', data.entityNames);
    this.relations = new NameResolver('relation', data.relationNames);
    this.search = new KernelSearch(runtime);
    const rows = runtime.store.table(runtime.model.candidateTable);
    this.table = { rows: rows.data.array.slice(), count: rows.rows, dim: rows.dim };
  }

  /** The model's facts, metrics and curves. */
  summary(): ModelSummary {
    return this.facts;
  }

  /** The entity reference of an id (no readable names in the page: the key is the name). */
  ref(id: number): EntityRef {
    return { id, key: this.entities.key(id) };
  }

  /** Entities close to `q` (the resolver's match first). */
  suggest(q: string, k = 8): SuggestResult {
    if (typeof q !== 'string' || q.trim() === '') throw new LookupError('invalid', 'q must be a non-empty string');
    const ids = this.entities.suggestIds(q, k);
    let exact: number | undefined;
    try {
      exact = this.entities.resolve(q);
    } catch { /* suggestions only */ }
    const ordered = exact === undefined ? ids : [exact, ...ids.filter((id) => id !== exact)].slice(0, Math.max(ids.length, 1));
    return { query: q, exact: exact !== undefined, suggestions: ordered.map((id) => this.ref(id)) };
  }

  /** The k nearest entities of an entity (exact sweep). */
  neighbors(entityInput: string, kInput?: number): NeighborsResult {
    const entity = this.entities.resolve(entityInput);
    const k = checkK(kInput, Math.min(MAX_K, this.table.count - 1));
    const found = this.search.nearest(entity, k);
    const field = this.search.metric === 'dot' ? 'similarity' : 'distance';
    return {
      checkpoint: this.facts.name, entity: this.ref(entity), metric: this.search.metric,
      ...(this.search.metric === 'poincare' ? { curvature: NEIGHBOR_CURVATURE } : {}), method: 'exact',
      neighbors: Array.from(found.ids, (id, i) => ({ rank: i + 1, ...this.ref(id), [field]: found.values[i]! })),
    };
  }

  /** Top-k tails of (head, relation, ?) or heads of (?, relation, tail). */
  predict(args: PredictArgs): PredictResult {
    const hasHead = args.head !== undefined, hasTail = args.tail !== undefined;
    if (hasHead === hasTail) throw new LookupError('invalid', 'give exactly one of head (to predict tails) and tail (to predict heads)');
    const given = this.entities.resolve(hasHead ? args.head : args.tail);
    const relation = this.relations.resolve(args.relation);
    const k = checkK(args.k, Math.min(MAX_K, this.table.count));
    const queryRelation = hasHead ? relation : relation + this.data.numRelations;
    const answers = topAnswers(this.search, this.data.known, given, queryRelation, k, args.filtered);
    return {
      checkpoint: this.facts.name, direction: hasHead ? 'tails' : 'heads', given: this.ref(given), relation: { id: relation, key: this.relations.key(relation) },
      filtered: args.filtered, method: 'exact', scored: this.table.count,
      answers: answers.map((a, i) => ({ rank: i + 1, ...this.ref(a.id), score: a.score, known: a.known === true })),
    };
  }

  /** The score of (head, relation, tail) and the tail's raw and filtered rank among all entities (the service's predict with both). */
  score(args: ScoreArgs): TripleScore {
    const head = resolvedAs('head', () => this.entities.resolve(args.head));
    const relation = this.relations.resolve(args.relation);
    const tail = resolvedAs('tail', () => this.entities.resolve(args.tail));
    const scores = this.search.entityScorer().scoreAllSync(Int32Array.of(head), Int32Array.of(relation));
    const { score, raw, filtered } = goldRank(scores, this.table.count, this.data.known, head, relation, tail);
    return {
      checkpoint: this.facts.name, head: this.ref(head), relation: { id: relation, key: this.relations.key(relation) }, tail: this.ref(tail),
      score, rank: { ...(filtered === undefined ? {} : { filtered }), raw }, known: this.data.known.answers(head, relation).includes(tail),
    };
  }

  /** The neighbourhood picture of `entityInput` and the entities `ids`. */
  projection(entityInput: string, ids: number[]): ProjectionResult {
    const entity = this.entities.resolve(entityInput);
    if (!Array.isArray(ids) || ids.some((id) => !Number.isInteger(id) || id < 0 || id >= this.table.count)) {
      throw new LookupError('invalid', `ids must be entity ids in [0, ${this.table.count})`);
    }
    const picture = projectNeighbourhood(this.table, this.search.metric, entity, ids);
    return { ...picture, metric: this.search.metric, entity: this.ref(entity), points: picture.points.map((p) => ({ ...this.ref(p.id), x: p.x, y: p.y, distance: p.distance })) };
  }

  /** Frees the kernel search's scratch. */
  dispose(): void {
    this.search.dispose();
  }
}
