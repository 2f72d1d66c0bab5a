/**
 * Scoring queries against all entities (evaluation, prediction, MulDE's top-K): every batch of queries is scored
 * as sim(q, E) + offset + bias.
 *
 * The similarity is a function of x2 = ‖q‖², v2 = ‖e‖² and xv = q·e (see similarity-tf.ts). On the wasm and cpu
 * backends the query side runs in tfjs (B rows) and the [B×N] scores in one kernel pass on both threads
 * (`denseScoresAll`, src/kernels/dense-threads.ts): the dot products by register tiles against a blocked copy of the
 * table (made at the first scoring, again only when another scorer of the memory made its own since), the
 * similarity and the biases applied to each tile as it is made, the query rows split between the kernel worker and
 * this thread. The native TensorFlow backend (and rows not of 4k floats) keep the all-tfjs path: one matMul against
 * the table transposed to [d, N] (the layout the wasm matMul is fast with) and elementwise ops. ‖e‖² and the biases
 * are taken when a scorer is made: make a new scorer after the tables change.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { AllEntityScorer } from './all-entity-scorer.js';
import type { KgeModel } from './model.js';
import type { ParameterStore } from './parameter-store.js';
import { gatherQueryRows, rowsByName } from './query-rows.js';
import { similarityAll } from './similarity-tf.js';
import { SIMILARITY_KERNEL_ID } from './candidate-scoring.js';
import { kernelsForMemory, type Kernels } from '../kernels/kernels.js';
import { ScratchBlocks, subF32, subI32, type F32Block, type I32Block, type KernelMemory } from '../kernels/kernel-memory.js';
import { blockedLength, type PoincareEntityTerms } from '../kernels/top-k-kernels.js';
import { denseScoresAll, denseScoreTable } from '../kernels/dense-threads.js';
import type { DenseScoreTable } from '../kernels/dense-kernels.js';
import { topKPerRow } from './top-k-select.js';
import { poincareEntityOrder, writeEntitySide } from './poincare-entity-order.js';
import { rowSquaredNorms } from '../kernels/row-norms.js';
import { KernelWorker } from '../kernels/kernel-worker.js';

/** A curvature group is split with the worker thread when each half has at least this many queries. */
const MIN_WORKER_QUERIES = 64;

/** The query side of a batch in kernel memory: q [B×d], ‖q‖², curvature and offset per query (when the model has them). */
interface QuerySideBlocks {
  q: F32Block;
  x2: F32Block;
  c: F32Block | null;
  rowBias: F32Block | null;
}

/** Scratch shared by the scorers of one memory (calls are synchronous). */
const scratchByMemory = new WeakMap<KernelMemory, ScratchBlocks>();

/** What the kernel path keeps per scorer: snapshots of ‖e‖² and of the tail biases at construction. */
interface KernelPath {
  kernels: Kernels;
  scratch: ScratchBlocks;
  v2: Float32Array;
  tailBias?: Float32Array;
}

/** The scorer whose table the dense kernels' blocked copy of a memory holds (one copy per memory, made on demand). */
const denseTableOwner = new WeakMap<KernelMemory, ModelEntityScorer>();

/** An all-entity scorer over a model's current parameters; call `dispose` when done. */
export class ModelEntityScorer implements AllEntityScorer {
  readonly numEntities: number;
  private tableTensor?: tf.Tensor2D;
  private readonly bias?: tf.Tensor2D;
  private readonly kernelPath?: KernelPath;
  private denseSide?: DenseScoreTable;

  constructor(private readonly model: KgeModel, private readonly store: ParameterStore) {
    const table = store.table(model.candidateTable);
    this.numEntities = table.rows;
    const biasTable = model.tailBiasTable ? store.table(model.tailBiasTable) : undefined;
    if (tf.getBackend() !== 'tensorflow') { // the kernels score all entities and pick the top K
      const v2 = rowSquaredNorms(table.data.array, table.rows, table.dim);
      let scratch = scratchByMemory.get(store.memory);
      if (!scratch) scratchByMemory.set(store.memory, (scratch = new ScratchBlocks(store.memory)));
      this.kernelPath = { kernels: kernelsForMemory(store.memory), scratch, v2, tailBias: biasTable?.data.array.slice() };
    }
    if (!this.kernelScoring()) {
      if (biasTable) this.bias = tf.tensor2d(biasTable.data.array, [1, biasTable.rows]);
      this.tableTensor = tf.tidy(() => tf.transpose(tf.tensor2d(table.data.array, [table.rows, table.dim])));
    }
  }

  /** The table transposed to [d, N] in tfjs (the tfjs path only). */
  private get tableT(): tf.Tensor2D {
    if (!this.tableTensor) throw new Error('ModelEntityScorer: the kernel path has no tfjs table');
    return this.tableTensor;
  }

  /** Scores as a tensor [B, N] (caller disposes). */
  scoreTensor(entities: Int32Array, queryRelations: Int32Array): tf.Tensor2D {
    if (this.kernelScoring()) {
      return tf.tensor2d(this.kernelScores(entities, queryRelations, this.kernelPath!), [entities.length, this.numEntities]);
    }
    return tf.tidy(() => {
      const gathered = gatherQueryRows(this.model, this.store, entities, queryRelations);
      const out = this.model.query(rowsByName(gathered.names, gathered.tensors));
      let scores = similarityAll(this.model.similarity, out.q, this.tableT, out.c);
      if (this.bias) scores = tf.add(scores, this.bias);
      if (out.offset) scores = tf.add(scores, out.offset);
      return scores;
    });
  }

  /** Scores as a row-major Float32Array [B × N]. */
  async scoreAll(entities: Int32Array, queryRelations: Int32Array): Promise<Float32Array> {
    return this.scoreAllSync(entities, queryRelations);
  }

  /**
   * Scores as a row-major Float32Array [B × N], synchronously. Prefer it to `scoreTensor` inside a `tf.tidy`:
   * wrapping a 20M-float score tensor in a tidy scope was measured 80× slower (82 s instead of 1 s on WN18RR).
   */
  scoreAllSync(entities: Int32Array, queryRelations: Int32Array): Float32Array {
    if (this.kernelScoring()) return this.kernelScores(entities, queryRelations, this.kernelPath!);
    const scores = this.scoreTensor(entities, queryRelations);
    try {
      return scores.dataSync() as Float32Array;
    } finally {
      scores.dispose();
    }
  }

  /**
   * The K best entities of each query, row-major [B×K], by descending score (ties: lower id first). On the kernel
   * path one pass of `topKScores` over a blocked copy of the table (no [B×N] matrix); otherwise all scores, then
   * an exact selection in JS.
   */
  topKSync(entities: Int32Array, queryRelations: Int32Array, K: number): Int32Array {
    const B = entities.length;
    if (!Number.isInteger(K) || K < 1 || K > this.numEntities) throw new Error(`top-K needs 1 ≤ K ≤ ${this.numEntities} (got ${K})`);
    if (!this.kernelPath) {
      const out = new Int32Array(B * K);
      const scores = this.scoreAllSync(entities, queryRelations);
      topKPerRow(scores, B, this.numEntities, K, out);
      sortRowsByScore(out, scores, B, this.numEntities, K);
      return out;
    }
    if (this.model.similarity === 'negSqPoincare') return this.poincareTopK(entities, queryRelations, K, this.kernelPath);
    const { kernels, scratch } = this.kernelPath;
    const N = this.numEntities;
    const table = this.store.table(this.model.candidateTable);
    const d = table.dim;
    const padded = Math.ceil(N / 4) * 4;
    const blocked = scratch.f32('topk:blocked', blockedLength(N, d));
    kernels.topK.blockTable(N, d, table.data, null, blocked);
    const v2 = scratch.f32('topk:v2', padded);
    v2.array.set(this.kernelPath.v2);
    const colBias = this.kernelPath.tailBias ? scratch.f32('topk:colBias', padded) : null;
    if (colBias) colBias.array.set(this.kernelPath.tailBias!);
    const side = this.querySide(entities, queryRelations, scratch);
    const ids = scratch.i32('topk:ids', B * K);
    const scores = scratch.f32('topk:scores', B * K);
    kernels.topK.topKScores(SIMILARITY_KERNEL_ID[this.model.similarity], B, K, side, { N, d, blocked, v2, colBias }, ids, scores);
    return ids.array.slice(0, B * K);
  }

  /**
   * topKSync for the Poincaré similarity: entities visited in descending tail bias (so `poincareTopK` can prune
   * and stop early), queries grouped by curvature (the per-entity terms depend on c). Callers that send queries
   * sorted by relation (one curvature each) pay the per-entity terms once per relation.
   */
  private poincareTopK(entities: Int32Array, queryRelations: Int32Array, K: number, path: KernelPath): Int32Array {
    const { kernels, scratch } = path;
    const B = entities.length;
    const N = this.numEntities;
    const d = this.store.table(this.model.candidateTable).dim;
    const { perm, blocked, bias, terms } = this.entitiesByBias(path);
    const side = this.querySide(entities, queryRelations, scratch);
    if (!side.c) throw new Error('topKSync: the Poincaré similarity needs a curvature per query');
    const groups = new Map<number, number[]>();
    for (let b = 0; b < B; b++) {
      const cb = side.c.array[b]!;
      const list = groups.get(cb);
      if (list) list.push(b);
      else groups.set(cb, [b]);
    }
    const out = new Int32Array(B * K);
    const q = side.q.array.slice(0, B * d), x2 = side.x2.array.slice(0, B), off = side.rowBias?.array.slice(0, B);
    // the members of a curvature group are split in two contiguous halves: the worker thread's and ours
    const gq = scratch.f32('topk:gq', B * d), gx2 = scratch.f32('topk:gx2', B), goff = off ? scratch.f32('topk:goff', B) : null;
    const ids = scratch.i32('topk:ids', B * K), scores = scratch.f32('topk:scores', B * K), state = scratch.i32('topk:state', B);
    const worker = B >= 2 * MIN_WORKER_QUERIES ? kernels.worker() : null;
    const tableSide = { N, d, blocked, v2: terms.v2, colBias: null };
    /** The checked arguments of the sweep for members [first, first + count) of the current group. */
    const args = (c: number, first: number, count: number): number[] => kernels.topK.poincareTopKArgs(count, K, c,
      { q: subF32(gq, first * d, count * d), x2: subF32(gx2, first, count), c: null, rowBias: goff ? subF32(goff, first, count) : null },
      tableSide, perm, terms, bias, subI32(ids, first * K, count * K), subF32(scores, first * K, count * K), subI32(state, first, count));
    for (const [c, members] of groups) {
      kernels.topK.poincareEntityTerms(N, c, terms);
      members.forEach((b, i) => {
        gq.array.set(q.subarray(b * d, (b + 1) * d), i * d);
        gx2.array[i] = x2[b]!;
        if (goff) goff.array[i] = off![b]!;
      });
      const m = members.length;
      const theirs = worker && m >= 2 * MIN_WORKER_QUERIES ? Math.floor(m / 2) : 0;
      KernelWorker.beside(worker, 'poincareTopK', theirs > 0 ? args(c, 0, theirs) : null, () => kernels.topK.run('poincareTopK', args(c, theirs, m - theirs)));
      members.forEach((b, i) => out.set(ids.array.subarray(i * K, (i + 1) * K), b * K));
    }
    return out;
  }

  /**
   * The entity side of the Poincaré top-K in kernel memory, in visiting order (descending tail bias): the ids
   * (`perm`), the blocked table, the biases and ‖v‖² (padded), and room for the per-curvature terms.
   */
  private entitiesByBias(path: KernelPath): { perm: I32Block; blocked: F32Block; bias: F32Block; terms: PoincareEntityTerms } {
    const { kernels, scratch } = path;
    const N = this.numEntities;
    const table = this.store.table(this.model.candidateTable);
    const padded = Math.ceil(N / 4) * 4;
    const perm = scratch.i32('topk:perm', N);
    const blocked = scratch.f32('topk:blocked', blockedLength(N, table.dim));
    const bias = scratch.f32('topk:bias', padded);
    const terms = { v2: scratch.f32('topk:v2', padded), alpha: scratch.f32('topk:alpha', padded),
      alphaY: scratch.f32('topk:alphaY', padded), twoAlphaG: scratch.f32('topk:twoAlphaG', padded) };
    writeEntitySide(kernels, table.data, table.dim, poincareEntityOrder(N, path.tailBias), path.v2, path.tailBias, { perm, blocked, v2: terms.v2, bias });
    return { perm, blocked, bias, terms };
  }

  /** Whether all-entity scores take the kernel path (every backend but the native one; rows of 4k floats). */
  private kernelScoring(): boolean {
    return this.kernelPath !== undefined && this.store.table(this.model.candidateTable).dim % 4 === 0;
  }

  /** Frees the uploaded table. */
  dispose(): void {
    this.tableTensor?.dispose();
    this.bias?.dispose();
    if (denseTableOwner.get(this.store.memory) === this) denseTableOwner.delete(this.store.memory);
  }

  /** The model's query side for a batch (tfjs), copied into kernel memory with ‖q‖². */
  private querySide(entities: Int32Array, queryRelations: Int32Array, scratch: ScratchBlocks): QuerySideBlocks {
    const B = entities.length;
    let q!: Float32Array, c: Float32Array | undefined, offset: Float32Array | undefined;
    tf.tidy(() => {
      const gathered = gatherQueryRows(this.model, this.store, entities, queryRelations);
      const out = this.model.query(rowsByName(gathered.names, gathered.tensors));
      q = out.q.dataSync() as Float32Array;
      c = out.c?.dataSync() as Float32Array | undefined;
      offset = out.offset?.dataSync() as Float32Array | undefined;
    });
    const d = q.length / Math.max(B, 1);
    const qBlock = scratch.f32('q', B * d);
    qBlock.array.set(q);
    const x2 = scratch.f32('x2', B);
    const xa = x2.array;
    for (let b = 0; b < B; b++) {
      let sum = 0;
      for (let k = b * d; k < (b + 1) * d; k++) sum += q[k]! * q[k]!;
      xa[b] = sum;
    }
    const cBlock = c ? scratch.f32('c', B) : null;
    if (cBlock) cBlock.array.set(c!);
    const rowBias = offset ? scratch.f32('offset', B) : null;
    if (rowBias) rowBias.array.set(offset!);
    return { q: qBlock, x2, c: cBlock, rowBias };
  }

  /** The scores [B×N] by the dense kernel on both threads (see the file comment), copied out of kernel memory. */
  private kernelScores(entities: Int32Array, queryRelations: Int32Array, path: KernelPath): Float32Array {
    const B = entities.length;
    const N = this.numEntities;
    const side = this.querySide(entities, queryRelations, path.scratch);
    const out = path.scratch.f32('scores', B * N);
    denseScoresAll(path.kernels, SIMILARITY_KERNEL_ID[this.model.similarity], B, side, this.denseTable(path), out);
    return out.array.slice(0, B * N);
  }

  /** The entity side of the dense kernel: the blocked table, ‖v‖², tail biases (remade when another scorer's is there). */
  private denseTable(path: KernelPath): DenseScoreTable {
    const memory = this.store.memory;
    if (this.denseSide && denseTableOwner.get(memory) === this) return this.denseSide;
    const table = this.store.table(this.model.candidateTable);
    this.denseSide = denseScoreTable(path.kernels, table.data, table.rows, table.dim, path.v2, path.tailBias);
    denseTableOwner.set(memory, this);
    return this.denseSide;
  }
}

/** Orders each row of ids [B×K] by descending score (ties: lower id first), as the top-K kernel returns them. */
function sortRowsByScore(ids: Int32Array, scores: Float32Array, B: number, N: number, K: number): void {
  for (let b = 0; b < B; b++) {
    const row = ids.subarray(b * K, (b + 1) * K);
    const s = (j: number): number => scores[b * N + j]!;
    row.set(Array.from(row).sort((x, y) => s(y) - s(x) || x - y));
  }
}
