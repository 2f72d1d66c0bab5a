/**
 * The exact K nearest entities of every entity, computed once by the kernel sweep (kernel-search.ts) in slices
 * that yield to the event loop, so that a service answers `neighbors` with k ≤ K by a table read: no search, and
 * no approximation. The cost is N sweeps over N entities (≈ 20 s of one core for WN18RR's 40,943 entities at
 * d = 32) and N·K·8 bytes, so it is built only for tables of at most MAX_TABLE_ENTITIES entities.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { KernelSearch } from './kernel-search.js';
import type { Neighbor } from './neighbors.js';

/** Largest entity count a table is built for (the build grows with N²). */
export const MAX_TABLE_ENTITIES = 100_000;
/** Neighbours kept per entity. */
export const TABLE_K = 32;
/** Entities swept between two yields to the event loop (a few ms of work). */
const SLICE = 16;

/** The K nearest entities of every entity, nearest first. */
export class NeighborTable {
  private constructor(readonly K: number, private readonly ids: Int32Array, private readonly values: Float32Array) {}

  /** Builds the table by sweeping every entity (stops early, returning undefined, when `cancelled()` turns true). */
  static async build(search: KernelSearch, cancelled: () => boolean = () => false, K = TABLE_K): Promise<NeighborTable | undefined> {
    const N = search.count;
    const k = Math.min(K, N - 1);
    if (k < 1) return undefined;
    const ids = new Int32Array(N * k), values = new Float32Array(N * k);
    for (let start = 0; start < N; start += SLICE) {
      if (cancelled()) return undefined;
      for (let e = start; e < Math.min(N, start + SLICE); e++) {
        const found = search.nearest(e, k);
        ids.set(found.ids, e * k);
        values.set(found.values, e * k);
      }
      await yieldToEventLoop();
    }
    return new NeighborTable(k, ids, values);
  }

  /** The k nearest of `entity` (k ≤ K), or undefined when the table holds fewer. */
  get(entity: number, k: number): Neighbor[] | undefined {
    if (k > this.K) return undefined;
    const out: Neighbor[] = new Array(k);
    for (let i = 0, o = entity * this.K; i < k; i++, o++) out[i] = { id: this.ids[o]!, value: this.values[o]! };
    return out;
  }
}
