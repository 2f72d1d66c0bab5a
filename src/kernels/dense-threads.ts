// The dense kernels over all entities on both threads (the kernel worker shares the memory): both threads call the
// same kernel and take runs of work from a shared counter until none is left, so a core busy with something else
// takes fewer; every run writes only its own outputs with sums in a fixed order, so the results are the same bits on
// one thread (KGDISTILL_THREADS=1, one core: one call takes every run) or two.
//   - softmax or binary cross-entropy (dense-softmax.ts): phase 1 over runs of rows (scores, softmax or sigmoids, loss per row, dq), then,
//     once both threads are through, phase 2 over runs of entities (dE, dβ, gold corrections); the loss is the sum of
//     the row losses in row order. Rows go in groups whose scores fit SOFTMAX_GROUP_BYTES.
//   - the same two losses of Poincaré scores (dense-poincare.ts): the same phases, with dL/dc (and the rows' offsets'
//     gradient under bce) in phase 1 and two or three run buffers in a group's bytes.
//   - scores (dense-scores.ts): runs of rows, each row's scores depending on that row alone.
import { ScratchBlocks, subF32, subI32, type F32Block, type I32Block, type KernelMemory } from './kernel-memory.js';
import type { Kernels } from './kernels.js';
import { DENSE_EXPORTS, DenseKernels, denseBlockedLength, paddedEntities, type DenseExports, type DenseRunExport,
  type DenseRowsExport, type DenseScoreQueries, type DenseTable, type DenseScoreTable, type PoincareRows, type SoftmaxRows } from './dense-kernels.js';
import { KernelWorker } from './kernel-worker.js';
import { rowSquaredNorms } from './row-norms.js';

/** Bytes of scores one run of softmax rows keeps in cache between its passes (per thread). */
export const SOFTMAX_CHUNK_BYTES = 1 << 20;
/** Bytes of scores of one group of rows (phase 1 keeps them for phase 2). */
export const SOFTMAX_GROUP_BYTES = 64 << 20;
/** Entities per run of phase 2. */
const ENTITY_UNIT = 64;

/** The checked dense kernels of an instance (wrapped once per Kernels). */
export function denseKernels(kernels: Kernels): DenseKernels {
  return kernels.extension('dense', DENSE_EXPORTS, (ex, checks) => new DenseKernels(ex as unknown as DenseExports, checks));
}

const scratchByMemory = new WeakMap<KernelMemory, ScratchBlocks>();

/** Scratch blocks of the dense kernels of one memory (calls are synchronous; names are this file's). */
function scratchOf(memory: KernelMemory): ScratchBlocks {
  let scratch = scratchByMemory.get(memory);
  if (!scratch) scratchByMemory.set(memory, (scratch = new ScratchBlocks(memory)));
  return scratch;
}

/** Inputs of `denseEntityLoss`: B query rows with gold answers against the N×d table and its optional biases. */
export interface DenseEntityLossInputs {
  B: number;
  N: number;
  d: number;
  /** Entity rows [N×d] and tail biases [N] (or null). */
  table: F32Block;
  bias: F32Block | null;
  /** Query rows [B×d], gold answers [B]. */
  q: F32Block;
  gold: I32Block;
  /** dL/dq [B×d] (overwritten); dL/dE [N×d] and dL/dβ [N] (accumulated). */
  dq: F32Block;
  gTable: F32Block;
  gBias: F32Block | null;
  /** Factor of dL/ds: 1/B for the batch mean (times an upstream gradient); 1/(B·N) for BCE's mean over all scores. */
  scale: number;
  /**
   * The row loss: `softmax`, L_b = log Σ_j exp s_bj − s_{b,g_b} (the default), or `bce`, binary cross-entropy
   * against every entity with the gold answer the one positive, L_b = Σ_j softplus(s_bj) − s_{b,g_b}.
   */
  loss?: 'softmax' | 'bce';
}

/** The entity side both dense losses read: the table, its blocked copy and the biases padded to Np, in kernel scratch. */
function lossTable(dense: DenseKernels, scratch: ScratchBlocks, inputs: DenseEntityLossInputs): DenseTable {
  const { N, d } = inputs;
  const blocked = scratch.f32('softmax:blocked', denseBlockedLength(N, d));
  dense.blockRows(N, d, inputs.table, blocked);
  let bias: F32Block | null = null;
  if (inputs.bias) {
    bias = scratch.f32('softmax:bias', paddedEntities(N));
    bias.array.set(inputs.bias.array.subarray(0, N));
  }
  return { N, d, data: inputs.table, blocked, bias };
}

/** Query rows per run of phase 1: as many as fit `bytes` of scores, a multiple of 4, at least 4. */
export function softmaxChunkRows(N: number, bytes = SOFTMAX_CHUNK_BYTES): number {
  return Math.max(4, Math.floor(bytes / (4 * paddedEntities(N)) / 4) * 4);
}

/** Sizes of `denseEntityLoss`'s runs and groups, in bytes of scores (tests make them small). */
export interface DenseEntityLossSizes {
  chunkBytes?: number;
  groupBytes?: number;
}

/**
 * Rows per run of phase 1 and per group of a dense loss over B queries and N entities that keeps `buffers` run-layout
 * buffers of scores (1 for the dot-product losses, `poincareRunBuffers` for the Poincaré losses): a run's buffers
 * within `chunkBytes` (cache), a group's within `groupBytes`.
 */
export function denseLossRuns(B: number, N: number, buffers: number, sizes: DenseEntityLossSizes = {}): { unit: number; group: number } {
  const Np = paddedEntities(N);
  const unit = Math.min(softmaxChunkRows(N, (sizes.chunkBytes ?? SOFTMAX_CHUNK_BYTES) / buffers), Math.max(4, Math.ceil(B / 8) * 4));
  const group = Math.max(unit, Math.floor((sizes.groupBytes ?? SOFTMAX_GROUP_BYTES) / (4 * Np * buffers) / unit) * unit);
  return { unit, group };
}

/** Run-layout buffers of the Poincaré losses: scores, partials, and dL/ds when the tail biases take a gradient. */
export function poincareRunBuffers(biasGradient: boolean): number {
  return biasGradient ? 3 : 2;
}

/** Runs `args` of export `fn` on both threads (the worker's call posted first) or, without a worker, here alone. */
function both(dense: DenseKernels, worker: KernelWorker | null, fn: DenseRunExport, args: number[]): void {
  KernelWorker.beside(worker, fn, args, () => dense.run(fn, args));
}

/**
 * Softmax (or, with `loss: 'bce'`, binary) cross-entropy over all entities for dot-product scores s = q·eᵀ + β with
 * its VJP (dense-softmax.ts): writes dq, adds dE and dβ, and returns Σ_b L_b (the caller takes the mean). Both
 * threads when a worker exists.
 */
export function denseEntityLoss(kernels: Kernels, inputs: DenseEntityLossInputs, sizes: DenseEntityLossSizes = {}): number {
  const { B, N, d } = inputs;
  const dense = denseKernels(kernels);
  const scratch = scratchOf(kernels.memory);
  const Np = paddedEntities(N);
  const table = lossTable(dense, scratch, inputs);
  const { unit, group } = denseLossRuns(B, N, 1, sizes);
  const G = Math.min(group, B);
  const scores = scratch.f32('softmax:scores', Math.ceil(G / unit) * unit * Np), stats = scratch.f32('softmax:stats', G);
  const qs = scratch.f32('softmax:qs', G * d), rowLoss = scratch.f32('softmax:rowLoss', 2 * G);
  const counters = scratch.i32('softmax:counters', 2);
  const worker = B > unit ? kernels.worker() : null;
  let loss = 0;
  for (let g0 = 0; g0 < B; g0 += group) {
    const R = Math.min(group, B - g0);
    const rows: SoftmaxRows = { B: R, q: subF32(inputs.q, g0 * d, R * d), gold: subI32(inputs.gold, g0, R),
      dq: subF32(inputs.dq, g0 * d, R * d), gTable: inputs.gTable, gBias: inputs.gBias, scores, stats, qs, rowLoss };
    const counter = (i: number): I32Block | null => (worker ? subI32(counters, i, 1) : null);
    counters.array.fill(0);
    const phase1: DenseRowsExport = inputs.loss === 'bce' ? 'denseSigmoidRows' : 'denseSoftmaxRows';
    both(dense, worker, phase1, dense.softmaxRowsArgs(table, rows, unit, counter(0), inputs.scale, phase1));
    both(dense, worker, 'denseSoftmaxEntities', dense.softmaxEntitiesArgs(table, rows, unit, ENTITY_UNIT, counter(1), inputs.scale));
    const losses = new Float64Array(rowLoss.array.buffer, rowLoss.offset, R);
    for (let b = 0; b < R; b++) loss += losses[b]!;
  }
  return loss;
}

/** Inputs of `densePoincareLoss`: `DenseEntityLossInputs` for query points with curvatures. */
export interface DensePoincareLossInputs extends DenseEntityLossInputs {
  /** Curvature of each query's ball [B] (finite, > 0) and dL/dc [B] (overwritten). */
  c: F32Block;
  dc: F32Block;
  /** `bce` only: each query's offset (a head bias) [B] and its gradient [B] (overwritten); a softmax takes neither. */
  offset?: F32Block | null;
  doffset?: F32Block | null;
}

/**
 * Softmax (or, with `loss: 'bce'`, binary) cross-entropy over all entities for Poincaré scores
 * s = −d_c(q, exp₀(e))² + β (+ the row's offset, `bce`) with its VJP (assembly/dense-poincare.ts): writes dq, dc
 * (and the offsets' gradient), adds dE and dβ, and returns Σ_b L_b (the caller takes the mean). Both threads when a
 * worker exists; the same bits on one.
 */
export function densePoincareLoss(kernels: Kernels, inputs: DensePoincareLossInputs, sizes: DenseEntityLossSizes = {}): number {
  const { B, N, d } = inputs;
  const dense = denseKernels(kernels);
  const scratch = scratchOf(kernels.memory);
  const Np = paddedEntities(N);
  const table = lossTable(dense, scratch, inputs);
  const v2 = scratch.f32('poincare:v2', Np);
  rowSquaredNorms(inputs.table.array, N, d, v2.array).fill(0, N);
  const { unit, group } = denseLossRuns(B, N, poincareRunBuffers(inputs.gBias !== null), sizes);
  const G = Math.min(group, B);
  const runFloats = Math.ceil(G / unit) * unit * Np;
  const dots = scratch.f32('softmax:scores', runFloats), part = scratch.f32('poincare:part', runFloats);
  const gs = inputs.gBias ? scratch.f32('poincare:gs', runFloats) : null;
  const sx = scratch.f32('poincare:sx', G), rowLoss = scratch.f32('softmax:rowLoss', 2 * G);
  const counters = scratch.i32('softmax:counters', 2);
  const worker = B > unit ? kernels.worker() : null;
  let loss = 0;
  for (let g0 = 0; g0 < B; g0 += group) {
    const R = Math.min(group, B - g0);
    const part0: PoincareRows = { B: R, q: subF32(inputs.q, g0 * d, R * d), c: subF32(inputs.c, g0, R), gold: subI32(inputs.gold, g0, R),
      dq: subF32(inputs.dq, g0 * d, R * d), dc: subF32(inputs.dc, g0, R), gTable: inputs.gTable, gBias: inputs.gBias,
      offset: inputs.offset ? subF32(inputs.offset, g0, R) : null, doffset: inputs.doffset ? subF32(inputs.doffset, g0, R) : null,
      dots, part, gs, sx, rowLoss };
    const counter = (i: number): I32Block | null => (worker ? subI32(counters, i, 1) : null);
    counters.array.fill(0);
    both(dense, worker, 'densePoincareRows', dense.poincareRowsArgs(table, v2, part0, unit, counter(0), inputs.scale, inputs.loss));
    both(dense, worker, 'densePoincareEntities', dense.poincareEntitiesArgs(table, part0, unit, ENTITY_UNIT, counter(1), inputs.scale));
    const losses = new Float64Array(rowLoss.array.buffer, rowLoss.offset, R);
    for (let b = 0; b < R; b++) loss += losses[b]!;
  }
  return loss;
}

/** Rows a thread takes at a time from the shared counter of `denseScoresAll`. */
const SCORE_UNIT_ROWS = 16;

/**
 * out [B×N] ← scores of B queries against all entities (dense-scores.ts). With a worker, both threads take runs of
 * rows from a shared counter until none is left (a busy core takes fewer); every score is the same bits either way.
 */
export function denseScoresAll(kernels: Kernels, kind: number, B: number, queries: DenseScoreQueries, table: DenseScoreTable,
  out: F32Block): void {
  const dense = denseKernels(kernels);
  const scratch = scratchOf(kernels.memory);
  const tile0 = scratch.f32('scores:tile0', 32), tile1 = scratch.f32('scores:tile1', 32);
  const worker = B > SCORE_UNIT_ROWS ? kernels.worker() : null;
  if (!worker) {
    dense.run('denseScores', dense.denseScoresArgs(kind, B, queries, table, tile1, out));
    return;
  }
  const counter = scratch.i32('scores:counter', 1);
  counter.array[0] = 0;
  const args = (tile: F32Block): number[] => dense.denseScoresArgs(kind, B, queries, table, tile, out, counter, SCORE_UNIT_ROWS);
  KernelWorker.beside(worker, 'denseScores', args(tile0), () => dense.run('denseScores', args(tile1)));
}

/** The entity side of `denseScoresAll` in kernel memory: blocked copy of table [N×d], ‖v‖² and biases padded to Np. */
export function denseScoreTable(kernels: Kernels, table: F32Block, N: number, d: number, v2: Float32Array,
  colBias: Float32Array | undefined): DenseScoreTable {
  const scratch = scratchOf(kernels.memory);
  const Np = paddedEntities(N);
  const blocked = scratch.f32('scores:blocked', denseBlockedLength(N, d));
  denseKernels(kernels).blockRows(N, d, table, blocked);
  const v2Block = scratch.f32('scores:v2', Np);
  v2Block.array.set(v2.subarray(0, N));
  let colBlock: F32Block | null = null;
  if (colBias) {
    colBlock = scratch.f32('scores:colBias', Np);
    colBlock.array.set(colBias.subarray(0, N));
  }
  return { N, d, blocked, v2: v2Block, colBias: colBlock };
}
