// Bounds-checked wrappers of the one-pass top-K kernels (assembly/top-k.ts): the K best entities of each query
// against a whole entity table, without materialising the [B×N] score matrix.
import type { F32Block, I32Block } from './kernel-memory.js';
import { type BlockChecks, type ScoreQueries, curvature, curvatures, fail, int, similarityKind } from './kernel-checks.js';

/** Exports of assembly/top-k.ts. */
export interface TopKExports {
  blockTable(N: number, d: number, table: number, perm: number, out: number): void;
  poincareEntityTerms(N: number, c: number, v2: number, alpha: number, alphaY: number, twoAlphaG: number): void;
  poincareTopK(B: number, N: number, d: number, K: number, c: number, q: number, x2: number, rowBias: number,
    blocked: number, perm: number, alpha: number, alphaY: number, twoAlphaG: number, bias: number, outIds: number,
    outScores: number, state: number): void;
  topKScores(kind: number, B: number, N: number, d: number, K: number, q: number, x2: number, c: number,
    rowBias: number, blocked: number, v2: number, colBias: number, outIds: number, outScores: number): void;
  quantizeBlocked(N: number, d: number, blocked: number, rho: number, out16: number, info: number): void;
  poincareTopKBatch(B: number, N: number, d: number, K: number, q: number, x2: number, c: number, rowBias: number,
    terms: number, blocked: number, q16: number, info: number, perm: number, bias: number, blockStart: number,
    blockEnd: number, qq: number, work: number, outIds: number, outScores: number, state: number): void;
}

/** Names of the TopKExports (checked at load time). */
export const TOP_K_EXPORTS: readonly (keyof TopKExports)[] = ['blockTable', 'topKScores', 'poincareEntityTerms', 'poincareTopK',
  'quantizeBlocked', 'poincareTopKBatch'];

/** Floats of the blocked transposed copy of an N×d table: ⌈N/4⌉·d·4. */
export function blockedLength(N: number, d: number): number {
  return Math.ceil(N / 4) * d * 4;
}

/** Query side of `topKScores`: queries [B×d] with ‖q‖², curvature and offset per query (kernel-checks.ts). */
export type TopKQueries = ScoreQueries;

/** The table side of `topKScores`: blocked copy, ‖v‖² and tail biases, both padded to ⌈N/4⌉·4. */
export interface TopKTable {
  N: number;
  d: number;
  blocked: F32Block;
  v2: F32Block;
  colBias: F32Block | null;
}

/** Per-entity terms of the Poincaré top-K for one curvature, all padded to ⌈N/4⌉·4 (v2 is the input). */
export interface PoincareEntityTerms {
  v2: F32Block;
  alpha: F32Block;
  alphaY: F32Block;
  twoAlphaG: F32Block;
}

/** Int32s of the int16 copy of a blocked N×d table (assembly/poincare-batch-top-k.ts): an even number of blocks of d pairs' halves. */
export function quantizedLength(N: number, d: number): number {
  const blocks = Math.ceil(N / 4);
  return (blocks + (blocks & 1)) * d * 2;
}

/** Blocks per pruning group of the batched Poincaré top-K: entity ranges split between threads start at multiples of it. */
export const BATCH_GROUP_BLOCKS = 32;

/** The entity side of the batched Poincaré top-K, all in visiting order (descending bias; `perm` the ids). */
export interface PoincareBatchTable {
  N: number;
  d: number;
  /** blockTable's copy [⌈N/4⌉][d][4]. */
  blocked: F32Block;
  /** Its int16 copy (quantizeBlocked) [quantizedLength(N, d)], and per entity scale, error and norm [3 × ⌈N/4⌉·4]. */
  q16: I32Block;
  info: F32Block;
  perm: I32Block;
  /** Tail biases (zeros without them), padded to ⌈N/4⌉·4. */
  bias: F32Block;
}

/** B queries of the batched Poincaré top-K: ball points, ‖q‖², curvature and offset per query, each with its curvature's terms. */
export interface PoincareBatchQueries {
  q: F32Block;
  x2: F32Block;
  c: F32Block;
  rowBias: F32Block | null;
  terms: readonly PoincareEntityTerms[];
}

/** Blocks one call of the batched Poincaré top-K writes: results [B×K] and count [B], and its scratch. */
export interface PoincareBatchOut {
  ids: I32Block;
  scores: F32Block;
  /** How many entities each query's list holds (K unless the range has fewer). */
  count: I32Block;
  /** 3B term offsets (written here), ⌈B·d/2⌉ int32s of quantized queries, 16B floats of per-query state. */
  termPtrs: I32Block;
  qq: I32Block;
  work: F32Block;
}

/** Checked wrappers; every pointer argument is a block of the kernels' memory. */
export class TopKKernels {
  /** Wraps the exports of an instantiated kernel module; use `kernels.topK`. */
  constructor(private readonly ex: TopKExports, private readonly c: BlockChecks) {}

  /** out ← rows perm[0..N) of the N×d table (all rows in order when perm is null) in the layout [⌈N/4⌉][d][4]. */
  blockTable(N: number, d: number, table: F32Block, perm: I32Block | null, out: F32Block): void {
    const fn = 'blockTable';
    int(fn, 'N', N, 1);
    int(fn, 'd', d, 1);
    this.c.block(fn, 'table', table, N * d);
    if (perm) {
      this.c.block(fn, 'perm', perm, N);
      this.c.inRange(fn, 'perm', perm, N, N);
    }
    this.c.block(fn, 'out', out, blockedLength(N, d));
    this.c.disjoint(fn, [['out', out]], [['table', table], ['perm', perm]]);
    this.ex.blockTable(N, d, table.offset, perm?.offset ?? 0, out.offset);
  }

  /** alpha, alphaY, twoAlphaG [⌈N/4⌉·4] ← α, α·Y, 2α·g of each entity for curvature c (assembly/poincare-top-k.ts). */
  poincareEntityTerms(N: number, c: number, terms: PoincareEntityTerms): void {
    const fn = 'poincareEntityTerms';
    int(fn, 'N', N, 1);
    curvature(fn, c);
    const padded = Math.ceil(N / 4) * 4;
    for (const [name, b] of Object.entries(terms)) this.c.block(fn, name, b as F32Block, padded);
    this.c.disjoint(fn, [['alpha', terms.alpha], ['alphaY', terms.alphaY], ['twoAlphaG', terms.twoAlphaG]], [['v2', terms.v2]]);
    this.ex.poincareEntityTerms(N, c, terms.v2.offset, terms.alpha.offset, terms.alphaY.offset, terms.twoAlphaG.offset);
  }

  /**
   * The K best entities of B queries of one curvature c under −d_c² + biases, descending: `table.blocked` and
   * `terms` in visiting order (descending bias, `perm` the ids), `bias` the biases in that order (padded).
   */
  poincareTopKArgs(B: number, K: number, c: number, queries: TopKQueries, table: TopKTable, perm: I32Block,
    terms: PoincareEntityTerms, bias: F32Block, outIds: I32Block, outScores: F32Block, state: I32Block): number[] {
    const fn = 'poincareTopK';
    const { N, d } = table;
    int(fn, 'B', B);
    int(fn, 'N', N, 1);
    int(fn, 'd', d, 1);
    int(fn, 'K', K, 1);
    if (K > N) fail(`${fn}: K = ${K} exceeds the ${N} entities`);
    curvature(fn, c);
    const padded = Math.ceil(N / 4) * 4;
    this.c.block(fn, 'q', queries.q, B * d);
    this.c.block(fn, 'x2', queries.x2, B);
    if (queries.rowBias) this.c.block(fn, 'rowBias', queries.rowBias, B);
    this.c.block(fn, 'blocked', table.blocked, blockedLength(N, d));
    this.c.block(fn, 'perm', perm, N);
    this.c.inRange(fn, 'perm', perm, N, N);
    for (const [name, b] of Object.entries(terms)) this.c.block(fn, name, b as F32Block, padded);
    this.c.block(fn, 'bias', bias, padded);
    this.c.block(fn, 'outIds', outIds, B * K);
    this.c.block(fn, 'outScores', outScores, B * K);
    this.c.block(fn, 'state', state, B);
    this.c.disjoint(fn, [['outIds', outIds], ['outScores', outScores], ['state', state]], [['q', queries.q], ['x2', queries.x2],
      ['rowBias', queries.rowBias], ['blocked', table.blocked], ['perm', perm], ['alpha', terms.alpha],
      ['alphaY', terms.alphaY], ['twoAlphaG', terms.twoAlphaG], ['bias', bias]]);
    return [B, N, d, K, c, queries.q.offset, queries.x2.offset, queries.rowBias?.offset ?? 0,
      table.blocked.offset, perm.offset, terms.alpha.offset, terms.alphaY.offset, terms.twoAlphaG.offset, bias.offset,
      outIds.offset, outScores.offset, state.offset];
  }
  /** q16, info ← the int16 copy of `blocked` (N×d, d even) and its per-entity scale, error and norm; rho: rounding slack. */
  quantizeBlocked(N: number, d: number, blocked: F32Block, rho: number, q16: I32Block, info: F32Block): void {
    const fn = 'quantizeBlocked';
    int(fn, 'N', N, 1);
    int(fn, 'd', d, 2);
    if (d % 2 !== 0) fail(`${fn}: d = ${d} must be even`);
    if (!(rho >= 0 && rho < 1)) fail(`${fn}: rho = ${rho} must be in [0, 1)`);
    this.c.block(fn, 'blocked', blocked, blockedLength(N, d));
    this.c.block(fn, 'q16', q16, quantizedLength(N, d));
    this.c.block(fn, 'info', info, 3 * Math.ceil(N / 4) * 4);
    this.c.disjoint(fn, [['q16', q16], ['info', info]], [['blocked', blocked]]);
    this.ex.quantizeBlocked(N, d, blocked.offset, rho, q16.offset, info.offset);
  }

  /**
   * The arguments of `poincareTopKBatch`: each of B queries' best K entities among blocks [blockStart, blockEnd) of
   * the table (multiples of BATCH_GROUP_BLOCKS, or the end), each query with its own curvature and terms.
   */
  poincareTopKBatchArgs(B: number, K: number, queries: PoincareBatchQueries, table: PoincareBatchTable,
    blockStart: number, blockEnd: number, out: PoincareBatchOut): number[] {
    const fn = 'poincareTopKBatch';
    const { N, d } = table;
    int(fn, 'B', B, 1);
    int(fn, 'N', N, 1);
    int(fn, 'd', d, 2);
    if (d % 2 !== 0) fail(`${fn}: d = ${d} must be even`);
    int(fn, 'K', K, 1);
    if (K > N) fail(`${fn}: K = ${K} exceeds the ${N} entities`);
    const blocks = Math.ceil(N / 4);
    int(fn, 'blockStart', blockStart);
    int(fn, 'blockEnd', blockEnd);
    if (blockStart % BATCH_GROUP_BLOCKS !== 0 || (blockEnd % BATCH_GROUP_BLOCKS !== 0 && blockEnd !== blocks) || blockStart >= blockEnd || blockEnd > blocks) {
      fail(`${fn}: the block range [${blockStart}, ${blockEnd}) must lie in [0, ${blocks}] on multiples of ${BATCH_GROUP_BLOCKS}`);
    }
    const padded = blocks * 4;
    this.c.block(fn, 'q', queries.q, B * d);
    this.c.block(fn, 'x2', queries.x2, B);
    this.c.block(fn, 'c', queries.c, B);
    curvatures(fn, queries.c.array, B);
    if (queries.rowBias) this.c.block(fn, 'rowBias', queries.rowBias, B);
    if (queries.terms.length !== B) fail(`${fn}: ${queries.terms.length} term sets for ${B} queries`);
    this.c.block(fn, 'termPtrs', out.termPtrs, 3 * B);
    const ptrs = out.termPtrs.array;
    queries.terms.forEach((t, b) => {
      this.c.block(fn, `alpha[${b}]`, t.alpha, padded);
      this.c.block(fn, `alphaY[${b}]`, t.alphaY, padded);
      this.c.block(fn, `twoAlphaG[${b}]`, t.twoAlphaG, padded);
      ptrs[3 * b] = t.alpha.offset;
      ptrs[3 * b + 1] = t.alphaY.offset;
      ptrs[3 * b + 2] = t.twoAlphaG.offset;
    });
    this.c.block(fn, 'blocked', table.blocked, blockedLength(N, d));
    this.c.block(fn, 'q16', table.q16, quantizedLength(N, d));
    this.c.block(fn, 'info', table.info, 3 * padded);
    this.c.block(fn, 'perm', table.perm, N);
    this.c.inRange(fn, 'perm', table.perm, N, N);
    this.c.block(fn, 'bias', table.bias, padded);
    this.c.block(fn, 'qq', out.qq, Math.ceil(B * d / 2));
    this.c.block(fn, 'work', out.work, 16 * B);
    this.c.block(fn, 'ids', out.ids, B * K);
    this.c.block(fn, 'scores', out.scores, B * K);
    this.c.block(fn, 'count', out.count, B);
    const ins: [string, F32Block | I32Block | null][] = [['q', queries.q], ['x2', queries.x2], ['c', queries.c], ['rowBias', queries.rowBias],
      ['termPtrs', out.termPtrs], ['blocked', table.blocked], ['q16', table.q16], ['info', table.info], ['perm', table.perm], ['bias', table.bias]];
    queries.terms.forEach((t, b) => ins.push([`alpha[${b}]`, t.alpha], [`alphaY[${b}]`, t.alphaY], [`twoAlphaG[${b}]`, t.twoAlphaG]));
    this.c.disjoint(fn, [['qq', out.qq], ['work', out.work], ['ids', out.ids], ['scores', out.scores], ['count', out.count]], ins);
    return [B, N, d, K, queries.q.offset, queries.x2.offset, queries.c.offset, queries.rowBias?.offset ?? 0, out.termPtrs.offset,
      table.blocked.offset, table.q16.offset, table.info.offset, table.perm.offset, table.bias.offset, blockStart, blockEnd,
      out.qq.offset, out.work.offset, out.ids.offset, out.scores.offset, out.count.offset];
  }

  /** Runs a checked call of an export of this module (arguments from one of the `…Args` methods). */
  run(fn: 'poincareTopK' | 'poincareTopKBatch' | 'topKScores', args: readonly number[]): void {
    (this.ex[fn] as (...a: number[]) => void)(...args);
  }


  /** outIds/outScores [B×K] ← each query's K best entities, by descending score (ties: lower id first). */
  topKScores(kind: number, B: number, K: number, queries: TopKQueries, table: TopKTable, outIds: I32Block,
    outScores: F32Block): void {
    this.run('topKScores', this.topKScoresArgs(kind, B, K, queries, table, outIds, outScores));
  }

  /** The checked arguments of `topKScores` (to run here or on the kernel worker). */
  topKScoresArgs(kind: number, B: number, K: number, queries: TopKQueries, table: TopKTable, outIds: I32Block,
    outScores: F32Block): number[] {
    const fn = 'topKScores';
    const { N, d } = table;
    similarityKind(fn, kind);
    int(fn, 'B', B);
    int(fn, 'N', N, 1);
    int(fn, 'd', d, 1);
    int(fn, 'K', K, 1);
    if (K > N) fail(`${fn}: K = ${K} exceeds the ${N} entities`);
    const padded = Math.ceil(N / 4) * 4;
    this.c.scoreQueries(fn, kind, queries, B, d);
    this.c.block(fn, 'blocked', table.blocked, blockedLength(N, d));
    this.c.block(fn, 'v2', table.v2, padded);
    if (table.colBias) this.c.block(fn, 'colBias', table.colBias, padded);
    this.c.block(fn, 'outIds', outIds, B * K);
    this.c.block(fn, 'outScores', outScores, B * K);
    this.c.disjoint(fn, [['outIds', outIds], ['outScores', outScores]], [['q', queries.q], ['x2', queries.x2],
      ['c', kind === 3 ? queries.c : null], ['rowBias', queries.rowBias], ['blocked', table.blocked], ['v2', table.v2],
      ['colBias', table.colBias]]);
    return [kind, B, N, d, K, queries.q.offset, queries.x2.offset, kind === 3 ? queries.c!.offset : 0,
      queries.rowBias?.offset ?? 0, table.blocked.offset, table.v2.offset, table.colBias?.offset ?? 0, outIds.offset,
      outScores.offset];
  }
}
