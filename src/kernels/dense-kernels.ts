// Bounds-checked wrappers of the dense kernels over all entities (assembly/dense-softmax.ts, dense-scores.ts): the
// softmax or binary cross-entropy of dot-product scores with its VJP in two phases (1-N training) and the all-entity scores of
// evaluation and prediction. Both read a blocked copy of the entity table (top-k.ts's `blockTable` layout) padded
// to Np = ⌈N/8⌉·8 entities. The `…Args` methods check their blocks and return the argument list of the raw export,
// so a caller can run it here (`run`) or hand it to the kernel worker (kernel-worker.ts).
import type { F32Block, I32Block } from './kernel-memory.js';
import { type Block, type BlockChecks, type ScoreQueries, curvatures, dim, fail, int, real, similarityKind } from './kernel-checks.js';

/** Exports of assembly/dense-softmax.ts and dense-scores.ts. */
export interface DenseExports {
  denseSoftmaxRows(B: number, N: number, d: number, unit: number, counter: number, q: number, table: number,
    blocked: number, bias: number, gold: number, scale: number, scores: number, stats: number, qs: number,
    rowLoss: number, dq: number): void;
  denseSigmoidRows(B: number, N: number, d: number, unit: number, counter: number, q: number, table: number,
    blocked: number, bias: number, gold: number, scale: number, scores: number, stats: number, qs: number,
    rowLoss: number, dq: number): void;
  denseSoftmaxEntities(B: number, N: number, d: number, unit: number, entityUnit: number, counter: number, q: number,
    gold: number, scale: number, scores: number, stats: number, qs: number, gTable: number, gBias: number): void;
  denseScores(kind: number, B: number, N: number, d: number, q: number, x2: number, c: number, rowBias: number,
    blocked: number, v2: number, colBias: number, tile: number, out: number, counter: number, unit: number): void;
  blockRows(N: number, d: number, table: number, out: number): void;
  densePoincareRows(B: number, N: number, d: number, unit: number, counter: number, q: number, c: number, table: number,
    blocked: number, v2: number, bias: number, gold: number, scale: number, dots: number, part: number, gs: number,
    sx: number, rowLoss: number, dq: number, dc: number, sigmoid: number, offset: number, doffset: number): void;
  densePoincareEntities(B: number, N: number, d: number, unit: number, entityUnit: number, counter: number, q: number,
    table: number, dots: number, part: number, gs: number, gTable: number, gBias: number): void;
}

/** Names of the DenseExports (checked at load time). */
export const DENSE_EXPORTS: readonly (keyof DenseExports)[] = ['denseSoftmaxRows', 'denseSigmoidRows', 'denseSoftmaxEntities',
  'denseScores', 'blockRows', 'densePoincareRows', 'densePoincareEntities'];

/** The exports a caller may run here or hand to the kernel worker (`DenseKernels.run`). */
export type DenseRunExport = DenseRowsExport | 'denseSoftmaxEntities' | 'denseScores' | 'densePoincareRows' | 'densePoincareEntities';

/** Phase 1 of a dense row loss: softmax cross-entropy, or binary cross-entropy against every entity. */
export type DenseRowsExport = 'denseSoftmaxRows' | 'denseSigmoidRows';

/** N rounded up to a multiple of 8: the padded entity count of the dense kernels' blocks. */
export function paddedEntities(N: number): number {
  return Math.ceil(N / 8) * 8;
}

/** Floats of the blocked copy the dense kernels read: Np·d (⌈N/8⌉·2 blocks of 4 entities × d). */
export function denseBlockedLength(N: number, d: number): number {
  return paddedEntities(N) * d;
}

/** The entity side of the dense kernels: the table (row-major), its blocked copy, and biases padded to Np (or null). */
export interface DenseTable {
  N: number;
  d: number;
  data: F32Block;
  blocked: F32Block;
  bias: F32Block | null;
}

/** A batch (or a group of its rows) of the softmax kernels, with the scratch both phases share. */
export interface SoftmaxRows {
  B: number;
  /** Query rows [B×d] and their gold answers [B]. */
  q: F32Block;
  gold: I32Block;
  /** dL/dq [B×d], overwritten. */
  dq: F32Block;
  /** dL/dE [N×d] and dL/dβ [N] (or null), accumulated. */
  gTable: F32Block;
  gBias: F32Block | null;
  /** Scratch: exponentials of the scores [⌈B/unit⌉·unit·Np], row weights [B], scaled rows [B×d], row losses [B] (f64: 2B floats). */
  scores: F32Block;
  stats: F32Block;
  qs: F32Block;
  rowLoss: F32Block;
}

/**
 * A batch (or a group of its rows) of the Poincaré softmax (assembly/dense-poincare.ts): the query points and their
 * curvatures, the outputs and the scratch both phases share.
 */
export interface PoincareRows {
  B: number;
  /** Query points [B×d], curvatures [B] (finite, > 0), gold answers [B]. */
  q: F32Block;
  c: F32Block;
  gold: I32Block;
  /** dL/dq [B×d] and dL/dc [B], overwritten. */
  dq: F32Block;
  dc: F32Block;
  /** Binary cross-entropy only: each row's offset [B] (or null) and its gradient [B] (overwritten; or null). */
  offset: F32Block | null;
  doffset: F32Block | null;
  /** dL/dE [N×d] and dL/dβ [N] (or null), accumulated. */
  gTable: F32Block;
  gBias: F32Block | null;
  /** Scratch in the run layout, ⌈B/unit⌉·unit·Np floats each (`gs` only with a bias gradient), and per row: Σ G s_X, losses (f64). */
  dots: F32Block;
  part: F32Block;
  gs: F32Block | null;
  sx: F32Block;
  rowLoss: F32Block;
}

/** Entity side of `denseScores`: the blocked copy, ‖v‖² and the tail biases padded to Np (colBias may be null). */
export interface DenseScoreTable {
  N: number;
  d: number;
  blocked: F32Block;
  v2: F32Block;
  colBias: F32Block | null;
}

/** Query side of `denseScores` (kernel-checks.ts). */
export type DenseScoreQueries = ScoreQueries;

/** Checked wrappers; every pointer argument is a block of the kernels' memory. */
export class DenseKernels {
  /** Wraps the exports of an instantiated kernel module; use `denseKernels(kernels)` (dense-threads.ts). */
  constructor(private readonly ex: DenseExports, private readonly c: BlockChecks) {}

  /**
   * Checks phase 1 `fn` (runs of `unit` rows, a multiple of 4, from `counter` when given; scale = the factor of
   * dL/ds, 1/B for the softmax's batch mean) and returns its arguments.
   */
  softmaxRowsArgs(table: DenseTable, rows: SoftmaxRows, unit: number, counter: I32Block | null, scale: number,
    fn: DenseRowsExport = 'denseSoftmaxRows'): number[] {
    const { N, d } = table;
    this.checkSoftmax(fn, table, rows, unit, counter, scale);
    this.c.block(fn, 'blocked', table.blocked, paddedEntities(N) * d);
    if (table.bias) this.c.block(fn, 'bias', table.bias, paddedEntities(N));
    const outs: [string, Block | null][] = [['dq', rows.dq], ['scores', rows.scores], ['stats', rows.stats], ['qs', rows.qs],
      ['rowLoss', rows.rowLoss], ['counter', counter]];
    this.c.disjoint(fn, outs, [...outs, ['table', table.data], ['blocked', table.blocked], ['bias', table.bias], ['q', rows.q],
      ['gold', rows.gold]]);
    return [rows.B, N, d, unit, counter?.offset ?? 0, rows.q.offset, table.data.offset, table.blocked.offset,
      table.bias?.offset ?? 0, rows.gold.offset, scale, rows.scores.offset, rows.stats.offset, rows.qs.offset,
      rows.rowLoss.offset, rows.dq.offset];
  }

  /**
   * Checks `denseSoftmaxEntities` (phase 2 after phase 1 with the same `unit`: runs of `entityUnit` entities, a
   * multiple of 4, from `counter` when given) and returns its arguments.
   */
  softmaxEntitiesArgs(table: DenseTable, rows: SoftmaxRows, unit: number, entityUnit: number, counter: I32Block | null,
    scale: number): number[] {
    const fn = 'denseSoftmaxEntities';
    const { N, d } = table;
    this.checkSoftmax(fn, table, rows, unit, counter, scale);
    int(fn, 'entityUnit', entityUnit, 4);
    if (entityUnit % 4 !== 0) fail(`${fn}: entityUnit must be a multiple of 4, got ${entityUnit}`);
    this.c.block(fn, 'gTable', rows.gTable, N * d);
    if (rows.gBias) this.c.block(fn, 'gBias', rows.gBias, N);
    const outs: [string, Block | null][] = [['gTable', rows.gTable], ['gBias', rows.gBias], ['counter', counter]];
    this.c.disjoint(fn, outs, [...outs, ['q', rows.q], ['gold', rows.gold], ['scores', rows.scores], ['stats', rows.stats],
      ['qs', rows.qs], ['table', table.data]]);
    return [rows.B, N, d, unit, entityUnit, counter?.offset ?? 0, rows.q.offset, rows.gold.offset, scale,
      rows.scores.offset, rows.stats.offset, rows.qs.offset, rows.gTable.offset, rows.gBias?.offset ?? 0];
  }

  /** out ← the N×d table (row-major) in the blocked layout, padded with zero rows to Np entities. */
  blockRows(N: number, d: number, table: F32Block, out: F32Block): void {
    const fn = 'blockRows';
    int(fn, 'N', N, 1);
    dim(fn, d);
    this.c.block(fn, 'table', table, N * d);
    this.c.block(fn, 'out', out, denseBlockedLength(N, d));
    this.c.disjoint(fn, [['out', out]], [['table', table]]);
    this.ex.blockRows(N, d, table.offset, out.offset);
  }

  /**
   * Checks `denseScores` for B queries (kind as SimilarityKind) writing out [B×N] (tile: 32 floats of the calling
   * thread's scratch) and returns its arguments; with a `counter` (one int32, 0 before the first caller starts) the
   * callers share the rows in runs of `unit`.
   */
  denseScoresArgs(kind: number, B: number, queries: DenseScoreQueries, table: DenseScoreTable, tile: F32Block,
    out: F32Block, counter: I32Block | null = null, unit = 16): number[] {
    const fn = 'denseScores';
    const { N, d } = table;
    similarityKind(fn, kind);
    int(fn, 'B', B);
    int(fn, 'N', N, 1);
    dim(fn, d);
    int(fn, 'unit', unit, 1);
    const Np = paddedEntities(N);
    this.c.scoreQueries(fn, kind, queries, B, d);
    this.c.block(fn, 'blocked', table.blocked, Np * d);
    this.c.block(fn, 'v2', table.v2, Np);
    if (table.colBias) this.c.block(fn, 'colBias', table.colBias, Np);
    this.c.block(fn, 'tile', tile, 32);
    this.c.block(fn, 'out', out, B * N);
    if (counter) this.c.block(fn, 'counter', counter, 1);
    const outs: [string, Block | null][] = [['out', out], ['tile', tile], ['counter', counter]];
    this.c.disjoint(fn, outs, [...outs, ['q', queries.q], ['x2', queries.x2], ['c', kind === 3 ? queries.c : null],
      ['rowBias', queries.rowBias], ['blocked', table.blocked], ['v2', table.v2], ['colBias', table.colBias]]);
    return [kind, B, N, d, queries.q.offset, queries.x2.offset, kind === 3 ? queries.c!.offset : 0,
      queries.rowBias?.offset ?? 0, table.blocked.offset, table.v2.offset, table.colBias?.offset ?? 0, tile.offset,
      out.offset, counter?.offset ?? 0, unit];
  }

  /**
   * Checks phase 1 of the Poincaré softmax (runs of `unit` rows, a multiple of 4, from `counter` when given; the
   * table's ‖v‖² in `v2` padded to Np) and returns its arguments.
   */
  poincareRowsArgs(table: DenseTable, v2: F32Block, rows: PoincareRows, unit: number, counter: I32Block | null,
    scale: number, loss: 'softmax' | 'bce' = 'softmax'): number[] {
    const fn = 'densePoincareRows';
    if (loss === 'softmax' && (rows.offset || rows.doffset)) fail(`${fn}: a softmax takes no row offsets (they leave it unchanged)`);
    if (!rows.offset !== !rows.doffset) fail(`${fn}: row offsets and their gradient go together (offset ${rows.offset ? 'given' : 'missing'}, doffset ${rows.doffset ? 'given' : 'missing'})`);
    if (rows.offset) this.c.block(fn, 'offset', rows.offset, rows.B);
    if (rows.doffset) this.c.block(fn, 'doffset', rows.doffset, rows.B);
    const { N, d } = table;
    this.checkPoincare(fn, table, rows, unit, counter, scale);
    this.c.block(fn, 'blocked', table.blocked, paddedEntities(N) * d);
    this.c.block(fn, 'v2', v2, paddedEntities(N));
    if (table.bias) this.c.block(fn, 'bias', table.bias, paddedEntities(N));
    this.c.block(fn, 'c', rows.c, rows.B);
    curvatures(fn, rows.c.array, rows.B);
    this.c.block(fn, 'dc', rows.dc, rows.B);
    const outs: [string, Block | null][] = [['dq', rows.dq], ['dc', rows.dc], ['dots', rows.dots], ['part', rows.part],
      ['gs', rows.gs], ['sx', rows.sx], ['rowLoss', rows.rowLoss], ['doffset', rows.doffset], ['counter', counter]];
    this.c.disjoint(fn, outs, [...outs, ['table', table.data], ['blocked', table.blocked], ['bias', table.bias], ['v2', v2],
      ['q', rows.q], ['c', rows.c], ['gold', rows.gold], ['offset', rows.offset]]);
    return [rows.B, N, d, unit, counter?.offset ?? 0, rows.q.offset, rows.c.offset, table.data.offset, table.blocked.offset,
      v2.offset, table.bias?.offset ?? 0, rows.gold.offset, scale, rows.dots.offset, rows.part.offset, rows.gs?.offset ?? 0,
      rows.sx.offset, rows.rowLoss.offset, rows.dq.offset, rows.dc.offset, loss === 'bce' ? 1 : 0,
      rows.offset?.offset ?? 0, rows.doffset?.offset ?? 0];
  }

  /** Checks phase 2 of the Poincaré softmax (after phase 1 with the same `unit`; runs of `entityUnit` entities) and returns its arguments. */
  poincareEntitiesArgs(table: DenseTable, rows: PoincareRows, unit: number, entityUnit: number, counter: I32Block | null,
    scale: number): number[] {
    const fn = 'densePoincareEntities';
    const { N, d } = table;
    this.checkPoincare(fn, table, rows, unit, counter, scale);
    int(fn, 'entityUnit', entityUnit, 4);
    if (entityUnit % 4 !== 0) fail(`${fn}: entityUnit must be a multiple of 4, got ${entityUnit}`);
    this.c.block(fn, 'gTable', rows.gTable, N * d);
    if (rows.gBias) this.c.block(fn, 'gBias', rows.gBias, N);
    const outs: [string, Block | null][] = [['gTable', rows.gTable], ['gBias', rows.gBias], ['counter', counter]];
    this.c.disjoint(fn, outs, [...outs, ['q', rows.q], ['dots', rows.dots], ['part', rows.part], ['gs', rows.gs],
      ['table', table.data]]);
    return [rows.B, N, d, unit, entityUnit, counter?.offset ?? 0, rows.q.offset, table.data.offset, rows.dots.offset,
      rows.part.offset, rows.gBias && rows.gs ? rows.gs.offset : 0, rows.gTable.offset, rows.gBias?.offset ?? 0];
  }

  /** Runs a checked call (arguments from one of the `…Args` methods) on this thread; returns its result. */
  run(fn: DenseRunExport, args: readonly number[]): void {
    (this.ex[fn] as (...a: number[]) => void)(...args);
  }

  private checkPoincare(fn: string, table: DenseTable, rows: PoincareRows, unit: number, counter: I32Block | null,
    scale: number): void {
    this.checkLossRows(fn, table, rows, unit, counter, scale);
    const runFloats = Math.ceil(rows.B / unit) * unit * paddedEntities(table.N);
    this.c.block(fn, 'dots', rows.dots, runFloats);
    this.c.block(fn, 'part', rows.part, runFloats);
    if (rows.gBias && !rows.gs) fail(`${fn}: a bias gradient needs the gs scratch`);
    if (rows.gs) this.c.block(fn, 'gs', rows.gs, runFloats);
    this.c.block(fn, 'sx', rows.sx, rows.B);
  }

  private checkSoftmax(fn: string, table: DenseTable, rows: SoftmaxRows, unit: number, counter: I32Block | null,
    scale: number): void {
    this.checkLossRows(fn, table, rows, unit, counter, scale);
    const { B } = rows;
    this.c.block(fn, 'scores', rows.scores, Math.ceil(B / unit) * unit * paddedEntities(table.N));
    this.c.block(fn, 'stats', rows.stats, B);
    this.c.block(fn, 'qs', rows.qs, B * table.d);
  }

  /** The checks both dense losses share: sizes, unit, scale, the table, q, gold answers, dq, row losses, counter. */
  private checkLossRows(fn: string, table: DenseTable, rows: { B: number; q: F32Block; gold: I32Block; dq: F32Block; rowLoss: F32Block },
    unit: number, counter: I32Block | null, scale: number): void {
    const { N, d } = table;
    const { B } = rows;
    int(fn, 'B', B);
    int(fn, 'N', N, 1);
    dim(fn, d);
    int(fn, 'unit', unit, 4);
    if (unit % 4 !== 0) fail(`${fn}: unit must be a multiple of 4, got ${unit}`);
    real(fn, 'scale', scale);
    this.c.block(fn, 'table', table.data, N * d);
    this.c.block(fn, 'q', rows.q, B * d);
    this.c.block(fn, 'gold', rows.gold, B);
    this.c.inRange(fn, 'gold', rows.gold, B, N);
    this.c.block(fn, 'dq', rows.dq, B * d);
    this.c.block(fn, 'rowLoss', rows.rowLoss, 2 * B);
    if (rows.rowLoss.offset % 8 !== 0) fail(`${fn}: rowLoss must be 8-byte aligned`);
    if (counter) this.c.block(fn, 'counter', counter, 1);
  }
}
