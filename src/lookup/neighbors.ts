/**
 * Nearest entities of an entity: by Euclidean distance (distance-scored models), by L1 distance (models scored by
 * it: TransE with norm 1) or the sum of complex moduli (RotatE with norm 1), by inner product (dot-scored models) or by Poincaré distance at curvature c = 1
 * (hyperbolic models; their per-relation curvatures belong to queries, not to entities). The HNSW index gives
 * candidates in the order of a monotone key (vector-space.ts); the similarity kernel scores them (kernel-search.ts),
 * sorted, ties by id. hnswlib has no L1 space: the L1 metrics take their candidates from the Euclidean index (a good
 * but not monotone key, ‖x‖₂ ≤ ‖x‖₁ ≤ √d‖x‖₂, and ‖x‖₂ ≤ Σ_i|z_i| ≤ √(d/2)‖x‖₂ for complex coordinates; the answer is marked `hnsw`, approximate, as every index answer).
 * `exactNeighbors` sweeps all entities with the top-K kernels instead.
 */
import { DEFAULT_EF, searchHnsw } from './hnsw.js';
import type { IndexStore } from './index-store.js';
import { lorentzFromTangent } from './lorentz.js';
import { NEIGHBOR_CURVATURE, type KernelSearch, type NeighborMetric, type Ranked } from './kernel-search.js';
import { queryVector, type EntityTable, type SpaceSpec } from './vector-space.js';

/** One neighbour: its id and the distance (or, for the inner-product metric, the similarity). */
export interface Neighbor {
  id: number;
  value: number;
}

/** The index space of `neighbors` for a metric. */
export function neighborSpace(metric: NeighborMetric): SpaceSpec {
  if (metric === 'poincare') return { kind: 'lorentz', curvature: NEIGHBOR_CURVATURE };
  if (metric === 'dot') return { kind: 'dot' };
  return { kind: 'euclidean' }; // also the candidate space of 'l1' and 'complex-l1' (see the file comment)
}

/** The hnswlib query vector for entity i's neighbours. */
export function neighborQuery(table: EntityTable, spec: SpaceSpec, dim: number, i: number): number[] {
  const v = table.rows.subarray(i * table.dim, (i + 1) * table.dim);
  if (spec.kind === 'lorentz') {
    const s = new Float64Array(table.dim + 1);
    const t = lorentzFromTangent(v, spec.curvature, s);
    s[table.dim] = -(1 + spec.curvature * t); // the query's time coordinate negated (lorentz.ts)
    return queryVector(dim, s);
  }
  return queryVector(dim, v);
}

const asNeighbors = (found: Ranked): Neighbor[] => Array.from(found.ids, (id, i) => ({ id, value: found.values[i]! }));

/**
 * Euclidean candidates per answer of the L1 metrics: their order is not L1's (see the file comment), so they take a
 * wider pool than the 2k + 1 of a metric the index orders exactly: 8k + 1, or every candidate of the search's beam
 * (`ef`, 100 by default) when that is more — rescoring a few hundred rows costs the kernel microseconds. On 150,000
 * trained TransE rows (d = 16, L1; 300 queries), 4k + 1 found 78 % of the true nearest at k = 1, 89 % at k = 10 and
 * 90 % at k = 50; this pool finds 99.3 %, 96 % and 96 % (docs/RESULTS.md, 2026-12-06). On 400 random rows at k = 10
 * (test/lookup/kernel-search.test.ts) 2k + 1 candidates left out 104 (TransE, d = 8) and 71 (RotatE, d = 12) of
 * 1,340 true neighbours. The exact sweep (`kgdistill neighbors`' default, `{ exact: true }` in openModel and serve)
 * scores every entity.
 */
const L1_CANDIDATES_PER_ANSWER = 8;

/**
 * The k nearest entities of `entity` through the index (candidates 2k + 1; for the L1 metrics 8k + 1 or the whole
 * beam, whichever is more; scored by the kernel); by the exact sweep when 2k + 1 is over an eighth of all entities or
 * the index returns too few candidates (an inner-product graph need not reach every node).
 */
export async function indexNeighbors(store: IndexStore, search: KernelSearch, table: EntityTable, entity: number, k: number, ef = DEFAULT_EF): Promise<IndexedNeighbors> {
  if (2 * k + 1 > table.count / 8) return { neighbors: exactNeighbors(search, entity, k), method: 'exact' };
  const l1 = search.metric === 'l1' || search.metric === 'complex-l1';
  const candidates = Math.min(table.count, l1 ? Math.max(ef, L1_CANDIDATES_PER_ANSWER * k + 1) : 2 * k + 1);
  const spec = neighborSpace(search.metric);
  const index = await store.get(spec);
  const found = searchHnsw(index.hnsw, neighborQuery(table, spec, index.dim, entity), candidates, Math.max(ef, candidates));
  const ranked = search.rescore(entity, found.ids, k);
  if (ranked.ids.length < Math.min(k, table.count - 1)) return { neighbors: exactNeighbors(search, entity, k), method: 'exact' };
  return { neighbors: asNeighbors(ranked), method: 'hnsw' };
}

/** What `indexNeighbors` found, and how: by the index, or by the exact sweep it fell back to (k large for N, or too few found). */
export interface IndexedNeighbors {
  neighbors: Neighbor[];
  method: 'hnsw' | 'exact';
}

/** The k nearest entities of `entity` over all entities (the top-K kernels, exact in float32). */
export function exactNeighbors(search: KernelSearch, entity: number, k: number): Neighbor[] {
  const n = Math.min(k, search.count - 1);
  return n <= 0 ? [] : asNeighbors(search.nearest(entity, n));
}
