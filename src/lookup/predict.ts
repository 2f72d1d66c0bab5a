/**
 * Link prediction: the top-k entities t by the model's own score f(q, t) = sim(q, e_t) + b_t + offset.
 *
 * The index gives candidates and the float64 score reranks them (exact-score.ts). Which index:
 * - dot: the angle between (q, 1) and (e, b_t) (hnswlib `cosine`): queries such as DistMult's h∘r are far from
 *   the entity vectors, where an inner-product graph navigates badly. The angle orders the upper bound
 *   ‖(q, 1)‖·max‖(e, b)‖·cos of the score (Cauchy–Schwarz), so the answer is certified like the one below;
 * - −‖q − e‖²: L2 with the bias folded in as √(B − b_t) (vector-space.ts): the exact score order;
 * - −‖q − e‖ without bias: plain L2, exact order (with a bias there is no such index: exact scoring);
 * - −d_c(q, exp₀ᶜ(e))²: the hyperboloid of the *query relation's* curvature c — one index per distinct c, since
 *   the candidate points exp₀ᶜ(e) move with c — built on first use and saved. Without bias the key order is the
 *   distance order. With the tail bias, the index orders by κ_t = −λΔ_t + b_t, an upper bound of the score
 *   minus the offset (λ: chord slope of d² over the largest possible Δ, lorentz.ts). The answer is certified:
 *   every entity not retrieved has κ ≤ the smallest κ retrieved, so if the k-th best exact score is at least
 *   that, nothing outside can beat it. Otherwise 4× more candidates are fetched, and past MAX_CANDIDATES the
 *   query falls back to exact scoring of all entities.
 * The head bias (offset) is constant per query and cannot change the order. "Exact" here is relative to the
 * HNSW search returning the true nearest keys (measured recall in bench/lookup.ts); `exact: true` scores all
 * entities with the model's all-entity scorer instead.
 */
import type { SimilarityName } from '../core/model.js';
import { searchHnsw } from './hnsw.js';
import type { IndexStore, LookupIndex } from './index-store.js';
import { chordSlope, geodesicRadius, lorentzFromBall, squaredNorm } from './lorentz.js';
import { scoreCandidate, type QueryPoint } from './exact-score.js';
import { queryVector, type EntityTable, type SpaceSpec } from './vector-space.js';

/** Largest candidate list fetched from an index before falling back to exact scoring. */
export const MAX_CANDIDATES = 4096;

/** Default HNSW search list size of predictions: queries are not entities, so a longer list than for neighbours (recall@10 ≥ 0.99 on WN18RR). */
export const PREDICT_EF = 400;

/** One answer: entity id and its score. */
export interface Answer {
  id: number;
  score: number;
}

/** How an answer list was obtained. */
export type PredictMethod = 'hnsw' | 'hnsw+bound' | 'exact';

/** The answers with how they were found. */
export interface PredictOutcome {
  answers: Answer[];
  method: PredictMethod;
  /** Entities scored exactly (candidates from the index, or all). */
  scored: number;
  /** Why exact scoring was used when an index was possible, or other remarks. */
  note?: string;
}

/** What a prediction needs besides the query point. */
export interface PredictContext {
  similarity: SimilarityName;
  table: EntityTable;
  store: IndexStore;
  /** All-entity scores of this query by the model's own scorer (the exact path). */
  exactScores: () => Promise<Float32Array>;
  /** `await`: build a missing index now; `background`: start building it and answer exactly meanwhile. */
  indexMode: 'await' | 'background';
  /** HNSW search list size (default PREDICT_EF; never below the candidates fetched). */
  ef?: number;
}

/** What to predict: the query point, k, known answers to leave out (sorted), and whether to skip the index. */
export interface PredictRequest {
  query: QueryPoint;
  k: number;
  exclude?: Int32Array;
  exact?: boolean;
}

/** The index space for a model's scores at curvature c, or undefined when no index orders them. */
export function predictSpace(similarity: SimilarityName, hasBias: boolean, c?: number): SpaceSpec | undefined {
  switch (similarity) {
    case 'dot':
      return { kind: 'cosine', bias: hasBias };
    case 'negSqEuclidean':
      return hasBias ? { kind: 'euclidean-bias' } : { kind: 'euclidean' };
    case 'negEuclidean':
      return hasBias ? undefined : { kind: 'euclidean' };
    case 'negSqPoincare':
      return c !== undefined && c > 0 && Number.isFinite(c) ? { kind: 'lorentz', curvature: Math.fround(c), bias: hasBias } : undefined;
  }
}

const radiusCache = new WeakMap<EntityTable, number>();
const normCache = new WeakMap<EntityTable, { min: number; max: number }>();

/** Smallest and largest ‖(e, b)‖ (‖e‖ without bias) over all entities. */
function normRange(table: EntityTable, bias: boolean): { min: number; max: number } {
  let range = normCache.get(table);
  if (!range) {
    range = { min: Number.POSITIVE_INFINITY, max: 0 };
    for (let i = 0; i < table.count; i++) {
      const n = Math.sqrt(squaredNorm(table.rows.subarray(i * table.dim, (i + 1) * table.dim)) + (bias ? table.tailBias![i]! ** 2 : 0));
      range.min = Math.min(range.min, n);
      range.max = Math.max(range.max, n);
    }
    normCache.set(table, range);
  }
  return range;
}

/** 2·max‖v‖: every entity point exp₀ᶜ(v) lies within this geodesic distance of 0, for every c. */
function maxEntityRadius(table: EntityTable): number {
  let r = radiusCache.get(table);
  if (r === undefined) {
    let max = 0;
    for (let i = 0; i < table.count; i++) max = Math.max(max, squaredNorm(table.rows.subarray(i * table.dim, (i + 1) * table.dim)));
    r = 2 * Math.sqrt(max);
    radiusCache.set(table, r);
  }
  return r;
}

/** True when `id` is in the sorted list. */
function contains(sorted: Int32Array | undefined, id: number): boolean {
  if (!sorted) return false;
  let lo = 0, hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < id) lo = mid + 1;
    else if (sorted[mid]! > id) hi = mid - 1;
    else return true;
  }
  return false;
}

const byScore = (a: Answer, b: Answer): number => b.score - a.score || a.id - b.id;

/** Top-k by scoring all entities with the model's scorer; the best few are rescored in float64. */
export async function exactPredict(ctx: PredictContext, request: PredictRequest, note?: string): Promise<PredictOutcome> {
  const scores = await ctx.exactScores();
  const margin = request.k + 16;
  const picked: Answer[] = [];
  for (let t = 0; t < scores.length; t++) {
    if (contains(request.exclude, t)) continue;
    picked.push({ id: t, score: scores[t]! });
  }
  picked.sort(byScore);
  const rescored = picked.slice(0, margin).map(({ id }) => ({ id, score: scoreCandidate(ctx.similarity, request.query, ctx.table, id).score }));
  rescored.sort(byScore);
  return { answers: rescored.slice(0, request.k), method: 'exact', scored: scores.length, note };
}

/** P₀ of the query in `spec`, and λ of the bound (1 when the order is exact). */
function queryPoint(spec: SpaceSpec, table: EntityTable, query: QueryPoint): { p0: Float64Array; lambda: number } {
  const q = query.q;
  const d = q.length;
  if (spec.kind === 'euclidean' || spec.kind === 'euclidean-bias') return { p0: q, lambda: 1 };
  if (spec.kind === 'dot' || spec.kind === 'cosine') {
    const p0 = new Float64Array(d + 1);
    p0.set(q);
    p0[d] = spec.bias ? 1 : 0;
    return { p0, lambda: 1 };
  }
  const c = spec.curvature;
  const s = new Float64Array(d + 2);
  const t = lorentzFromBall(q, c, s);
  const lambda = spec.bias ? chordSlope(c, geodesicRadius(q, c) + maxEntityRadius(table)) : 1;
  for (let i = 0; i < d; i++) s[i] = lambda * s[i]!;
  s[d] = -lambda * (1 + c * t);
  s[d + 1] = spec.bias ? 1 : 0;
  return { p0: s, lambda };
}

/**
 * Candidates from the index, reranked exactly. For the bounded spaces (angle for dot scores, biased Poincaré),
 * `threshold` bounds the score of every entity not retrieved; the answer stands once the k-th best reaches it.
 */
async function indexPredict(ctx: PredictContext, request: PredictRequest, spec: SpaceSpec, index: LookupIndex): Promise<PredictOutcome> {
  const { table, similarity } = ctx;
  const { query, k, exclude } = request;
  const excluded = exclude?.length ?? 0;
  const angular = spec.kind === 'cosine';
  const bounded = angular || (spec.kind === 'lorentz' && spec.bias);
  const { p0, lambda } = queryPoint(spec, table, query);
  const pNorm = Math.sqrt(squaredNorm(angular ? p0.subarray(0, index.dim) : p0));
  if (angular && pNorm === 0) return exactPredict(ctx, request, 'zero query vector');
  const norms = angular ? normRange(table, spec.bias) : undefined;
  const vector = queryVector(index.dim, p0);
  const qConformal = query.c !== undefined ? 1 - query.c * squaredNorm(query.q) : undefined;
  const need = k + excluded;
  let fetch = Math.min(table.count, bounded ? Math.max(4 * need, 64) : 2 * need + 10);
  if (fetch > table.count / 4) return exactPredict(ctx, request, `${fetch} candidates of ${table.count} entities: scoring all is as cheap`);
  for (;;) {
    const found = searchHnsw(index.hnsw, vector, fetch, Math.max(ctx.ef ?? PREDICT_EF, fetch));
    if (found.ids.length < Math.min(fetch, need)) return exactPredict(ctx, request, `the index returned ${found.ids.length} of ${fetch} candidates`);
    const answers: Answer[] = [];
    let smallest = Number.POSITIVE_INFINITY; // smallest κ (biased Poincaré) or cosine (angle) among the retrieved
    for (const id of found.ids) {
      const scored = scoreCandidate(similarity, query, table, id, qConformal);
      if (angular) {
        const b = spec.bias ? table.tailBias![id]! : 0;
        const n = Math.sqrt(squaredNorm(table.rows.subarray(id * table.dim, (id + 1) * table.dim)) + b * b);
        smallest = Math.min(smallest, n > 0 ? (scored.score - query.offset) / (pNorm * n) : 0);
      } else if (bounded) {
        smallest = Math.min(smallest, -lambda * scored.delta + table.tailBias![id]! + query.offset);
      }
      if (!contains(exclude, id)) answers.push({ id, score: scored.score });
    }
    answers.sort(byScore);
    const top = answers.slice(0, k);
    if (!bounded) return { answers: top, method: 'hnsw', scored: found.ids.length };
    const threshold = angular ? pNorm * (smallest >= 0 ? norms!.max : norms!.min) * smallest + query.offset : smallest;
    const complete = found.ids.length >= table.count;
    if (complete || (top.length === Math.min(k, table.count - excluded) && top[top.length - 1]!.score >= threshold)) {
      return { answers: top, method: 'hnsw+bound', scored: found.ids.length };
    }
    if (fetch >= MAX_CANDIDATES) return exactPredict(ctx, request, `the ${angular ? 'angle' : 'bias'} bound was not met with ${fetch} candidates`);
    fetch = Math.min(table.count, MAX_CANDIDATES, fetch * 4);
  }
}

/** The top-k answers of a query: through the index when one orders the model's scores, else exactly. */
export async function predictTopK(ctx: PredictContext, request: PredictRequest): Promise<PredictOutcome> {
  if (request.exact) return exactPredict(ctx, request);
  const spec = predictSpace(ctx.similarity, ctx.table.tailBias !== undefined, request.query.c);
  if (!spec) return exactPredict(ctx, request, `no index orders ${ctx.similarity} scores${ctx.table.tailBias ? ' with a tail bias' : ''}`);
  let index = ctx.store.peek(spec);
  if (!index) {
    if (ctx.indexMode === 'background') {
      const failure = ctx.store.failure(spec);
      if (failure) return exactPredict(ctx, request, `index unavailable: ${failure}`);
      ctx.store.prepare(spec);
      return exactPredict(ctx, request, 'the index for this query is being built');
    }
    index = await ctx.store.get(spec);
  }
  return indexPredict(ctx, request, spec, index);
}
