/**
 * Float64 scoring of single entities, for reranking index candidates: the model's score
 * f = sim(q, e_t) + b_t + offset (src/core/model.ts) for each similarity, and the entity–entity measures of
 * `neighbors` (Euclidean distance, inner product, Poincaré distance at c = 1).
 */
import type { SimilarityName } from '../core/model.js';
import { ballFromTangent, deltaFromBall, sqDistanceFromDelta, squaredNorm } from './lorentz.js';
import type { EntityTable } from './vector-space.js';

/** A query of the model: q (a ball point for Poincaré models), its curvature, and the query-only score term. */
export interface QueryPoint {
  q: Float64Array;
  /** Curvature c of the query's ball (Poincaré models only). */
  c?: number;
  /** Score term depending on the query alone (head bias), 0 when none. */
  offset: number;
}

/** The exact score of entity t, and for Poincaré models Δ = (cosh(√c·d) − 1)/c (for the bound of predict.ts). */
export interface CandidateScore {
  score: number;
  delta: number;
}

/** The row of entity `t` (a view). */
export function entityRow(table: EntityTable, t: number): Float32Array {
  return table.rows.subarray(t * table.dim, (t + 1) * table.dim);
}

/** f(q, t) = sim(q, e_t) + b_t + offset in float64. */
export function scoreCandidate(similarity: SimilarityName, query: QueryPoint, table: EntityTable, t: number, qConformal?: number): CandidateScore {
  const v = entityRow(table, t);
  const q = query.q;
  const bias = (table.tailBias?.[t] ?? 0) + query.offset;
  switch (similarity) {
    case 'dot': {
      let dot = 0;
      for (let i = 0; i < v.length; i++) dot += q[i]! * v[i]!;
      return { score: dot + bias, delta: 0 };
    }
    case 'negSqEuclidean':
    case 'negEuclidean': {
      let d2 = 0;
      for (let i = 0; i < v.length; i++) {
        const x = q[i]! - v[i]!;
        d2 += x * x;
      }
      return { score: (similarity === 'negSqEuclidean' ? -d2 : -Math.sqrt(d2)) + bias, delta: d2 };
    }
    case 'negSqPoincare': {
      const c = query.c;
      if (c === undefined) throw new Error('a Poincaré score needs the query curvature');
      const y = ballFromTangent(v, c);
      const delta = deltaFromBall(q, qConformal ?? 1 - c * squaredNorm(q), y.x, y.conformal);
      return { score: -sqDistanceFromDelta(delta, c) + bias, delta };
    }
  }
}

/** How `neighbors` measures two entities, by the model's similarity. */
export type NeighborMetric = 'euclidean' | 'dot' | 'poincare';

/** The neighbour metric of a similarity: Poincaré distance (c = 1), Euclidean distance, or inner product. */
export function neighborMetric(similarity: SimilarityName): NeighborMetric {
  if (similarity === 'negSqPoincare') return 'poincare';
  if (similarity === 'dot') return 'dot';
  return 'euclidean';
}

/** Curvature used for entity–entity distances of hyperbolic models. */
export const NEIGHBOR_CURVATURE = 1;

/** Precomputed per-entity data for exact entity–entity measures (ball points at c = 1 for Poincaré). */
export class NeighborMeasure {
  private readonly ball?: Float64Array;
  private readonly conformal?: Float64Array;

  constructor(readonly metric: NeighborMetric, private readonly table: EntityTable) {
    if (metric === 'poincare') {
      const { count, dim } = table;
      this.ball = new Float64Array(count * dim);
      this.conformal = new Float64Array(count);
      for (let i = 0; i < count; i++) {
        const p = ballFromTangent(entityRow(table, i), NEIGHBOR_CURVATURE);
        this.ball.set(p.x, i * dim);
        this.conformal[i] = p.conformal;
      }
    }
  }

  /** A key that orders entity j by closeness to i (smaller is closer) without transcendental functions. */
  key(i: number, j: number): number {
    const { dim, rows } = this.table;
    if (this.metric === 'poincare') {
      const b = this.ball!;
      let d2 = 0;
      for (let k = 0, oi = i * dim, oj = j * dim; k < dim; k++) {
        const x = b[oi + k]! - b[oj + k]!;
        d2 += x * x;
      }
      return (2 * d2) / (this.conformal![i]! * this.conformal![j]!);
    }
    let acc = 0;
    if (this.metric === 'dot') {
      for (let k = 0, oi = i * dim, oj = j * dim; k < dim; k++) acc -= rows[oi + k]! * rows[oj + k]!;
      return acc;
    }
    for (let k = 0, oi = i * dim, oj = j * dim; k < dim; k++) {
      const x = rows[oi + k]! - rows[oj + k]!;
      acc += x * x;
    }
    return acc;
  }

  /** The reported value from a key: Poincaré or Euclidean distance, or the inner product. */
  value(key: number): number {
    if (this.metric === 'poincare') return Math.sqrt(sqDistanceFromDelta(key, NEIGHBOR_CURVATURE));
    if (this.metric === 'dot') return -key;
    return Math.sqrt(key);
  }
}
