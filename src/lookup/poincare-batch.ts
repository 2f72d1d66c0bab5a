/**
 * Link prediction of many queries at once on Poincaré models (RotH, RefH, AttH, MuRP): one sweep of the table for
 * the whole batch, whatever the queries' relations (curvatures), by assembly/poincare-batch-top-k.ts — dot products
 * screened in int16, exact float32 scores for every entity the screen keeps. The answers are each query's first K
 * entities by (score descending, id ascending): the same alone or in any batch, on one thread or two.
 *
 * On two threads (the kernel worker shares the memory) the work is split by queries when the batch has at least
 * two tiles of four, else by entity range (each thread keeps its own heaps; the two lists are merged here).
 */
import type { Kernels } from '../kernels/kernels.js';
import { ScratchBlocks, subF32, type F32Block, type I32Block } from '../kernels/kernel-memory.js';
import { BATCH_GROUP_BLOCKS, quantizedLength, type PoincareBatchOut, type PoincareBatchQueries, type PoincareBatchTable,
  type PoincareEntityTerms } from '../kernels/top-k-kernels.js';
import type { QueryPointBlocks } from '../core/query-points.js';
import { KernelWorker } from '../kernels/kernel-worker.js';

/** Ids with their scores, descending (ties: lower id first). */
export interface RankedList {
  ids: Int32Array;
  values: Float32Array;
}

/** Query–entity pairs below which a batch stays on one thread (the worker's round trip costs ~50 µs). */
export const MIN_SPLIT_WORK = 1 << 16;
/** Queries from which a batch is split by queries (two tiles of four at least) rather than by entities. */
const SPLIT_BY_QUERIES = 8;

/** The entity side (in visiting order, descending tail bias) that the batch sweeps. */
export interface BatchEntities {
  N: number;
  /** Row width (a multiple of 4). */
  d: number;
  blocked: F32Block;
  perm: I32Block;
  /** Tail biases in visiting order (zeros when the model has none), padded to ⌈N/4⌉·4. */
  bias: F32Block;
}

/** One part of a split call: queries [first, first + count) over blocks [start, end). */
interface Part {
  first: number;
  count: number;
  start: number;
  end: number;
}

/** The batched Poincaré top-K of one opened run. */
export class PoincareBatch {
  private readonly table: PoincareBatchTable;
  private readonly blocks: number;
  private readonly room: ScratchBlocks;

  constructor(private readonly kernels: Kernels, entities: BatchEntities) {
    const { N, d } = entities;
    const memory = kernels.memory;
    this.room = new ScratchBlocks(memory);
    this.blocks = Math.ceil(N / 4);
    const q16 = memory.allocI32(quantizedLength(N, d));
    const info = memory.allocF32(3 * this.blocks * 4);
    // slack for the float32 rounding of an exact dot product of d terms (relative to ‖q‖·‖v‖)
    const rho = Math.max(2 ** -16, d * 2 ** -22);
    kernels.topK.quantizeBlocked(N, d, entities.blocked, rho, q16, info);
    this.table = { ...entities, q16, info };
  }

  /**
   * The K best entities of the B queries in `point` (ball points, ‖q‖², curvatures, offsets), each with the terms
   * of its curvature; on both threads when the batch is large enough.
   */
  run(point: QueryPointBlocks, B: number, K: number, terms: readonly PoincareEntityTerms[]): RankedList[] {
    if (!point.c) throw new Error('predict: the Poincaré similarity needs a curvature per query');
    const { N } = this.table;
    const worker = B * N >= MIN_SPLIT_WORK ? this.kernels.worker() : null;
    const parts: Part[] = [];
    if (!worker) {
      parts.push({ first: 0, count: B, start: 0, end: this.blocks });
    } else if (B >= SPLIT_BY_QUERIES) {
      const theirs = 4 * Math.floor(B / 8);
      parts.push({ first: 0, count: B - theirs, start: 0, end: this.blocks }, { first: B - theirs, count: theirs, start: 0, end: this.blocks });
    } else {
      const mid = BATCH_GROUP_BLOCKS * Math.round(this.blocks / 2 / BATCH_GROUP_BLOCKS);
      if (mid <= 0 || mid >= this.blocks) parts.push({ first: 0, count: B, start: 0, end: this.blocks });
      else parts.push({ first: 0, count: B, start: 0, end: mid }, { first: 0, count: B, start: mid, end: this.blocks });
    }
    const outs = parts.map((part, i) => this.outBlocks(i, part.count, K));
    const args = parts.map((part, i) => this.kernels.topK.poincareTopKBatchArgs(part.count, K, this.queries(point, part, terms), this.table,
      part.start, part.end, outs[i]!));
    KernelWorker.beside(worker, 'poincareTopKBatch', args[1] ?? null, () => this.kernels.topK.run('poincareTopKBatch', args[0]!));
    const lists = (i: number): RankedList[] => {
      const { ids, scores, count } = outs[i]!;
      const idArray = ids.array, scoreArray = scores.array, counts = count.array;
      return Array.from({ length: parts[i]!.count }, (_, b) => ({
        ids: idArray.slice(b * K, b * K + counts[b]!), values: scoreArray.slice(b * K, b * K + counts[b]!),
      }));
    };
    if (parts.length === 1) return lists(0);
    if (parts[0]!.count < B) return [...lists(0), ...lists(1)];
    const [a, b] = [lists(0), lists(1)];
    return a.map((x, i) => mergeRanked(x, b[i]!, K));
  }

  /** The queries of one part (views of the point blocks). */
  private queries(point: QueryPointBlocks, part: Part, terms: readonly PoincareEntityTerms[]): PoincareBatchQueries {
    const { first, count } = part;
    const d = this.table.d;
    return {
      q: subF32(point.q, first * d, count * d), x2: subF32(point.x2, first, count), c: subF32(point.c!, first, count),
      rowBias: point.offset ? subF32(point.offset, first, count) : null, terms: terms.slice(first, first + count),
    };
  }

  /** The output and scratch blocks of part i (one set per thread). */
  private outBlocks(i: number, B: number, K: number): PoincareBatchOut {
    const r = this.room;
    return {
      ids: r.i32Exact(`ids${i}`, B * K), scores: r.f32Exact(`scores${i}`, B * K), count: r.i32Exact(`count${i}`, B),
      termPtrs: r.i32Exact(`terms${i}`, 3 * B), qq: r.i32Exact(`qq${i}`, Math.ceil((B * this.table.d) / 2)), work: r.f32Exact(`work${i}`, 16 * B),
    };
  }
}

/** The first K of two lists sorted by (score descending, id ascending), in that order. */
export function mergeRanked(a: RankedList, b: RankedList, K: number): RankedList {
  const n = Math.min(K, a.ids.length + b.ids.length);
  const ids = new Int32Array(n), values = new Float32Array(n);
  let i = 0, j = 0;
  for (let t = 0; t < n; t++) {
    const takeA = j >= b.ids.length || (i < a.ids.length && (a.values[i]! > b.values[j]! || (a.values[i] === b.values[j] && a.ids[i]! < b.ids[j]!)));
    if (takeA) {
      ids[t] = a.ids[i]!;
      values[t] = a.values[i++]!;
    } else {
      ids[t] = b.ids[j]!;
      values[t] = b.values[j++]!;
    }
  }
  return { ids, values };
}
