/**
 * The vector spaces the HNSW indexes of `neighbors` search. Each space defines the data vector D(t) of an entity,
 * the query vector P and the hnswlib metric (`l2`: ‖P − D‖², `ip`: 1 − P·D) so that the metric orders the
 * entities exactly as the wanted distance does:
 *
 * - `euclidean`: D = v, P = q — Euclidean distance.
 * - `dot`: hnswlib's `ip` space on D = v with P = q: the query lives where the data do, and an inner-product
 *   graph is what works best for such searches (measured on DistMult WN18RR, recall@10 at ef = 100: 0.99 in `ip`,
 *   0.80 through the L2 reduction below).
 * - `lorentz`: maximise ⟨P₀, D₀(t)⟩ with D₀ = (S_t, T_t) and P₀ = (S_q, −(1 + cT_q)) on the hyperboloid
 *   (lorentz.ts). hnswlib's `ip` space would build its graph with the same inner product between data points,
 *   which for hyperboloid points (all with a large positive time coordinate; only the *query* has its time
 *   coordinate negated) is no proximity at all: measured recall@10 0.03 on RotH WN18RR. So this inner product is
 *   searched through the standard reduction to L2 (Bachrach et al., RecSys 2014): D = (D₀, √(M − ‖D₀‖²)) with
 *   M = max ‖D₀‖², P = (P₀, 0), and ‖P − D‖² = ‖P₀‖² + M − 2⟨P₀, D₀⟩ — the same order, and a graph built on
 *   Euclidean proximity of hyperboloid points (recall@10 0.99).
 * Candidates are then scored by the similarity kernel (kernel-search.ts); nothing here computes a distance.
 */
import { lorentzFromTangent } from './lorentz.js';

/** A space to index: its kind and, for the hyperboloid, the curvature. */
export type SpaceSpec = { kind: 'euclidean' } | { kind: 'dot' } | { kind: 'lorentz'; curvature: number };

/** A checkpoint's entity rows (tangent vectors for hyperbolic models) and optional tail biases (fingerprinted). */
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
}

/** A short file-name-safe id of a space: the curvature by its float32 bit pattern, so equal ids mean equal c. */
export function spaceId(spec: SpaceSpec): string {
  if (spec.kind !== 'lorentz') return spec.kind;
  const bits = new Uint32Array(new Float32Array([spec.curvature]).buffer)[0]!;
  return `lorentz-c${bits.toString(16).padStart(8, '0')}`;
}

/** Whether the space searches an inner product through the L2 reduction (one extra coordinate). */
export function isReducedInnerProduct(spec: SpaceSpec): boolean {
  return spec.kind === 'lorentz';
}

/** The hnswlib metric a space is searched in. */
export function spaceMetric(spec: SpaceSpec): HnswMetric {
  return spec.kind === 'dot' ? 'ip' : 'l2';
}

/** Builds the data vectors of every entity of `table` in `spec`. */
export function buildSpaceData(spec: SpaceSpec, table: EntityTable): SpaceData {
  const { count, dim, rows } = table;
  if (spec.kind !== 'lorentz') return { spec, metric: spaceMetric(spec), dim, data: rows.slice(0, count * dim), maxNormSq: 0 };
  if (!(spec.curvature > 0 && Number.isFinite(spec.curvature))) throw new Error(`curvature must be positive and finite, got ${spec.curvature}`);
  const width = dim + 2; // S (dim), T, and the L2-reduction coordinate
  const data = new Float32Array(count * width);
  const s = new Float64Array(dim);
  const normSq = new Float64Array(count);
  let maxNormSq = 0;
  for (let i = 0; i < count; i++) {
    const t = lorentzFromTangent(rows.subarray(i * dim, (i + 1) * dim), spec.curvature, s);
    const o = i * width;
    let n2 = t * t;
    for (let k = 0; k < dim; k++) {
      data[o + k] = s[k]!;
      n2 += s[k]! * s[k]!;
    }
    data[o + dim] = t;
    normSq[i] = n2;
    if (n2 > maxNormSq) maxNormSq = n2;
  }
  for (let i = 0; i < count; i++) data[i * width + dim + 1] = Math.sqrt(Math.max(maxNormSq - normSq[i]!, 0));
  return { spec, metric: 'l2', dim: width, data, maxNormSq };
}

/** The query vector for hnswlib from P₀ (the inner-product or Euclidean part); any reduction coordinate is 0. */
export function queryVector(dim: number, p0: ArrayLike<number>): number[] {
  const out = new Array<number>(dim).fill(0);
  const n = Math.min(p0.length, dim);
  for (let i = 0; i < n; i++) out[i] = p0[i]!;
  return out;
}
