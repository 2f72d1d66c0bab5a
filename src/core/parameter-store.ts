/**
 * The model's parameter tables, held in the kernels' WebAssembly memory so that fused kernels and TypeScript see
 * the same floats. Each table has a dense gradient accumulator of its own size and a list of the rows touched
 * since the last optimiser step, so updates are row-sparse (only the rows a batch used are visited); a second
 * thread's accumulator may wait beside it until the optimiser needs the gradient whole (`deferFold`).
 */
import type { KernelMemory, F32Block, I32Block } from '../kernels/kernel-memory.js';
import type { InitSpec, TableSpec } from './model.js';
import type { SeededRandom } from './random.js';
import { applyConstraint } from './table-constraints.js';

/** The distinct rows of a compact gradient block: ids[0, count) in kernel memory. */
export interface CompactRows {
  ids: I32Block;
  count: number;
}

/** One parameter table with its gradient accumulator and touched-row bookkeeping. */
export class ParameterTable {
  readonly rows: number;
  readonly dim: number;
  readonly data: F32Block;
  private readonly accumulator: F32Block;
  private readonly mark: Uint8Array;
  /** Touched row ids, in kernel memory so the optimiser kernels can read them. */
  readonly touchedRows: I32Block;
  private touchedCount = 0;
  /**
   * Gradient rows not yet added into `grad`: a second accumulator of the table's size another thread filled
   * (fused-step-parallel.ts), or a compact block whose row i is the gradient of row `rows[i]` (fused-compact-step.ts).
   */
  private deferred: { shadow: F32Block; fold: () => void; rows?: CompactRows } | null = null;

  constructor(readonly spec: TableSpec, rows: number, memory: KernelMemory) {
    this.rows = rows;
    this.dim = spec.dim;
    this.data = memory.allocF32(rows * spec.dim);
    this.accumulator = memory.allocF32(rows * spec.dim);
    this.mark = new Uint8Array(rows);
    this.touchedRows = memory.allocI32(rows);
  }

  /**
   * The gradient accumulator, whole: gradient rows pending elsewhere (`deferFold`, `deferCompact`) are added in
   * first, so every writer adds after them, in the order a step in place would.
   */
  get grad(): F32Block {
    this.settle();
    return this.accumulator;
  }

  /**
   * Fills the table from its init spec, row by row; columns stored only for the kernels (`padColumns`,
   * table-padding.ts) are set to 0 and draw nothing, so a padded table starts from the same values as the table of
   * the asked width with the same seed.
   */
  initialise(init: InitSpec, rng: SeededRandom): void {
    const values = this.data.array;
    const padded = new Uint8Array(this.dim);
    for (const k of this.spec.padColumns ?? []) padded[k] = 1;
    for (let i = 0; i < values.length; i++) {
      if (padded[i % this.dim] === 1) values[i] = 0;
      else if (init.kind === 'normal') values[i] = init.std * rng.normal();
      else if (init.kind === 'uniform') values[i] = init.low + (init.high - init.low) * rng.next();
      else values[i] = init.value;
    }
  }

  /** Throws a RangeError naming the first of `ids` outside [0, rows) (`what` says who asked). */
  checkIds(ids: Int32Array, what: string): void {
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (!(id >= 0 && id < this.rows)) throw new RangeError(`${what}: ${this.spec.name} id ${id} is outside [0, ${this.rows})`);
    }
  }

  /** Copies the rows `ids` into a new row-major array [ids.length × dim]; an id outside the table throws. */
  gather(ids: Int32Array): Float32Array {
    this.checkIds(ids, 'gather');
    const d = this.dim;
    const src = this.data.array;
    const out = new Float32Array(ids.length * d);
    if (d === 1) {
      for (let i = 0; i < ids.length; i++) out[i] = src[ids[i]!]!;
    } else {
      for (let i = 0; i < ids.length; i++) out.set(src.subarray(ids[i]! * d, ids[i]! * d + d), i * d);
    }
    return out;
  }

  /** Adds per-row gradients [ids.length × dim] into the accumulator and marks the rows touched; an id outside throws. */
  scatterAddGrad(ids: Int32Array, grads: Float32Array, scale = 1): void {
    this.checkIds(ids, 'gradient');
    const d = this.dim;
    const g = this.grad.array;
    for (let i = 0; i < ids.length; i++) {
      const o = ids[i]! * d;
      const s = i * d;
      for (let k = 0; k < d; k++) g[o + k] += scale * grads[s + k]!;
    }
    this.touch(ids);
  }

  /** Whether touched rows are listed: the optimiser of the store says (dense Adam sweeps every row and needs no list). */
  tracksTouched = true;

  /**
   * Whether listing every row is as good as listing the touched ones: true when the optimiser leaves a row whose
   * gradient is zero exactly as it is (Adagrad, SGD; not sparse Adam, whose moments decay). Then a batch of at
   * least as many ids as the table has rows lists them all at once instead of marking them one by one.
   */
  untouchedRowsStill = false;

  /** Marks rows as touched (their gradient rows were written by a kernel). */
  touch(ids: ArrayLike<number>): void {
    if (!this.tracksTouched || this.touchedCount === this.rows) return;
    if (this.untouchedRowsStill && this.touchedCount + ids.length >= this.rows) return this.listEveryRow();
    // The view is read once: the block's getter re-checks the memory buffer on every access.
    const touched = this.touchedRows.array;
    const mark = this.mark;
    let count = this.touchedCount;
    for (let i = 0; i < ids.length; i++) {
      const row = ids[i]!;
      if (mark[row] === 0) {
        mark[row] = 1;
        touched[count++] = row;
      }
    }
    this.touchedCount = count;
  }

  /**
   * Leaves gradient rows in a second accumulator `shadow` (of this table's size) until someone needs `grad` whole:
   * `fold` adds them into `grad` and zeroes them. A fold still pending is done first.
   */
  deferFold(shadow: F32Block, fold: () => void): void {
    this.settle();
    this.deferred = { shadow, fold };
  }

  /**
   * Leaves a step's gradient in a compact block (row i for row `rows.ids[i]`, rows distinct) until the optimiser
   * takes it whole (`takeCompact`) or someone needs `grad` (`fold` adds the rows in and marks them touched).
   */
  deferCompact(grad: F32Block, rows: CompactRows, fold: () => void): void {
    this.settle();
    this.deferred = { shadow: grad, fold, rows };
  }

  /**
   * The pending compact gradient when it is the table's only gradient (no row of `grad` touched), handed to the
   * optimiser, which updates its rows from it directly and zeroes it; else null (a pending one stays to be folded).
   */
  takeCompact(): { grad: F32Block; rows: CompactRows } | null {
    const deferred = this.deferred;
    if (!deferred?.rows || this.touchedCount > 0) return null;
    this.deferred = null;
    return { grad: deferred.shadow, rows: deferred.rows };
  }

  /** Adds the deferred rows into `grad` now (nothing when none are pending). */
  settle(): void {
    const deferred = this.deferred;
    this.deferred = null;
    deferred?.fold();
  }

  /** The pending second accumulator, handed to a caller that adds it itself and zeroes it (dense Adam's sweep). */
  takeDeferred(): F32Block | null {
    if (this.deferred?.rows) this.settle(); // a compact block is folded, not swept
    const shadow = this.deferred?.shadow ?? null;
    this.deferred = null;
    return shadow;
  }

  /** Marks every row as touched (dense gradients, e.g. 1-N training). */
  touchAll(): void {
    if (this.tracksTouched && this.touchedCount < this.rows) this.listEveryRow();
  }

  /** Lists rows 0 … rows − 1 as touched, in order (the marks of rows listed before are cleared by clearTouched). */
  private listEveryRow(): void {
    const touched = this.touchedRows.array;
    for (let row = 0; row < this.rows; row++) touched[row] = row;
    this.touchedCount = this.rows;
  }

  /** The rows touched since the last `clearTouched` (distinct). */
  touched(): Int32Array {
    return this.touchedRows.array.subarray(0, this.touchedCount);
  }

  /** How many rows were touched since the last `clearTouched`. */
  get touchedCountNow(): number {
    return this.touchedCount;
  }

  /** Forgets the touched rows (the optimiser has consumed and zeroed their gradients). */
  clearTouched(): void {
    if (this.touchedCount === this.rows) this.mark.fill(0);
    else {
      const rows = this.touchedRows.array;
      for (let i = 0; i < this.touchedCount; i++) this.mark[rows[i]!] = 0;
    }
    this.touchedCount = 0;
  }
}

/** The rows of a table in a graph of these counts: one per entity, or one per relation and direction (reciprocal relations). */
export function tableRows(spec: TableSpec, numEntities: number, numRelations: number): number {
  return spec.indexedBy === 'entity' ? numEntities : 2 * numRelations;
}

/** All parameter tables of a model, by name. */
export class ParameterStore {
  private readonly byName = new Map<string, ParameterTable>();

  constructor(specs: readonly TableSpec[], numEntities: number, numRelations: number, readonly memory: KernelMemory) {
    for (const spec of specs) {
      this.byName.set(spec.name, new ParameterTable(spec, tableRows(spec, numEntities, numRelations), memory));
    }
  }

  /**
   * Initialises every table from its spec, in declaration order (so the same seed gives the same tables; padding
   * columns zero, table-padding.ts), then applies each table's constraint (Bordes et al. 2013, Algorithm 1,
   * normalises before the first step).
   */
  initialise(rng: SeededRandom): void {
    for (const table of this.byName.values()) {
      table.initialise(table.spec.init, rng);
      applyConstraint(table);
    }
  }

  /** The table called `name`; throws when the model did not declare it. */
  table(name: string): ParameterTable {
    const table = this.byName.get(name);
    if (!table) throw new Error(`unknown parameter table '${name}'`);
    return table;
  }

  /** All tables in declaration order. */
  tables(): ParameterTable[] {
    return [...this.byName.values()];
  }
}
