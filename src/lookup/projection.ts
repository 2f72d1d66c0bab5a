/**
 * A 2-D picture of an entity's neighbourhood that keeps the geometry honest, computed for the shown points only:
 *
 * - hyperbolic models (Poincaré metric): each entity's ball point x = exp₀(v) at c = 1 (as neighbours are measured),
 *   the log map at the query entity u = log_q(x), scaled so that ‖u‖ = d(q, x) (2·artanh‖(−q) ⊕ x‖), the two principal
 *   directions of these tangent vectors (about the query, which stays at the centre), then the exp map at the centre
 *   of the unit disk along that direction with the *true* distance: the drawn point is tanh(d/2) in the projected
 *   direction, whose hyperbolic distance from the centre is exactly d(q, x);
 * - Euclidean models: u = v − v_q, the same two principal directions, and the true distance ‖u‖ as the radius
 *   (‖u‖₁ for models measured by the L1 distance, Σ_i |u_i| over the complex coordinates [Re | Im] for those measured
 *   by the sum of complex moduli).
 * So distances from the query are exact; directions (and distances between two other points) are those of the
 * projection, whose share of the tangent vectors' energy is `explained`. Float64 throughout (the float64 ball maps and
 * distances of src/kernels/ball-f64.ts; the complex moduli exact, without the kernels' floor of 1e-6 on each).
 */
import { dotv, expmap0, logMapAt, negL1, negModulusL1 } from '../kernels/ball-f64.js';
import type { NeighborMetric } from './kernel-search.js';
import type { EntityTable } from './vector-space.js';

/** One drawn entity: id, position (in the unit disk for hyperbolic models) and its true distance from the query. */
export interface ProjectedPoint {
  id: number;
  x: number;
  y: number;
  distance: number;
}

/** The picture: which geometry, how it was made, how much the projection keeps, and the points (query first). */
export interface NeighbourhoodProjection {
  geometry: 'poincare-disk' | 'plane';
  method: string;
  /** What a point's `distance` is (the model's neighbour measure): e.g. 'hyperbolic distance', 'L1 distance'. */
  distanceName: string;
  /** (λ₁ + λ₂) / Σλ of the tangent vectors' second moment: 1 when the plane holds all of them. */
  explained: number;
  points: ProjectedPoint[];
}

/** Most points a projection is computed for. */
export const MAX_PROJECTED = 512;

/** The distance each neighbour measure draws a point at (the plane of the dot-product models is Euclidean). */
const DISTANCE_NAMES: Record<NeighborMetric, string> = {
  poincare: 'hyperbolic distance', euclidean: 'Euclidean distance', dot: 'Euclidean distance', l1: 'L1 distance', 'complex-l1': 'sum of complex moduli',
};

/** The stated method of a picture (shown in the explorer). */
function projectionMethod(metric: NeighborMetric): string {
  if (metric === 'poincare') return 'log map at the query entity (c = 1), 2-D principal directions of the tangent vectors, exp map into the Poincaré disk with the true hyperbolic distance from the query';
  return `offsets from the query entity, 2-D principal directions, drawn at the true ${DISTANCE_NAMES[metric]} from the query`;
}

const row = (table: EntityTable, id: number): Float64Array => Float64Array.from(table.rows.subarray(id * table.dim, (id + 1) * table.dim));
const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => dotv(a, 0, b, 0, a.length);

/** The distance of two points q, x of a flat model under its metric, u = x − q their difference. */
function flatDistance(metric: NeighborMetric, q: Float64Array, x: Float64Array, u: Float64Array): number {
  if (metric === 'l1') return -negL1(q, x);
  if (metric === 'complex-l1') return -negModulusL1(q, x, 0);
  return Math.sqrt(dot(u, u));
}

/**
 * The leading eigenvector of the symmetric positive semi-definite operator `apply` (on d-vectors) by power
 * iteration from a fixed start (deterministic answers), its sign fixed so its largest component is positive.
 */
function leadingEigen(apply: (v: Float64Array) => Float64Array, d: number): { vector: Float64Array; value: number } {
  let v: Float64Array = Float64Array.from({ length: d }, (_, k) => 1 + k / (2 * d));
  let value = 0;
  for (let iteration = 0; iteration < 500; iteration++) {
    const next = apply(v);
    const norm = Math.sqrt(dot(next, next));
    if (norm < 1e-300) return { vector: new Float64Array(d), value: 0 };
    for (let k = 0; k < d; k++) next[k] = next[k]! / norm;
    const change = Math.abs(norm - value);
    v = next;
    value = norm;
    if (change <= 1e-13 * norm) break;
  }
  let largest = 0;
  for (let k = 1; k < d; k++) if (Math.abs(v[k]!) > Math.abs(v[largest]!)) largest = k;
  if (v[largest]! < 0) v = v.map((x) => -x);
  return { vector: v, value };
}

/**
 * The two principal directions of vectors about the origin (the query): the leading eigenvectors of Σ u uᵀ, applied
 * as Σ u (u·v) without forming the d×d matrix; and their share (λ₁ + λ₂)/Σ‖u‖² of the energy.
 */
function principalPlane(vectors: Float64Array[], d: number): { axes: [Float64Array, Float64Array]; explained: number } {
  const moment = (v: Float64Array): Float64Array => {
    const out = new Float64Array(d);
    for (const u of vectors) {
      const a = dot(u, v);
      for (let k = 0; k < d; k++) out[k] += a * u[k]!;
    }
    return out;
  };
  const first = leadingEigen(moment, d);
  const deflated = (v: Float64Array): Float64Array => {
    const out = moment(v);
    const a = first.value * dot(first.vector, v);
    for (let k = 0; k < d; k++) out[k] -= a * first.vector[k]!;
    return out;
  };
  const second = leadingEigen(deflated, d);
  const trace = vectors.reduce((sum, u) => sum + dot(u, u), 0);
  const explained = trace > 0 ? Math.min(1, (first.value + second.value) / trace) : 1;
  return { axes: [first.vector, second.vector], explained };
}

/**
 * The picture of `centre` and the entities `ids` (duplicates and the centre itself are dropped; at most
 * MAX_PROJECTED) for a table measured by `metric`.
 */
export function projectNeighbourhood(table: EntityTable, metric: NeighborMetric, centre: number, ids: readonly number[]): NeighbourhoodProjection {
  const check = (id: number): void => {
    if (!(Number.isInteger(id) && id >= 0 && id < table.count)) throw new RangeError(`entity id ${id} is outside [0, ${table.count})`);
  };
  check(centre);
  const shown = [...new Set(ids)].filter((id) => id !== centre);
  shown.forEach(check);
  if (shown.length > MAX_PROJECTED) throw new RangeError(`at most ${MAX_PROJECTED} points are projected, got ${shown.length}`);
  const hyperbolic = metric === 'poincare';
  const geometry = hyperbolic ? 'poincare-disk' : 'plane';
  const q = hyperbolic ? expmap0(row(table, centre), 1) : row(table, centre);
  const tangents = shown.map((id) => {
    if (hyperbolic) return logMapAt(q, expmap0(row(table, id), 1));
    const x = row(table, id), u = x.map((v, k) => v - q[k]!);
    return { u, distance: flatDistance(metric, q, x, u) };
  });
  const { axes, explained } = principalPlane(tangents.map((t) => t.u), table.dim);
  const points: ProjectedPoint[] = [{ id: centre, x: 0, y: 0, distance: 0 }];
  shown.forEach((id, i) => {
    const { u, distance } = tangents[i]!;
    const px = dot(axes[0], u), py = dot(axes[1], u);
    const r = Math.hypot(px, py);
    const [dx, dy] = r > 1e-12 * Math.max(distance, 1e-300) ? [px / r, py / r] : [1, 0];
    const radius = hyperbolic ? Math.min(Math.tanh(distance / 2), 1 - 1e-9) : distance;
    points.push({ id, x: radius * dx, y: radius * dy, distance });
  });
  return { geometry, method: projectionMethod(metric), distanceName: DISTANCE_NAMES[metric], explained, points };
}
