/**
 * The vector spaces the HNSW indexes search. Each space defines the data vector D(t) of an entity, the query
 * vector P and the hnswlib metric (`l2`: ‖P − D‖², `ip`: 1 − P·D) so that the metric orders the entities exactly
 * as the wanted distance or score does:
 *
 * - `euclidean`: D = v, P = q — Euclidean distance (neighbours and −‖q − v‖(²) scores without a tail bias).
 * - `euclidean-bias`: D = (v, √(B − b_t)), P = (q, 0) with B = max b, so ‖P − D‖² = ‖q − v‖² − b_t + B
 *   = −(score − offset) + B: the −‖q − v‖² + b_t score, bias included, exactly.
 * - `dot` (± bias): hnswlib's `ip` space on D = (v, b_t) with P = (q, 1): the query lives where the data do, and
 *   an inner-product graph is what works best for such searches (measured on DistMult WN18RR, recall@10 at
 *   ef = 100: 0.99 in `ip`, 0.80 through the L2 reduction below).
 * - `cosine` (± bias): the same vectors in hnswlib's `cosine` space, for link prediction with dot-product scores:
 *   queries such as DistMult's h∘r lie far from the entity vectors, where the `ip` graph navigates badly (recall@10
 *   0.87 at ef = 400), while the angle is searched well (0.99). The angle orders an upper bound of the score,
 *   (q, 1)·(e, b) ≤ ‖(q, 1)‖·max‖(e, b)‖·cos, which predict.ts certifies its answers against.
 * - `lorentz` (± bias): maximise ⟨P₀, D₀(t)⟩ with D₀ = (S_t, T_t, b_t) and P₀ = (λS_q, −λ(1 + cT_q), 1) on the
 *   hyperboloid (lorentz.ts). hnswlib's `ip` space would build its graph with the same inner product between
 *   data points, which for hyperboloid points (all with a large positive time coordinate; only the *query* has
 *   its time coordinate negated) is no proximity at all: measured recall@10 0.03 on RotH WN18RR. So this inner
 *   product is searched through the standard reduction to L2 (Bachrach et al., RecSys 2014):
 *   D = (D₀, √(M − ‖D₀‖²)) with M = max ‖D₀‖², P = (P₀, 0), and ‖P − D‖² = ‖P₀‖² + M − 2⟨P₀, D₀⟩ — the same
 *   order, and a graph built on Euclidean proximity of hyperboloid points (recall@10 0.99).
 * Tail biases are added exactly (dot, euclidean-bias) or, for Poincaré scores, through the chord bound
 * −d² + b_t ≤ −λΔ + b_t (lorentz.ts): then the order is that of an upper bound of the score, and predict.ts
 * certifies its answer against it.
 */
import { lorentzFromTangent } from './lorentz.js';

/** A space to index: its kind and, for the hyperboloid, the curvature. */
export type SpaceSpec =
  | { kind: 'euclidean' }
  | { kind: 'euclidean-bias' }
  | { kind: 'dot'; bias: boolean }
  | { kind: 'cosine'; bias: boolean }
  | { kind: 'lorentz'; curvature: number; bias: boolean };

/** A checkpoint's entity rows (tangent vectors for hyperbolic models) and optional tail biases. */
export interface EntityTable {
  rows: Float32Array;
  count: number;
  dim: number;
  tailBias?: Float32Array;
}

/** The hnswlib metric of a space. */
export type HnswMetric = 'l2' | 'ip' | 'cosine';

/** The data vectors of all entities in one space (row-major, float32 as hnswlib stores them). */
export interface SpaceData {
  spec: SpaceSpec;
  metric: HnswMetric;
  /** Length of each vector given to hnswlib. */
  dim: number;
  data: Float32Array;
  /** M = max ‖D₀‖² of the L2-reduced inner-product space (0 for the others). */
  maxNormSq: number;
  /** B = the largest tail bias (euclidean-bias), else 0. */
  maxBias: number;
}

/** A short file-name-safe id of a space: the curvature by its float32 bit pattern, so equal ids mean equal c. */
export function spaceId(spec: SpaceSpec): string {
  switch (spec.kind) {
    case 'euclidean':
    case 'euclidean-bias':
      return spec.kind;
    case 'dot':
    case 'cosine':
      return spec.bias ? `${spec.kind}-bias` : spec.kind;
    case 'lorentz': {
      const bits = new Uint32Array(new Float32Array([spec.curvature]).buffer)[0]!;
      return `lorentz-c${bits.toString(16).padStart(8, '0')}${spec.bias ? '-bias' : ''}`;
    }
  }
}

/** Whether the space searches an inner product through the L2 reduction (one extra coordinate). */
export function isReducedInnerProduct(spec: SpaceSpec): boolean {
  return spec.kind === 'lorentz';
}

/** The hnswlib metric a space is searched in. */
export function spaceMetric(spec: SpaceSpec): HnswMetric {
  return spec.kind === 'dot' ? 'ip' : spec.kind === 'cosine' ? 'cosine' : 'l2';
}

/** Length of D₀ (before the reduction coordinate) for a table of dimension `dim`. */
function innerDim(spec: SpaceSpec, dim: number): number {
  switch (spec.kind) {
    case 'euclidean':
      return dim;
    case 'euclidean-bias':
      return dim + 1;
    case 'dot':
    case 'cosine':
      return dim + (spec.bias ? 1 : 0);
    case 'lorentz':
      return dim + 1 + (spec.bias ? 1 : 0);
  }
}

/** Builds the data vectors of every entity of `table` in `spec`. */
export function buildSpaceData(spec: SpaceSpec, table: EntityTable): SpaceData {
  const { count, dim, rows } = table;
  const needsBias = (spec.kind === 'euclidean-bias') || ((spec.kind === 'dot' || spec.kind === 'cosine' || spec.kind === 'lorentz') && spec.bias);
  if (needsBias && !table.tailBias) throw new Error(`space ${spaceId(spec)} needs tail biases and the model has none`);
  if (spec.kind === 'lorentz' && !(spec.curvature > 0 && Number.isFinite(spec.curvature))) throw new Error(`curvature must be positive and finite, got ${spec.curvature}`);
  const inner = innerDim(spec, dim);
  const reduce = isReducedInnerProduct(spec);
  const width = inner + (reduce ? 1 : 0);
  const data = new Float32Array(count * width);
  const bias = table.tailBias;
  let maxBias = 0;
  if (spec.kind === 'euclidean-bias') {
    maxBias = -Infinity;
    for (let i = 0; i < count; i++) maxBias = Math.max(maxBias, bias![i]!);
  }
  const s = new Float64Array(dim);
  const normSq = new Float64Array(count);
  let maxNormSq = 0;
  for (let i = 0; i < count; i++) {
    const v = rows.subarray(i * dim, (i + 1) * dim);
    const o = i * width;
    let n2 = 0;
    if (spec.kind === 'lorentz') {
      const t = lorentzFromTangent(v, spec.curvature, s);
      for (let k = 0; k < dim; k++) {
        data[o + k] = s[k]!;
        n2 += s[k]! * s[k]!;
      }
      data[o + dim] = t;
      n2 += t * t;
      if (spec.bias) {
        data[o + dim + 1] = bias![i]!;
        n2 += bias![i]! * bias![i]!;
      }
    } else {
      for (let k = 0; k < dim; k++) {
        data[o + k] = v[k]!;
        n2 += v[k]! * v[k]!;
      }
      if (spec.kind === 'euclidean-bias') data[o + dim] = Math.sqrt(Math.max(maxBias - bias![i]!, 0));
      else if ((spec.kind === 'dot' || spec.kind === 'cosine') && spec.bias) {
        data[o + dim] = bias![i]!;
        n2 += bias![i]! * bias![i]!;
      }
    }
    normSq[i] = n2;
    if (n2 > maxNormSq) maxNormSq = n2;
  }
  if (reduce) {
    for (let i = 0; i < count; i++) data[i * width + inner] = Math.sqrt(Math.max(maxNormSq - normSq[i]!, 0));
  } else {
    maxNormSq = 0;
  }
  return { spec, metric: spaceMetric(spec), dim: width, data, maxNormSq, maxBias: spec.kind === 'euclidean-bias' ? maxBias : 0 };
}

/** The query vector for hnswlib from P₀ (the inner-product or Euclidean part); any reduction coordinate is 0. */
export function queryVector(dim: number, p0: ArrayLike<number>): number[] {
  const out = new Array<number>(dim).fill(0);
  const n = Math.min(p0.length, dim);
  for (let i = 0; i < n; i++) out[i] = p0[i]!;
  return out;
}
