/**
 * Forward-only query points of single queries, in kernels: q(h, r) with its curvature and offset (head bias) and
 * ‖q‖², computed by the model's fused query program (src/kernels/query-program.ts) on rows gathered in kernel
 * memory — no tfjs op, a few microseconds per query. Used by lookups (link prediction over all entities, see
 * src/lookup/kernel-search.ts); training runs the same program through fused-negative-step.ts.
 */
import { kernelsForMemory, type KernelExports } from '../kernels/kernels.js';
import { QueryExecutor } from '../kernels/query-program.js';
import type { F32Block, I32Block } from '../kernels/kernel-memory.js';
import { fusedStepSupports } from './fused-negative-step.js';
import type { KgeModel } from './model.js';
import type { ParameterStore, ParameterTable } from './parameter-store.js';
import { gatherQueryRows } from './query-inputs.js';

/** Query points of rows [0, B) in kernel memory, valid until the next `compute`. */
export interface QueryPointBlocks {
  /** Rows computed. */
  count: number;
  /** q [B×d]. */
  q: F32Block;
  /** ‖q‖² [B]. */
  x2: F32Block;
  /** Curvature per query [B] (Poincaré models), else null. */
  c: F32Block | null;
  /** Offset (head bias) per query [B], else null. */
  offset: F32Block | null;
}

/** The model's fused query program run forward on batches of (entity, query relation) pairs. */
export class QueryPoints {
  readonly dim: number;
  private readonly raw: KernelExports;
  private readonly executor: QueryExecutor;
  private readonly tables: { name: string; table: ParameterTable; byEntity: boolean }[];
  private entityIds: I32Block;
  private relationIds: I32Block;
  private x2: F32Block;
  private capacity = 0;

  /** Whether `model` can run here (a fused program, rows of width 1 or 4k); else callers use the tfjs `query`. */
  static supports(model: KgeModel, store: ParameterStore): boolean {
    return fusedStepSupports(model, store);
  }

  constructor(model: KgeModel, private readonly store: ParameterStore) {
    if (!model.fusedQuery || !fusedStepSupports(model, store)) throw new Error(`query points: ${model.config.model} has no usable fused query program`);
    const kernels = kernelsForMemory(store.memory);
    this.raw = kernels.raw;
    this.tables = model.queryTables.map((name) => {
      const table = store.table(name);
      return { name, table, byEntity: table.spec.indexedBy === 'entity' };
    });
    this.executor = new QueryExecutor(kernels, model.fusedQuery, Object.fromEntries(this.tables.map((t) => [t.name, t.table.dim])));
    this.dim = this.executor.queryWidth;
    this.entityIds = store.memory.allocI32(0);
    this.relationIds = store.memory.allocI32(0);
    this.x2 = store.memory.allocF32(0);
    this.reserve(16);
  }

  /** Runs the program for queries (entities[i], relations[i]); ids are checked against the tables. */
  compute(entities: Int32Array, relations: Int32Array): QueryPointBlocks {
    const B = entities.length;
    if (relations.length !== B) throw new Error(`query points: ${B} entities but ${relations.length} relations`);
    this.reserve(B);
    for (const t of this.tables) {
      const ids = t.byEntity ? entities : relations;
      for (let i = 0; i < B; i++) {
        const id = ids[i]!;
        if (!(id >= 0 && id < t.table.rows)) throw new RangeError(`query points: ${t.byEntity ? 'entity' : 'relation'} id ${id} is outside [0, ${t.table.rows})`);
      }
    }
    this.entityIds.array.set(entities);
    this.relationIds.array.set(relations);
    const ex = this.executor;
    gatherQueryRows(this.raw, this.tables, this.entityIds, this.relationIds, ex, 0, B);
    ex.forward(B);
    const q = ex.output('q')!;
    const d = this.dim;
    const qa = q.array, xa = this.x2.array;
    for (let b = 0; b < B; b++) {
      let sum = 0;
      for (let k = b * d; k < (b + 1) * d; k++) sum += qa[k]! * qa[k]!;
      xa[b] = sum;
    }
    return { count: B, q, x2: this.x2, c: ex.output('c') ?? null, offset: ex.output('offset') ?? null };
  }

  /** Grows the blocks to `rows` rows (powers of two: kernel memory is a bump allocator). */
  private reserve(rows: number): void {
    if (rows <= this.capacity) return;
    let capacity = Math.max(16, this.capacity);
    while (capacity < rows) capacity *= 2;
    const memory = this.store.memory;
    this.executor.reserve(capacity);
    this.entityIds = memory.allocI32(capacity);
    this.relationIds = memory.allocI32(capacity);
    this.x2 = memory.allocF32(capacity);
    this.capacity = capacity;
  }
}
