// Bounds-checked wrappers of the one-pass top-K kernels (assembly/top-k.ts): the K best entities of each query
// against a whole entity table, without materialising the [B×N] score matrix.
import type { F32Block, I32Block } from './kernel-memory.js';
import { type BlockChecks, fail, int } from './kernel-checks.js';

/** Exports of assembly/top-k.ts. */
export interface TopKExports {
  blockTable(N: number, d: number, table: number, perm: number, out: number): void;
  poincareEntityTerms(N: number, c: number, v2: number, alpha: number, alphaY: number, twoAlphaG: number): void;
  poincareTopK(B: number, N: number, d: number, K: number, c: number, q: number, x2: number, rowBias: number,
    blocked: number, perm: number, alpha: number, alphaY: number, twoAlphaG: number, bias: number, outIds: number,
    outScores: number, state: number): void;
  topKScores(kind: number, B: number, N: number, d: number, K: number, q: number, x2: number, c: number,
    rowBias: number, blocked: number, v2: number, colBias: number, outIds: number, outScores: number): void;
}

/** Names of the TopKExports (checked at load time). */
export const TOP_K_EXPORTS: readonly (keyof TopKExports)[] = ['blockTable', 'topKScores', 'poincareEntityTerms', 'poincareTopK'];

/** Floats of the blocked transposed copy of an N×d table: ⌈N/4⌉·d·4. */
export function blockedLength(N: number, d: number): number {
  return Math.ceil(N / 4) * d * 4;
}

/** Inputs of `topKScores`: queries [B×d] with ‖q‖², curvature and offset per query; the table's blocked copy. */
export interface TopKQueries {
  q: F32Block;
  x2: F32Block;
  c: F32Block | null;
  rowBias: F32Block | null;
}

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
    if (!(c > 0 && c < Infinity)) fail(`${fn}: curvature ${c} must be finite and > 0`);
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
    if (!(c > 0 && c < Infinity)) fail(`${fn}: curvature ${c} must be finite and > 0`);
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
  /** Runs a checked call of an export of this module (arguments from one of the `…Args` methods). */
  run(fn: 'poincareTopK', args: readonly number[]): void {
    (this.ex[fn] as (...a: number[]) => void)(...args);
  }


  /** outIds/outScores [B×K] ← each query's K best entities, by descending score (ties: lower id first). */
  topKScores(kind: number, B: number, K: number, queries: TopKQueries, table: TopKTable, outIds: I32Block,
    outScores: F32Block): void {
    const fn = 'topKScores';
    const { N, d } = table;
    if (kind !== 0 && kind !== 1 && kind !== 2 && kind !== 3) fail(`${fn}: unknown SimilarityKind ${kind}`);
    int(fn, 'B', B);
    int(fn, 'N', N, 1);
    int(fn, 'd', d, 1);
    int(fn, 'K', K, 1);
    if (K > N) fail(`${fn}: K = ${K} exceeds the ${N} entities`);
    const padded = Math.ceil(N / 4) * 4;
    this.c.block(fn, 'q', queries.q, B * d);
    this.c.block(fn, 'x2', queries.x2, B);
    if (kind === 3) {
      this.c.block(fn, 'c', queries.c, B);
      for (let b = 0; b < B; b++) {
        const cb = queries.c!.array[b]!;
        if (!(cb > 0 && cb < Infinity)) fail(`${fn}: curvature c[${b}] = ${cb} must be finite and > 0`);
      }
    }
    if (queries.rowBias) this.c.block(fn, 'rowBias', queries.rowBias, B);
    this.c.block(fn, 'blocked', table.blocked, blockedLength(N, d));
    this.c.block(fn, 'v2', table.v2, padded);
    if (table.colBias) this.c.block(fn, 'colBias', table.colBias, padded);
    this.c.block(fn, 'outIds', outIds, B * K);
    this.c.block(fn, 'outScores', outScores, B * K);
    this.c.disjoint(fn, [['outIds', outIds], ['outScores', outScores]], [['q', queries.q], ['x2', queries.x2],
      ['c', kind === 3 ? queries.c : null], ['rowBias', queries.rowBias], ['blocked', table.blocked], ['v2', table.v2],
      ['colBias', table.colBias]]);
    this.ex.topKScores(kind, B, N, d, K, queries.q.offset, queries.x2.offset, kind === 3 ? queries.c!.offset : 0,
      queries.rowBias?.offset ?? 0, table.blocked.offset, table.v2.offset, table.colBias?.offset ?? 0, outIds.offset,
      outScores.offset);
  }
}
