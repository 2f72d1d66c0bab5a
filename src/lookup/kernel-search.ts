/**
 * Lookups in kernels, exact with respect to the model's float32 scores: every request is a few kernel calls on
 * blocks prepared once per opened run, with no tfjs op and no float64 copy of a similarity.
 *
 * - Link prediction: the query point q(h, r) from the model's fused program (core/query-points.ts), then the K
 *   best of all entities by the one-pass top-K kernels (assembly/top-k.ts; for Poincaré models
 *   assembly/poincare-top-k.ts, which visits entities by descending tail bias and prunes most of them after their
 *   dot product). The per-curvature entity terms of the Poincaré sweep are kept for the most recent curvatures.
 * - Nearest entities: the entity's own point (exp₀ at c = 1 for hyperbolic models) scored against candidates by
 *   the sampled similarity kernel (assembly/similarity.ts: −d₁², −‖·‖², the inner product, or −‖·‖₁ for models
 *   scored by the L1 distance, −Σ_i|·_i| over complex moduli for RotatE with norm 1), or against all entities by the
 *   same top-K kernels.
 * Models without a usable fused program (e.g. a dimension that is not a multiple of 4, core/kernel-widths.ts) score
 * through the all-entity scorer of the core (tfjs query side) and keep the K best by one selection (top-k-select.ts).
 */
import type { ModelRuntime } from '../core/model-runtime.js';
import type { SimilarityName } from '../core/model.js';
import { QueryPoints, type QueryPointBlocks } from '../core/query-points.js';
import { SIMILARITY_KERNEL_ID } from '../core/candidate-scoring.js';
import type { ModelEntityScorer } from '../core/entity-scorer.js';
import { kernelsForMemory, SimilarityKind, type Kernels } from '../kernels/kernels.js';
import { QueryExecutor } from '../kernels/query-program.js';
import { ScratchBlocks, subF32, subI32, type F32Block, type I32Block } from '../kernels/kernel-memory.js';
import { blockedLength, type PoincareEntityTerms } from '../kernels/top-k-kernels.js';
import { MIN_SPLIT_WORK, PoincareBatch } from './poincare-batch.js';
import { KernelWorker } from '../kernels/kernel-worker.js';
import { topKOrdered } from '../core/top-k-select.js';
import { widenRows } from '../core/table-padding.js';
import { poincareEntityOrder, writeEntitySide } from '../core/poincare-entity-order.js';
import { rowSquaredNorms } from '../kernels/row-norms.js';

/** How `neighbors` measures two entities, by the model's similarity. */
export type NeighborMetric = 'euclidean' | 'dot' | 'poincare' | 'l1' | 'complex-l1';

/**
 * The neighbour metric of a similarity: Poincaré distance (c = 1), inner product, L1 distance (of real coordinates
 * or of complex moduli) or Euclidean distance.
 */
export function neighborMetric(similarity: SimilarityName): NeighborMetric {
  if (similarity === 'negSqPoincare') return 'poincare';
  if (similarity === 'dot') return 'dot';
  if (similarity === 'negL1') return 'l1';
  if (similarity === 'negModulusL1') return 'complex-l1';
  return 'euclidean';
}

/** Curvature used for entity–entity distances of hyperbolic models. */
export const NEIGHBOR_CURVATURE = 1;

/** Per-curvature entity terms kept for the Poincaré sweep (3·N floats each). */
const CURVATURE_SLOTS = 32;

/**
 * Ids with their scores (predict: model scores, descending, ties: lower id first) or values (neighbours: distance
 * or similarity).
 */
export interface Ranked {
  ids: Int32Array;
  values: Float32Array;
}

/** The kernel side of one opened run's lookups. */
export class KernelSearch {
  readonly metric: NeighborMetric;
  readonly count: number;
  private readonly kernels: Kernels;
  private readonly room: ScratchBlocks;
  private readonly similarity: SimilarityName;
  /** Row width of the entity side: the table's dimension rounded up to a multiple of 4 (zero padding). */
  private readonly width: number;
  /** Row-major entity rows (the model's table, or a zero-padded copy). */
  private readonly rows: F32Block;
  /** Blocked copy of the rows for the top-K sweeps, in `perm` order (descending tail bias) for Poincaré models. */
  private readonly blocked: F32Block;
  private readonly perm: I32Block;
  /** ‖v‖² (padded), in `perm` order. */
  private readonly v2: F32Block;
  /** Tail biases (padded), in `perm` order; zeros for neighbours. */
  private readonly bias: F32Block | null;
  private readonly zeros: F32Block;
  private readonly terms = new Map<number, PoincareEntityTerms>();
  private readonly points: QueryPoints | null;
  private readonly ballPoint: QueryExecutor | null;
  private fallback?: ModelEntityScorer;
  /** The batched Poincaré sweep (made on the first prediction). */
  private batch?: PoincareBatch;

  constructor(private readonly runtime: ModelRuntime) {
    const { model, store } = runtime;
    const memory = store.memory;
    this.kernels = kernelsForMemory(memory);
    this.room = new ScratchBlocks(memory);
    this.similarity = model.similarity;
    this.metric = neighborMetric(model.similarity);
    const table = store.table(model.candidateTable);
    const N = table.rows, d = table.dim;
    this.count = N;
    const width = Math.ceil(d / 4) * 4;
    this.width = width;
    if (width === d) {
      this.rows = table.data;
    } else {
      // a table stored at its own width (a checkpoint from before padding, a native backend): zeros at the end of each
      // row, or of each half of an [Re | Im] row (the complex-L1 kernel splits a row at its middle)
      this.rows = memory.allocF32(N * width);
      widenRows(table.data.array, N, d, width, table.spec.complexPairs === true, this.rows.array);
    }
    const padded = Math.ceil(N / 4) * 4;
    const tail = model.tailBiasTable ? store.table(model.tailBiasTable).data.array.slice() : undefined; // a copy: the allocations below may grow (and, unshared, detach) the memory
    const v2 = rowSquaredNorms(this.rows.array, N, width); // taken before the allocations too
    const poincare = this.metric === 'poincare';
    this.perm = memory.allocI32(N);
    this.blocked = memory.allocF32(blockedLength(N, width));
    this.v2 = memory.allocF32(padded);
    this.zeros = memory.allocF32(padded);
    this.bias = tail ? memory.allocF32(padded) : null;
    // Poincaré models visit entities by descending tail bias; the flat models' sweeps keep the ids' order
    const order = poincareEntityOrder(N, poincare ? tail : undefined);
    writeEntitySide(this.kernels, this.rows, width, order, v2, tail,
      { perm: this.perm, blocked: this.blocked, v2: this.v2, bias: this.bias });
    this.points = QueryPoints.supports(model, store) ? new QueryPoints(model, store) : null;
    this.ballPoint = poincare ? new QueryExecutor(this.kernels, { ops: [{ out: 'q', op: 'expmap0', args: ['v', 'c'] }], outputs: { q: 'q' } }, { v: width, c: 1 }) : null;
    this.ballPoint?.reserve(1);
  }

  /** Whether predictions run in kernels end to end (else through the core's all-entity scorer). */
  get kernelQueries(): boolean {
    return this.points !== null;
  }

  /**
   * The K best answers of (entity, query relation) by the model's score: the first K of all entities by (score
   * descending, id ascending).
   */
  predict(entity: number, queryRelation: number, K: number): Ranked {
    return this.predictMany(Int32Array.of(entity), Int32Array.of(queryRelation), K)[0]!;
  }

  /**
   * The K best answers of each query (entities[i], queryRelations[i]) in one sweep of the table: each list exactly
   * as `predict` gives it alone (the scores of a query do not depend on the others, ties go to the lower id).
   */
  predictMany(entities: Int32Array, queryRelations: Int32Array, K: number): Ranked[] {
    this.checkK(K, this.count);
    const B = entities.length;
    if (queryRelations.length !== B) throw new Error(`predictMany: ${B} entities but ${queryRelations.length} relations`);
    if (B === 0) return [];
    if (!this.points) return Array.from(entities, (e, i) => this.predictByScorer(e, queryRelations[i]!, K));
    // the query programs evaluate rows four at a time and a short tail row by row, which may differ in the last
    // bit: padding to a multiple of four (the last query repeated) gives every query the same point in any batch
    const padded = Math.ceil(B / 4) * 4;
    const pad = (ids: Int32Array): Int32Array => (padded === B ? ids : Int32Array.from({ length: padded }, (_, i) => ids[Math.min(i, B - 1)]!));
    const point = this.points.compute(pad(entities), pad(queryRelations));
    if (this.metric !== 'poincare') return this.predictFlat(point, B, K);
    if (!point.c) throw new Error('predict: the Poincaré similarity needs a curvature per query');
    this.batch ??= new PoincareBatch(this.kernels, { N: this.count, d: this.width, blocked: this.blocked, perm: this.perm, bias: this.bias ?? this.zeros });
    // runs of queries with at most CURVATURE_SLOTS curvatures (their terms are all held during a run)
    const out: Ranked[] = [];
    const c = point.c.array.slice(); // a copy: termsFor and the batch allocate
    for (let first = 0; first < B;) {
      const seen = new Set<number>();
      let end = first;
      while (end < B && (seen.has(Math.fround(c[end]!)) || seen.size < CURVATURE_SLOTS)) seen.add(Math.fround(c[end++]!));
      const terms = Array.from(c.subarray(first, end), (cb) => this.termsFor(cb));
      const d = this.width, n = end - first;
      const part: QueryPointBlocks = { count: n, q: subF32(point.q, first * d, n * d), x2: subF32(point.x2, first, n),
        c: subF32(point.c, first, n), offset: point.offset ? subF32(point.offset, first, n) : null };
      out.push(...this.batch.run(part, n, K, terms));
      first = end;
    }
    return out;
  }

  /** The K nearest entities of `entity` among all others (exact sweep), nearest first. */
  nearest(entity: number, K: number): Ranked {
    this.checkK(K, this.count - 1);
    const found = this.topK(this.entityPoint(entity), Math.min(K + 1, this.count), this.neighborKind(), NEIGHBOR_CURVATURE, null);
    return this.rescore(entity, found.ids, K);
  }

  /**
   * Candidates (e.g. from an index) scored against `entity` by the similarity kernel, without the entity itself,
   * nearest first (ties: lower id first), at most K: the distances (Euclidean, L1, Poincaré at c = 1) or inner products.
   */
  rescore(entity: number, candidates: ArrayLike<number>, K: number): Ranked {
    const ids: number[] = [];
    for (let i = 0; i < candidates.length; i++) {
      const id = candidates[i]!;
      if (id !== entity && id >= 0 && id < this.count) ids.push(id);
    }
    const M = ids.length;
    const q = this.entityPoint(entity).q;
    const cand = this.room.i32Exact('cand', Math.max(M, 1));
    cand.array.set(ids);
    const out = this.room.f32Exact('scores', Math.max(M, 1));
    const kind = this.neighborKind();
    const c = this.room.f32Exact('c', 1);
    c.array[0] = NEIGHBOR_CURVATURE;
    if (M > 0) this.kernels.raw.similarityForward(kind, 1, M, this.width, q.offset, cand.offset, this.rows.offset, c.offset, out.offset);
    const scores = out.array.slice(0, M);
    const order = Array.from({ length: M }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]! || ids[a]! - ids[b]!).slice(0, K);
    const distance = (s: number): number => (this.metric === 'l1' || this.metric === 'complex-l1' ? -s : Math.sqrt(Math.max(0, -s)));
    const values = Float32Array.from(order, (i) => (this.metric === 'dot' ? scores[i]! : distance(scores[i]!)));
    return { ids: Int32Array.from(order, (i) => ids[i]!), values };
  }

  /**
   * The core's all-entity scorer over this run's tables (made once, freed by `dispose`): the predictions of a model
   * without a fused program, and every caller that needs all of a query's scores (a triple's rank), share it.
   */
  entityScorer(): ModelEntityScorer {
    this.fallback ??= this.runtime.entityScorer();
    return this.fallback;
  }

  /** Frees the fallback scorer, if one was made. */
  dispose(): void {
    this.fallback?.dispose();
    this.fallback = undefined;
  }

  /** Query side of entity `entity` as a neighbour query: its row, or its ball point exp₀(v) at c = 1. */
  private entityPoint(entity: number): QueryPointBlocks {
    if (!(Number.isInteger(entity) && entity >= 0 && entity < this.count)) throw new RangeError(`entity id ${entity} is outside [0, ${this.count})`);
    const w = this.width;
    const row = this.rows.array.slice(entity * w, (entity + 1) * w); // a copy: the room below may allocate
    let q: F32Block;
    if (this.ballPoint) {
      this.ballPoint.input('v').array.set(row);
      this.ballPoint.input('c').array[0] = NEIGHBOR_CURVATURE;
      this.ballPoint.forward(1);
      q = subF32(this.ballPoint.output('q')!, 0, w);
    } else {
      q = this.room.f32Exact('row', w);
      q.array.set(row);
    }
    const x2 = this.room.f32Exact('x2', 1);
    let sum = 0;
    for (const x of q.array) sum += x * x;
    x2.array[0] = sum;
    return { count: 1, q, x2, c: null, offset: null };
  }

  /** The kernel similarity neighbours are ranked by: −d₁², the inner product, −‖·‖₁, −Σ_i|·_i| (complex) or −‖·‖². */
  private neighborKind(): SimilarityKind {
    const kinds = { poincare: SimilarityKind.NegSqPoincare, dot: SimilarityKind.Dot, l1: SimilarityKind.NegL1, 'complex-l1': SimilarityKind.NegModulusL1,
      euclidean: SimilarityKind.NegSqEuclidean } as const;
    return kinds[this.metric];
  }

  /**
   * One query's K best entities by the top-K kernels: similarity `kind`, curvature `c` (Poincaré), tail biases
   * `bias` (in the sweep's order) or none, and the query's own offset.
   */
  private topK(point: QueryPointBlocks, K: number, kind: SimilarityKind, c: number, bias: F32Block | null): Ranked {
    const N = this.count, d = this.width;
    const ids = this.room.i32Exact('ids', K), scores = this.room.f32Exact('topScores', K);
    const queries = { q: subF32(point.q, 0, d), x2: subF32(point.x2, 0, 1), c: null, rowBias: point.offset ? subF32(point.offset, 0, 1) : null };
    const table = { N, d, blocked: this.blocked, v2: this.v2, colBias: null };
    if (kind === SimilarityKind.NegSqPoincare) {
      const args = this.kernels.topK.poincareTopKArgs(1, K, c, queries, table, this.perm, this.termsFor(c), bias ?? this.zeros, ids, scores, this.room.i32Exact('state', 1));
      this.kernels.topK.run('poincareTopK', args);
    } else {
      this.kernels.topK.topKScores(kind, 1, K, queries, { ...table, colBias: bias }, ids, scores);
    }
    return { ids: ids.array.slice(0, K), values: scores.array.slice(0, K) };
  }

  /** Predictions of the models scored by dot, Euclidean or either L1 similarity: topKScores over the B queries (halves on both threads). */
  private predictFlat(point: QueryPointBlocks, B: number, K: number): Ranked[] {
    const N = this.count, d = this.width;
    const ids = this.room.i32Exact('ids', B * K), scores = this.room.f32Exact('topScores', B * K);
    const kind = SIMILARITY_KERNEL_ID[this.similarity];
    const table = { N, d, blocked: this.blocked, v2: this.v2, colBias: this.bias };
    const args = (first: number, n: number): number[] => this.kernels.topK.topKScoresArgs(kind, n, K, {
      q: subF32(point.q, first * d, n * d), x2: subF32(point.x2, first, n), c: null,
      rowBias: point.offset ? subF32(point.offset, first, n) : null,
    }, table, subI32(ids, first * K, n * K), subF32(scores, first * K, n * K));
    const worker = B >= 2 && B * N >= MIN_SPLIT_WORK ? this.kernels.worker() : null;
    const theirs = worker ? Math.floor(B / 2) : 0;
    KernelWorker.beside(worker, 'topKScores', theirs > 0 ? args(B - theirs, theirs) : null, () => this.kernels.topK.run('topKScores', args(0, B - theirs)));
    return Array.from({ length: B }, (_, b) => ({ ids: ids.array.slice(b * K, (b + 1) * K), values: scores.array.slice(b * K, (b + 1) * K) }));
  }

  /** The entity terms of the Poincaré sweep at curvature c (computed on first use, the oldest slot reused). */
  private termsFor(c: number): PoincareEntityTerms {
    const key = Math.fround(c);
    const cached = this.terms.get(key);
    if (cached) {
      this.terms.delete(key);
      this.terms.set(key, cached);
      return cached;
    }
    let terms: PoincareEntityTerms;
    if (this.terms.size >= CURVATURE_SLOTS) {
      const [oldest, reused] = this.terms.entries().next().value as [number, PoincareEntityTerms];
      this.terms.delete(oldest);
      terms = reused;
    } else {
      const padded = this.v2.length;
      const memory = this.runtime.store.memory;
      terms = { v2: this.v2, alpha: memory.allocF32(padded), alphaY: memory.allocF32(padded), twoAlphaG: memory.allocF32(padded) };
    }
    this.kernels.topK.poincareEntityTerms(this.count, key, terms);
    this.terms.set(key, terms);
    return terms;
  }

  /** Predictions of models without a usable fused program: all scores by the core's scorer, then the K best. */
  private predictByScorer(entity: number, queryRelation: number, K: number): Ranked {
    const scores = this.entityScorer().scoreAllSync(Int32Array.of(entity), Int32Array.of(queryRelation));
    return topKOrdered(scores, K);
  }

  private checkK(K: number, max: number): void {
    if (!(Number.isInteger(K) && K >= 1 && K <= max)) throw new RangeError(`K must be an integer in [1, ${max}], got ${K}`);
  }
}
