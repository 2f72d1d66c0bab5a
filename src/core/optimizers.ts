/**
 * Optimisers over parameter tables. Gradients arrive in each table's dense accumulator, and the rows a batch
 * touched are listed; every optimiser zeroes the gradient rows it consumed.
 *
 * - `adagrad`: PyTorch `torch.optim.Adagrad` (accumulator starts at 0, eps 1e-10). Rows with a zero gradient do
 *   not move, so updating touched rows only is exact.
 * - `adam`: PyTorch `torch.optim.Adam` (β = 0.9, 0.999, eps 1e-8), dense: every row's moments decay every step,
 *   as in KGEmb, whose embeddings are dense tensors.
 * - `sparse-adam`: lazy Adam over touched rows only (PyTorch `SparseAdam`): cheaper, not identical to `adam`.
 * - `sgd`: plain gradient descent over touched rows.
 * Adam's moments below the smallest normal float32 are flushed to zero (WebAssembly has no flush-to-zero mode, and
 * subnormal arithmetic is ~100× slower); the update such a moment makes is below 1e-30 of the weight.
 * Tables whose width is a multiple of 4 are updated by the SIMD kernels, and with dense Adam every table (the
 * kernel runs over the floats, whatever the width); the row-sparse updates of narrow tables (biases, curvatures)
 * by the plain loops below, which are the kernels' readable twin.
 *
 * The state lives beside the tables in kernel memory when it fits there with the run's step scratch and validation
 * (one wasm32 memory holds 4 GiB; optimizerStateHome); otherwise it
 * lives in host memory and every table is updated by the plain loops (same results, slower): a 5M × 64 table
 * with Adam needs 2.4 GiB of parameters and gradients in kernel memory and 2.4 GiB of moments beside them.
 */
import { PAGE_BYTES, subF32, type F32Block, type I32Block } from '../kernels/kernel-memory.js';
import { OPTIMISER_DEFAULTS, type GradLayout, type Kernels } from '../kernels/kernels.js';
import type { ParameterStore, ParameterTable } from './parameter-store.js';
import { KernelWorker, MIN_SPLIT_SWEEP_FLOATS } from '../kernels/kernel-worker.js';
import { applyConstraint } from './table-constraints.js';

/** Names of the optimisers. */
export type OptimizerName = 'adagrad' | 'adam' | 'sparse-adam' | 'sgd';

/** The optimiser names, for flag validation. */
export const OPTIMIZER_NAMES: readonly OptimizerName[] = ['adagrad', 'adam', 'sparse-adam', 'sgd'];

/** The optimisers' constants: the kernels' (PyTorch's defaults), for the kernel path and the plain loops alike. */
const { beta1: ADAM_BETA1, beta2: ADAM_BETA2, adamEps: ADAM_EPS, adagradEps: ADAGRAD_EPS } = OPTIMISER_DEFAULTS;
/** The smallest normal float32: Adam's moments below it are flushed to zero, as the kernels do (optim.ts). */
const MIN_NORMAL_F32 = 1.1754943508222875e-38;
const flushSubnormal = (x: number): number => (Math.abs(x) < MIN_NORMAL_F32 ? 0 : x);

/** An optimiser's state for checkpoints: the step count and one block per (table, slot). */
export interface OptimizerState {
  name: OptimizerName;
  step: number;
  slots: Record<string, Float32Array>;
}

/** Float32 slots of state per parameter of each optimiser. */
export const OPTIMIZER_SLOTS: Record<OptimizerName, number> = { adagrad: 1, adam: 2, 'sparse-adam': 2, sgd: 0 };

/**
 * Adagrad visits every row of a table in order once at least 1/DENSE_SWEEP_FRACTION of them were touched: a row
 * with a zero gradient does not move (exact), and an in-order sweep beats random rows when most rows are touched.
 */
const DENSE_SWEEP_FRACTION = 2;

/** Floats per chunk of host-memory Adam moments staged through kernel memory (2 × 4 MiB). */
const ADAM_STAGE_FLOATS = 1 << 20;

/** Kernel memory kept free at least for the steps' scratch when deciding where the optimiser state lives (1/16 of 4 GiB). */
export const KERNEL_SCRATCH_RESERVE = 1 << 28;

/**
 * Where `stateBytes` of the optimiser `name`'s state go in a kernel memory of `limitBytes` already holding `usedBytes`
 * (tables of `tableHeights` rows): beside the tables when the state, what the optimiser allocates as it steps beside
 * it (optimizerStepBytes) and the run's scratch fit — `runBytes`, its step scratch and validation (memory-budget.ts
 * runScratchBytesOf), or KERNEL_SCRATCH_RESERVE when that is more — else host memory.
 */
export function optimizerStateHome(name: OptimizerName, tableHeights: readonly number[], usedBytes: number, stateBytes: number, limitBytes: number,
  runBytes = 0): 'kernel' | 'host' {
  const besideTables = stateBytes + optimizerStepBytes(name, 'kernel', tableHeights);
  return usedBytes + besideTables + Math.max(KERNEL_SCRATCH_RESERVE, runBytes) <= limitBytes ? 'kernel' : 'host';
}

/**
 * Kernel memory the optimiser allocates as it steps, beside its state: Adagrad's row ids 0 … n − 1 (its in-order
 * sweep, with the state in kernel memory: one int32 per row of each table height, `tableHeights`), dense Adam's two
 * staging chunks (its moments in host memory: `adamDenseStaged`).
 */
export function optimizerStepBytes(name: OptimizerName, stateIn: 'kernel' | 'host', tableHeights: readonly number[]): number {
  if (name === 'adagrad' && stateIn === 'kernel') return 4 * [...new Set(tableHeights)].reduce((sum, rows) => sum + rows, 0);
  if (name === 'adam' && stateIn === 'host') return 2 * 4 * ADAM_STAGE_FLOATS;
  return 0;
}

/** Row-sparse optimiser over all tables of a ParameterStore. */
export class TableOptimizer {
  private stepCount = 0;
  /** State blocks by `<table>.<slot>`, in kernel memory or (when they do not fit there) in host memory. */
  private readonly slots = new Map<string, F32Block>();
  /** Where the state lives: beside the tables in kernel memory, or in host memory when it does not fit there. */
  readonly stateIn: 'kernel' | 'host';
  /** Row ids 0 … n − 1 by table height, for Adagrad's in-order sweep (allocated on first use). */
  private readonly identity = new Map<number, I32Block>();
  /** Kernel-memory chunks the host-memory moments of dense Adam pass through (allocated on first use). */
  private stage?: { m: F32Block; v: F32Block };

  /** `runBytes`: the kernel memory the run's steps and validation need beside the tables and state (optimizerStateHome). */
  constructor(readonly name: OptimizerName, public learningRate: number, private readonly store: ParameterStore, private readonly kernels?: Kernels, runBytes = 0) {
    const slotNames = name === 'adagrad' ? ['accum'] : name === 'sgd' ? [] : ['m', 'v'];
    for (const table of store.tables()) {
      table.tracksTouched = name !== 'adam'; // dense Adam visits every row
      table.untouchedRowsStill = name === 'adagrad' || name === 'sgd'; // a zero gradient moves neither
    }
    const floats = store.tables().reduce((sum, t) => sum + t.rows * t.dim, 0) * slotNames.length;
    const memory = store.memory;
    const heights = store.tables().map((t) => t.rows);
    this.stateIn = optimizerStateHome(name, heights, memory.usedBytes, 4 * floats, memory.maximumPages * PAGE_BYTES, runBytes);
    for (const table of store.tables()) {
      for (const slot of slotNames) {
        const length = table.rows * table.dim;
        this.slots.set(`${table.spec.name}.${slot}`, this.stateIn === 'kernel' ? memory.allocF32(length) : hostBlock(length));
      }
    }
  }

  /** Applies one update from the accumulated gradients and clears them. */
  step(): void {
    this.stepCount++;
    const kernels = this.stateIn === 'kernel' ? this.kernels : undefined;
    for (const table of this.store.tables()) {
      const compact = kernels && this.name !== 'adam' && table.dim % 4 === 0 ? table.takeCompact() : null;
      if (compact) {
        this.updateRows(kernels!, table, compact.rows.ids, compact.rows.count, compact.grad, 'compact'); // zeroes the block
        applyConstraint(table, this.kernels);
        continue;
      }
      if (!(kernels && this.name === 'adam')) table.settle(); // dense Adam in kernels adds a pending fold in its sweep
      if (kernels && (table.dim % 4 === 0 || this.name === 'adam')) this.updateWithKernels(kernels, table);
      else if (this.kernels && this.name === 'adam') this.adamDenseStaged(this.kernels, table);
      else if (this.name === 'adam') this.adamDense(table);
      else this.updateTouched(table);
      // the whole table, as PyKEEN's post_parameter_update: re-projecting an unmoved unit row may change its last bit
      applyConstraint(table, this.kernels);
      table.clearTouched();
    }
  }

  /** The update in kernels. */
  private updateWithKernels(kernels: Kernels, table: ParameterTable): void {
    const count = table.touchedCountNow;
    if (this.name === 'adam') {
      const shadow = table.takeDeferred(); // before `grad`, which would fold it
      this.adamDenseKernels(kernels, table.data, table.grad, this.slotBlock(table, 'm'), this.slotBlock(table, 'v'), shadow);
    } else if (count === 0) {
      return;
    } else if (this.name === 'adagrad' && count * DENSE_SWEEP_FRACTION >= table.rows) {
      // most rows touched: visit all in order (rows with a zero gradient do not move), which the caches prefetch
      this.updateRows(kernels, table, this.allRows(kernels, table), table.rows, table.grad, 'table');
    } else {
      this.updateRows(kernels, table, table.touchedRows, count, table.grad, 'table');
    }
  }

  /** The row optimiser's kernel on `count` listed rows, their gradients in `grad` as `layout` says. */
  private updateRows(kernels: Kernels, table: ParameterTable, rows: I32Block, count: number, grad: F32Block, layout: GradLayout): void {
    const lr = this.learningRate;
    const slot = (name: string): F32Block => this.slotBlock(table, name);
    if (this.name === 'adagrad') kernels.adagradRows(rows, count, table.dim, table.data, grad, slot('accum'), lr, ADAGRAD_EPS, layout);
    else if (this.name === 'sparse-adam') kernels.adamRows(rows, count, table.dim, table.data, grad, slot('m'), slot('v'), lr, ADAM_BETA1, ADAM_BETA2, ADAM_EPS, this.stepCount, layout);
    else kernels.sgdRows(rows, count, table.dim, table.data, grad, lr, layout);
  }

  /**
   * Dense Adam in kernels; a large table is cut in two at a multiple of 4 floats and the second part runs on the
   * kernel worker meanwhile (every float's update is independent, so the result is the one-thread result). A
   * table's pending second accumulator (`shadow`, the worker's half of a two-thread step) is added in the same sweep.
   */
  private adamDenseKernels(kernels: Kernels, w: F32Block, g: F32Block, m: F32Block, v: F32Block, shadow: F32Block | null = null): void {
    const n = w.length;
    const worker = n >= MIN_SPLIT_SWEEP_FLOATS ? kernels.worker() : null; // each float's update is independent: same result
    const cut = !worker ? n : (n >> 3) << 2;
    const part = (b: F32Block, start: number, length: number): F32Block => (start === 0 && length === n ? b : subF32(b, start, length));
    let theirs: number[] | null = null;
    if (worker && cut < n) {
      const rest = n - cut;
      const [w2, g2, m2, v2] = [w, g, m, v].map((b) => part(b, cut, rest)) as [F32Block, F32Block, F32Block, F32Block];
      const s2 = shadow ? part(shadow, cut, rest) : null;
      kernels.checkAdamDense(rest, w2, g2, m2, v2, this.learningRate, ADAM_BETA1, ADAM_BETA2, ADAM_EPS, this.stepCount, s2);
      theirs = [rest, w2.offset, g2.offset, m2.offset, v2.offset, this.learningRate, ADAM_BETA1, ADAM_BETA2, ADAM_EPS, this.stepCount, s2?.offset ?? 0];
    }
    KernelWorker.beside(worker, 'adamDense', theirs, () =>
      kernels.adamDense(cut, part(w, 0, cut), part(g, 0, cut), part(m, 0, cut), part(v, 0, cut), this.learningRate, ADAM_BETA1, ADAM_BETA2, ADAM_EPS, this.stepCount,
        shadow ? part(shadow, 0, cut) : null));
  }

  /**
   * Dense Adam with the moments in host memory: they pass through kernel memory in chunks (copied in, updated by
   * the kernel beside their weights and gradients, copied back), so the update keeps the SIMD kernel and both threads.
   */
  private adamDenseStaged(kernels: Kernels, table: ParameterTable): void {
    const m = this.slot(table, 'm');
    const v = this.slot(table, 'v');
    this.stage ??= { m: kernels.memory.allocF32(ADAM_STAGE_FLOATS), v: kernels.memory.allocF32(ADAM_STAGE_FLOATS) };
    const { m: mStage, v: vStage } = this.stage;
    for (let start = 0; start < m.length; start += ADAM_STAGE_FLOATS) {
      const length = Math.min(ADAM_STAGE_FLOATS, m.length - start);
      mStage.array.set(m.subarray(start, start + length));
      vStage.array.set(v.subarray(start, start + length));
      const [mPart, vPart] = length === ADAM_STAGE_FLOATS ? [mStage, vStage] : [subF32(mStage, 0, length), subF32(vStage, 0, length)];
      this.adamDenseKernels(kernels, subF32(table.data, start, length), subF32(table.grad, start, length), mPart, vPart);
      m.set(mPart.array, start);
      v.set(vPart.array, start);
    }
  }

  /** The row ids 0 … rows − 1 of a table, in kernel memory (made on first use). */
  private allRows(kernels: Kernels, table: ParameterTable): I32Block {
    let ids = this.identity.get(table.rows);
    if (!ids) {
      ids = kernels.memory.allocI32(table.rows);
      const array = ids.array;
      for (let row = 0; row < table.rows; row++) array[row] = row;
      this.identity.set(table.rows, ids);
    }
    return ids;
  }

  /** The kernel-memory block of one of a table's optimiser slots (accum, m, v). */
  private slotBlock(table: ParameterTable, slot: string): F32Block {
    return this.slots.get(`${table.spec.name}.${slot}`)!;
  }

  private slot(table: ParameterTable, slot: string): Float32Array {
    return this.slotBlock(table, slot).array;
  }

  private updateTouched(table: ParameterTable): void {
    const rows = table.touched();
    const d = table.dim;
    const w = table.data.array;
    const g = table.grad.array;
    const lr = this.learningRate;
    if (this.name === 'adagrad') {
      const acc = this.slot(table, 'accum');
      for (let i = 0; i < rows.length; i++) {
        const o = rows[i]! * d;
        for (let k = o; k < o + d; k++) {
          const gk = g[k]!;
          const a = acc[k]! + gk * gk;
          acc[k] = a;
          w[k] = w[k]! - (lr * gk) / (Math.sqrt(a) + ADAGRAD_EPS);
          g[k] = 0;
        }
      }
    } else if (this.name === 'sparse-adam') {
      const m = this.slot(table, 'm');
      const v = this.slot(table, 'v');
      const c1 = 1 - ADAM_BETA1 ** this.stepCount;
      const c2 = 1 - ADAM_BETA2 ** this.stepCount;
      const stepSize = (lr * Math.sqrt(c2)) / c1;
      for (let i = 0; i < rows.length; i++) {
        const o = rows[i]! * d;
        for (let k = o; k < o + d; k++) {
          const gk = g[k]!;
          const mk = flushSubnormal(ADAM_BETA1 * m[k]! + (1 - ADAM_BETA1) * gk);
          const vk = flushSubnormal(ADAM_BETA2 * v[k]! + (1 - ADAM_BETA2) * gk * gk);
          m[k] = mk;
          v[k] = vk;
          w[k] = w[k]! - (stepSize * mk) / (Math.sqrt(vk) + ADAM_EPS);
          g[k] = 0;
        }
      }
    } else {
      for (let i = 0; i < rows.length; i++) {
        const o = rows[i]! * d;
        for (let k = o; k < o + d; k++) {
          w[k] = w[k]! - lr * g[k]!;
          g[k] = 0;
        }
      }
    }
  }

  /** PyTorch Adam: m̂/(√v̂ + eps) with bias corrections, over the whole table. */
  private adamDense(table: ParameterTable): void {
    const w = table.data.array;
    const g = table.grad.array;
    const m = this.slot(table, 'm');
    const v = this.slot(table, 'v');
    const lr = this.learningRate;
    const c1 = 1 - ADAM_BETA1 ** this.stepCount;
    const c2sqrt = Math.sqrt(1 - ADAM_BETA2 ** this.stepCount);
    for (let k = 0; k < w.length; k++) {
      const gk = g[k]!;
      const mk = flushSubnormal(ADAM_BETA1 * m[k]! + (1 - ADAM_BETA1) * gk);
      const vk = flushSubnormal(ADAM_BETA2 * v[k]! + (1 - ADAM_BETA2) * gk * gk);
      m[k] = mk;
      v[k] = vk;
      w[k] = w[k]! - (lr * mk) / c1 / (Math.sqrt(vk) / c2sqrt + ADAM_EPS);
      g[k] = 0;
    }
  }

  /** Step count and slot contents, for checkpoints. */
  state(): OptimizerState {
    const slots: Record<string, Float32Array> = {};
    for (const [key, block] of this.slots) slots[key] = block.array;
    return { name: this.name, step: this.stepCount, slots };
  }

  /** Restores a saved state (same optimiser, same table shapes). */
  restore(state: OptimizerState): void {
    if (state.name !== this.name) throw new Error(`checkpoint optimiser is '${state.name}', this run uses '${this.name}'`);
    for (const [key, block] of this.slots) {
      const saved = state.slots[key];
      if (!saved || saved.length !== block.length) throw new Error(`checkpoint optimiser slot '${key}' is missing or has the wrong size`);
      block.array.set(saved);
    }
    this.stepCount = state.step;
  }
}

/** A state block in host memory (no kernel offset: only the plain loops read it). */
function hostBlock(length: number): F32Block {
  const array = new Float32Array(length);
  return { offset: -1, length, array };
}
