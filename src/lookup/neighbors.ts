/**
 * Nearest entities of an entity: by Euclidean distance (distance-scored models), by inner product (dot-scored
 * models) or by Poincaré distance at curvature c = 1 (hyperbolic models; their per-relation curvatures belong to
 * queries, not to entities). The HNSW index gives candidates in exact order of a monotone key (vector-space.ts);
 * they are rescored in float64 and sorted, ties by id. `exactNeighbors` is the brute-force reference.
 */
import { DEFAULT_EF, searchHnsw } from './hnsw.js';
import type { IndexStore } from './index-store.js';
import { lorentzFromTangent } from './lorentz.js';
import { entityRow, NEIGHBOR_CURVATURE, type NeighborMeasure } from './exact-score.js';
import { queryVector, type EntityTable, type SpaceSpec } from './vector-space.js';

/** One neighbour: its id and the distance (or, for the inner-product metric, the similarity). */
export interface Neighbor {
  id: number;
  value: number;
}

/** The index space of `neighbors` for a metric. */
export function neighborSpace(measure: NeighborMeasure): SpaceSpec {
  if (measure.metric === 'poincare') return { kind: 'lorentz', curvature: NEIGHBOR_CURVATURE, bias: false };
  if (measure.metric === 'dot') return { kind: 'dot', bias: false };
  return { kind: 'euclidean' };
}

/** The hnswlib query vector for entity i's neighbours. */
export function neighborQuery(table: EntityTable, spec: SpaceSpec, dim: number, i: number): number[] {
  const v = entityRow(table, i);
  if (spec.kind === 'lorentz') {
    const s = new Float64Array(table.dim + 1);
    const t = lorentzFromTangent(v, spec.curvature, s);
    s[table.dim] = -(1 + spec.curvature * t);
    return queryVector(dim, s);
  }
  return queryVector(dim, v);
}

/** Sorts (key, id) pairs by key then id and returns the first k as neighbours. */
function finish(measure: NeighborMeasure, keyed: Array<[number, number]>, k: number): Neighbor[] {
  keyed.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return keyed.slice(0, k).map(([key, id]) => ({ id, value: measure.value(key) }));
}

/**
 * The k nearest entities of `entity` through the index (candidates 2k + 1, rescored exactly); by the exact scan
 * when k is over an eighth of all entities or the index returns too few candidates (an inner-product graph need
 * not reach every node).
 */
export async function indexNeighbors(store: IndexStore, measure: NeighborMeasure, table: EntityTable, entity: number, k: number, ef = DEFAULT_EF): Promise<Neighbor[]> {
  const wanted = Math.min(table.count, 2 * k + 1);
  if (wanted > table.count / 8) return exactNeighbors(measure, table, entity, k);
  const spec = neighborSpace(measure);
  const index = await store.get(spec);
  const found = searchHnsw(index.hnsw, neighborQuery(table, spec, index.dim, entity), wanted, Math.max(ef, wanted));
  const keyed: Array<[number, number]> = [];
  for (const id of found.ids) if (id !== entity) keyed.push([measure.key(entity, id), id]);
  if (keyed.length < Math.min(k, table.count - 1)) return exactNeighbors(measure, table, entity, k);
  return finish(measure, keyed, k);
}

/** The k nearest entities of `entity` by scanning all entities (float64, exact). */
export function exactNeighbors(measure: NeighborMeasure, table: EntityTable, entity: number, k: number): Neighbor[] {
  const n = Math.min(k, table.count - 1);
  if (n <= 0) return [];
  // A bounded max-heap of the n best (smallest) keys.
  const keys = new Float64Array(n);
  const ids = new Int32Array(n);
  let size = 0;
  const worse = (a: number, b: number): boolean => keys[a]! > keys[b]! || (keys[a] === keys[b] && ids[a]! > ids[b]!);
  const swap = (a: number, b: number): void => {
    const k0 = keys[a]!, i0 = ids[a]!;
    keys[a] = keys[b]!; ids[a] = ids[b]!;
    keys[b] = k0; ids[b] = i0;
  };
  const siftDown = (start: number): void => {
    let i = start;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let top = i;
      if (l < size && worse(l, top)) top = l;
      if (r < size && worse(r, top)) top = r;
      if (top === i) return;
      swap(i, top);
      i = top;
    }
  };
  for (let j = 0; j < table.count; j++) {
    if (j === entity) continue;
    const key = measure.key(entity, j);
    if (size < n) {
      keys[size] = key; ids[size] = j;
      let i = size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!worse(i, parent)) break;
        swap(i, parent);
        i = parent;
      }
    } else if (key < keys[0]! || (key === keys[0] && j < ids[0]!)) {
      keys[0] = key; ids[0] = j;
      siftDown(0);
    }
  }
  const keyed: Array<[number, number]> = [];
  for (let i = 0; i < size; i++) keyed.push([keys[i]!, ids[i]!]);
  return finish(measure, keyed, n);
}
