// The kernels' module instantiated against one KernelMemory, and the bounds-checked wrappers of its exports, with no
// file system: a host hands the compiled module in (`useKernelModule`: a browser's kernel-loader-browser.ts), Node
// reads build/kernels.wasm through kernels.ts (kernel-file.ts). The kernels' maths and derivations live in
// src/kernels/assembly/ (similarity.ts, poincare.ts, optim.ts; rows.ts moves rows); src/kernels/reference.ts holds
// the float64 reference of each. The kernels of the fused step and query programs are wrapped by `kernels.fused`
// (fused-kernels.ts), all-entity scores by dense-kernels.ts (reached through dense-threads.ts), the top-K sweeps by
// top-k-kernels.ts. A method's own kernels, compiled into the same module from src/<method>/assembly, are declared
// and wrapped beside the method (`kernels.extension`): this layer knows no method.
import { KernelMemory, RESERVED_BYTES, type F32Block, type I32Block } from './kernel-memory.js';
import { type Block, BlockChecks, curvatures, dim, fail, int, real, similarityKind } from './kernel-checks.js';
import { FUSED_EXPORTS, FusedKernels, type FusedExports } from './fused-kernels.js';
import { TOP_K_EXPORTS, TopKKernels, type TopKExports } from './top-k-kernels.js';
import { DENSE_EXPORTS, type DenseExports } from './dense-kernels.js';
import { KernelWorker } from './kernel-worker.js';

/** ABI version expected from build/kernels.wasm (its `kernelsVersion()` export). */
export const KERNELS_VERSION = 12;

/**
 * The similarity functions of the kernels (src/kernels/assembly/similarity.ts; NegL1 in assembly/l1.ts, NegModulusL1
 * in assembly/modulus-l1.ts).
 */
export const SimilarityKind = { Dot: 0, NegSqEuclidean: 1, NegEuclidean: 2, NegSqPoincare: 3, NegL1: 4, NegModulusL1: 5 } as const;
/** One of the SimilarityKind values. */
export type SimilarityKind = (typeof SimilarityKind)[keyof typeof SimilarityKind];

/** PyTorch defaults: Adagrad eps, Adam/SparseAdam betas and eps. */
export const OPTIMISER_DEFAULTS = { adagradEps: 1e-10, beta1: 0.9, beta2: 0.999, adamEps: 1e-8 } as const;

/** Where a row optimiser finds the gradient of its i-th listed row: the table's own row, or row i of a compact block. */
export type GradLayout = 'table' | 'compact';

/** The exports of build/kernels.wasm. */
export interface KernelExports extends FusedExports, TopKExports, DenseExports {
  kernelsVersion(): number;
  heapBase(): number;
  similarityForward(kind: number, B: number, M: number, d: number, q: number, cand: number, table: number,
    c: number, out: number): void;
  similarityBackward(kind: number, B: number, M: number, d: number, q: number, cand: number, table: number,
    c: number, dscore: number, dq: number, gtable: number, dc: number): void;
  adagradRows(rows: number, nRows: number, d: number, param: number, grad: number, accum: number, lr: number,
    eps: number, compact: number): void;
  adamRows(rows: number, nRows: number, d: number, param: number, grad: number, m: number, v: number, lr: number,
    beta1: number, beta2: number, eps: number, step: number, compact: number): void;
  adamDense(n: number, param: number, grad: number, m: number, v: number, lr: number, beta1: number,
    beta2: number, eps: number, step: number, shadow: number): void;
  sgdRows(rows: number, nRows: number, d: number, param: number, grad: number, lr: number, compact: number): void;
  gatherRows(n: number, d: number, rows: number, src: number, dst: number): void;
  scatterAddRows(n: number, d: number, rows: number, src: number, dst: number): void;
  addRowsAndClear(n: number, d: number, rows: number, src: number, dst: number): void;
  firstOutOfRange(ids: number, n: number, limit: number): number;
  uniqueRows(ids: number, n: number, mark: number, out: number): number;
  unitNormRows(n: number, d: number, param: number): void;
}

const REQUIRED_EXPORTS: readonly (keyof KernelExports)[] = ['kernelsVersion', 'heapBase', 'similarityForward',
  'similarityBackward', 'adagradRows', 'adamRows', 'adamDense', 'sgdRows', 'gatherRows', 'scatterAddRows', 'addRowsAndClear',
  'firstOutOfRange', 'uniqueRows', 'unitNormRows', ...FUSED_EXPORTS, ...TOP_K_EXPORTS, ...DENSE_EXPORTS];

/** What fixes a missing or stale kernel build. */
export const REBUILD = 'run `npm run build:kernels`';

/** One Kernels instance per memory for kernelsForMemory (loadKernels registers its instances too). */
const byMemory = new WeakMap<KernelMemory, Kernels>();
/** A module compiled by the host (a browser: kernel-loader-browser.ts); when set, no file is read. */
let hostModule: WebAssembly.Module | undefined;

/** Makes loadKernels (without wasmPath) and kernelsForMemory use `module` instead of reading build/kernels.wasm. */
export function useKernelModule(module: WebAssembly.Module): void {
  hostModule = module;
}

/** The module the host handed in (`useKernelModule`), if any. */
export function hostKernelModule(): WebAssembly.Module | undefined {
  return hostModule;
}

/** The Kernels instance already made for `memory`, if any. */
export function kernelsOfMemory(memory: KernelMemory): Kernels | undefined {
  return byMemory.get(memory);
}

/** Instantiates a compiled kernel module against `memory` after checking its exports, ABI and static data. */
export function instantiate(module: WebAssembly.Module, wasmPath: string, memory: KernelMemory): Kernels {
  const names = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  const missing = REQUIRED_EXPORTS.filter((n) => !names.has(n));
  if (missing.length > 0) throw new Error(`kernels: ${wasmPath} lacks ${missing.join(', ')} (stale build); ${REBUILD}`);
  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(module, { env: { memory: memory.memory, abort: () => { throw new Error('kernels: wasm abort'); } } });
  } catch (error) {
    if (!memory.shared && error instanceof WebAssembly.LinkError) { // the file as built imports a shared memory
      throw new Error(`kernels: ${wasmPath} imports a shared memory, which this host cannot make (a page that is not cross-origin isolated): ` +
        `load the kernels by URL (kgdistill/browser's initEngine({ kernels: url }), loadKernelsFromUrl), which compiles them to import an unshared one (${error.message})`);
    }
    throw error;
  }
  const ex = instance.exports as unknown as KernelExports;
  if (ex.kernelsVersion() !== KERNELS_VERSION) {
    throw new Error(`kernels: ${wasmPath} has ABI ${ex.kernelsVersion()}, expected ${KERNELS_VERSION}; ${REBUILD}`);
  }
  if (ex.heapBase() > RESERVED_BYTES) {
    throw new Error(`kernels: static data (${ex.heapBase()} B) exceeds the reserved ${RESERVED_BYTES} B`);
  }
  const kernels = new Kernels(memory, ex, module);
  if (!byMemory.has(memory)) byMemory.set(memory, kernels);
  return kernels;
}

/** Bounds-checked wrappers over the kernel exports; every pointer argument is a block of `memory`. */
export class Kernels {
  /** Checked wrappers of the all-entity scoring and query-program kernels. */
  readonly fused: FusedKernels;
  /** Checked wrappers of the one-pass top-K kernels. */
  readonly topK: TopKKernels;
  private readonly checks: BlockChecks;
  private readonly extensions = new Map<string, unknown>();

  /** Wraps an instantiated kernel module; use loadKernels() or kernelsForMemory(). */
  constructor(readonly memory: KernelMemory, private readonly ex: KernelExports, private readonly module?: WebAssembly.Module) {
    this.checks = new BlockChecks(memory, (ids, n, limit) => ex.firstOutOfRange(ids, n, limit));
    this.fused = new FusedKernels(ex, this.checks);
    this.topK = new TopKKernels(ex, this.checks);
  }

  /**
   * A method's own kernels (compiled into this module from src/<method>/assembly): the exports `names`, checked to
   * exist, wrapped once per instance by the method's `wrap` with this memory's block checks.
   */
  extension<T>(key: string, names: readonly string[], wrap: (exports: Record<string, unknown>, checks: BlockChecks) => T): T {
    if (!this.extensions.has(key)) {
      const ex = this.ex as unknown as Record<string, unknown>;
      const missing = names.filter((n) => typeof ex[n] !== 'function');
      if (missing.length > 0) throw new Error(`kernels: the module lacks ${missing.join(', ')} (stale build); ${REBUILD}`);
      this.extensions.set(key, wrap(ex, this.checks));
    }
    return this.extensions.get(key) as T;
  }

  /** A worker thread running these kernels on the same memory (null on one core or without the module). */
  worker(): KernelWorker | null {
    return this.module ? KernelWorker.forMemory(this.module, this.memory) : null;
  }

  /** Ends this memory's worker thread (see KernelWorker.release): call once the memory's work is done. */
  releaseWorker(): void {
    KernelWorker.release(this.memory);
  }

  /** The unchecked exports, for callers that validated their blocks once (the fused step's executor). */
  get raw(): KernelExports {
    return this.ex;
  }

  /** out[b·M+j] ← s(q_b, table[cand[b·M+j]]); c (per query curvature > 0) is required for NegSqPoincare only. */
  similarityForward(kind: SimilarityKind, B: number, M: number, d: number, q: F32Block, cand: I32Block,
    table: F32Block, c: F32Block | null, out: F32Block): void {
    const fn = 'similarityForward';
    this.checkSimilarity(fn, kind, B, M, d, q, cand, table, c);
    this.checks.block(fn, 'out', out, B * M);
    this.checks.disjoint(fn, [['out', out]], [['q', q], ['cand', cand], ['table', table], ['c', c]]);
    this.ex.similarityForward(kind, B, M, d, q.offset, cand.offset, table.offset, c?.offset ?? 0, out.offset);
  }

  /** dq ← dL/dq (overwritten), gtable[cand] += dL/dv (accumulated), dc ← dL/dc (overwritten; 0 unless Poincaré). */
  similarityBackward(kind: SimilarityKind, B: number, M: number, d: number, q: F32Block, cand: I32Block,
    table: F32Block, c: F32Block | null, dscore: F32Block, dq: F32Block, gtable: F32Block,
    dc: F32Block | null): void {
    const fn = 'similarityBackward';
    this.checkSimilarity(fn, kind, B, M, d, q, cand, table, c);
    this.checks.block(fn, 'dscore', dscore, B * M);
    this.checks.block(fn, 'dq', dq, B * d);
    this.checks.block(fn, 'gtable', gtable, table.length);
    if (gtable.length !== table.length) fail(`${fn}: gtable must have table's length ${table.length}`);
    if (kind === SimilarityKind.NegSqPoincare && dc === null) fail(`${fn}: NegSqPoincare needs a dc block`);
    if (dc !== null) this.checks.block(fn, 'dc', dc, B);
    this.checks.disjoint(fn, [['dq', dq], ['gtable', gtable], ['dc', dc]],
      [['q', q], ['cand', cand], ['table', table], ['c', c], ['dscore', dscore]]);
    this.ex.similarityBackward(kind, B, M, d, q.offset, cand.offset, table.offset, c?.offset ?? 0, dscore.offset,
      dq.offset, gtable.offset, dc?.offset ?? 0);
  }

  /**
   * Row-sparse Adagrad (PyTorch semantics): accum += g², param −= lr·g/(√accum + eps), grad rows ← 0. With
   * `layout` 'compact', `grad` holds nRows rows, the i-th for rows[i] (a step's compact working set).
   */
  adagradRows(rows: I32Block, nRows: number, d: number, param: F32Block, grad: F32Block, accum: F32Block,
    lr: number, eps: number = OPTIMISER_DEFAULTS.adagradEps, layout: GradLayout = 'table'): void {
    const fn = 'adagradRows';
    this.checkRowOptimiser(fn, rows, nRows, d, param, [['accum', accum]], grad, layout);
    real(fn, 'lr', lr);
    real(fn, 'eps', eps);
    this.ex.adagradRows(rows.offset, nRows, d, param.offset, grad.offset, accum.offset, lr, eps, layout === 'compact' ? 1 : 0);
  }

  /** Lazy Adam on distinct rows (PyTorch SparseAdam semantics, global step ≥ 1); grad rows ← 0; `layout` as adagradRows. */
  adamRows(rows: I32Block, nRows: number, d: number, param: F32Block, grad: F32Block, m: F32Block, v: F32Block,
    lr: number, beta1: number, beta2: number, eps: number, step: number, layout: GradLayout = 'table'): void {
    const fn = 'adamRows';
    this.checkRowOptimiser(fn, rows, nRows, d, param, [['m', m], ['v', v]], grad, layout);
    this.checkAdam(fn, lr, beta1, beta2, eps, step);
    this.ex.adamRows(rows.offset, nRows, d, param.offset, grad.offset, m.offset, v.offset, lr, beta1, beta2, eps,
      step, layout === 'compact' ? 1 : 0);
  }

  /**
   * Dense Adam over the first n floats (PyTorch torch.optim.Adam semantics, step ≥ 1); grad ← 0. With `shadow`, the
   * gradient is grad + shadow (a second accumulator, as if folded first) and shadow ← 0.
   */
  adamDense(n: number, param: F32Block, grad: F32Block, m: F32Block, v: F32Block, lr: number, beta1: number,
    beta2: number, eps: number, step: number, shadow: F32Block | null = null): void {
    this.checkAdamDense(n, param, grad, m, v, lr, beta1, beta2, eps, step, shadow);
    this.ex.adamDense(n, param.offset, grad.offset, m.offset, v.offset, lr, beta1, beta2, eps, step, shadow?.offset ?? 0);
  }

  /** The checks of `adamDense` alone, for a caller that hands the call to the kernel worker. */
  checkAdamDense(n: number, param: F32Block, grad: F32Block, m: F32Block, v: F32Block, lr: number, beta1: number,
    beta2: number, eps: number, step: number, shadow: F32Block | null = null): void {
    const fn = 'adamDense';
    int(fn, 'n', n);
    const blocks: [string, Block][] = [['param', param], ['grad', grad], ['m', m], ['v', v], ...(shadow ? [['shadow', shadow] as [string, Block]] : [])];
    for (const [name, b] of blocks) this.checks.block(fn, name, b, n);
    this.checks.disjoint(fn, blocks, blocks);
    this.checkAdam(fn, lr, beta1, beta2, eps, step);
  }

  /** Projects each of the n rows of d floats (d % 4 == 0) onto the unit L2 sphere (core/table-constraints.ts). */
  unitNormRows(n: number, d: number, param: F32Block): void {
    const fn = 'unitNormRows';
    int(fn, 'n', n);
    dim(fn, d);
    this.checks.block(fn, 'param', param, n * d);
    this.ex.unitNormRows(n, d, param.offset);
  }

  /** Row-sparse SGD: param −= lr·g, grad rows ← 0; `layout` as adagradRows. */
  sgdRows(rows: I32Block, nRows: number, d: number, param: F32Block, grad: F32Block, lr: number, layout: GradLayout = 'table'): void {
    const fn = 'sgdRows';
    this.checkRowOptimiser(fn, rows, nRows, d, param, [], grad, layout);
    real(fn, 'lr', lr);
    this.ex.sgdRows(rows.offset, nRows, d, param.offset, grad.offset, lr, layout === 'compact' ? 1 : 0);
  }

  /** dst[rows[i]] += src[i] for i < n (rows of d floats; repeats accumulate). */
  scatterAddRows(n: number, d: number, rows: I32Block, src: F32Block, dst: F32Block): void {
    const fn = 'scatterAddRows';
    this.checkRowMove(fn, n, d, rows, src, dst);
    this.ex.scatterAddRows(n, d, rows.offset, src.offset, dst.offset);
  }

  /** dst[i] = src[rows[i]] for i < n (rows of d floats). */
  gatherRows(n: number, d: number, rows: I32Block, src: F32Block, dst: F32Block): void {
    const fn = 'gatherRows';
    this.checkRowMove(fn, n, d, rows, dst, src);
    this.ex.gatherRows(n, d, rows.offset, src.offset, dst.offset);
  }

  /** Writes the distinct ids among ids[0..n) to out and returns their count; mark (all 0) spans the id range. */
  uniqueRows(ids: I32Block, n: number, mark: I32Block, out: I32Block): number {
    const fn = 'uniqueRows';
    int(fn, 'n', n);
    this.checks.block(fn, 'ids', ids, n);
    this.checks.block(fn, 'out', out, n);
    this.checks.block(fn, 'mark', mark, 1);
    this.checks.inRange(fn, 'ids', ids, n, mark.length);
    this.checks.disjoint(fn, [['out', out], ['mark', mark]], [['ids', ids], ['mark', mark]]);
    return this.ex.uniqueRows(ids.offset, n, mark.offset, out.offset);
  }

  private checkSimilarity(fn: string, kind: number, B: number, M: number, d: number, q: F32Block, cand: I32Block,
    table: F32Block, c: F32Block | null): void {
    similarityKind(fn, kind);
    int(fn, 'B', B);
    int(fn, 'M', M);
    dim(fn, d);
    this.checks.block(fn, 'q', q, B * d);
    this.checks.block(fn, 'cand', cand, B * M);
    const N = this.checks.table(fn, 'table', table, d);
    this.checks.inRange(fn, 'cand', cand, B * M, N);
    if (kind === SimilarityKind.NegSqPoincare) {
      if (c === null) fail(`${fn}: NegSqPoincare needs a curvature block c`);
      this.checks.block(fn, 'c', c, B);
      curvatures(fn, c.array, B);
    } else if (c !== null) {
      this.checks.block(fn, 'c', c, 0);
    }
  }

  private checkRowOptimiser(fn: string, rows: I32Block, nRows: number, d: number, param: F32Block,
    state: [string, F32Block][], grad: F32Block, layout: GradLayout): void {
    int(fn, 'nRows', nRows);
    dim(fn, d);
    this.checks.block(fn, 'rows', rows, nRows);
    const N = this.checks.table(fn, 'param', param, d);
    for (const [name, b] of layout === 'table' ? [['grad', grad] as [string, F32Block], ...state] : state) {
      this.checks.block(fn, name, b, param.length);
      if (b.length !== param.length) fail(`${fn}: ${name} must have param's length ${param.length}, has ${b.length}`);
    }
    if (layout === 'compact') this.checks.block(fn, 'grad', grad, nRows * d);
    const all: [string, Block][] = [['param', param], ['rows', rows], ['grad', grad], ...state];
    this.checks.disjoint(fn, all, all);
    this.checks.inRange(fn, 'rows', rows, nRows, N);
  }

  /** Checks a row move between a dense [n×d] block and an N×d table (all three mutually disjoint). */
  private checkRowMove(fn: string, n: number, d: number, rows: I32Block, dense: F32Block, table: F32Block): void {
    int(fn, 'n', n);
    dim(fn, d);
    this.checks.block(fn, 'rows', rows, n);
    this.checks.block(fn, 'dense', dense, n * d);
    const N = this.checks.table(fn, 'table', table, d);
    this.checks.inRange(fn, 'rows', rows, n, N);
    const all: [string, Block][] = [['rows', rows], ['dense', dense], ['table', table]];
    this.checks.disjoint(fn, all, all);
  }

  private checkAdam(fn: string, lr: number, beta1: number, beta2: number, eps: number, step: number): void {
    real(fn, 'lr', lr);
    real(fn, 'eps', eps);
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) fail(`${fn}: betas must lie in [0, 1)`);
    int(fn, 'step', step, 1);
  }
}
