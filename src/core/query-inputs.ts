/**
 * Query rows between the parameter tables and a query program's executor, for every kernel step (the fused
 * negative-sampling chunks and the 1-N step): ids checked once, each table's rows gathered by entity or relation id
 * into the program's inputs, and the program's input gradients added back into the tables' accumulators.
 */
import type { KernelExports } from '../kernels/kernels.js';
import type { I32Block } from '../kernels/kernel-memory.js';
import type { QueryExecutor } from '../kernels/query-program.js';
import type { QueryTable } from './fused-step-plan.js';

/** Throws a RangeError naming the first of ids[0..n) outside [0, limit); `what` starts the message (e.g. "1-N step: answer"). */
export function checkIds(raw: KernelExports, ids: I32Block, n: number, limit: number, what: string): void {
  const bad = raw.firstOutOfRange(ids.offset, n, limit);
  if (bad >= 0) throw new RangeError(`${what} id ${ids.array[bad]} is outside [0, ${limit})`);
}

/** Gathers rows [start, start + n) of each table (by the queries' entity or relation ids) into the executor's inputs. */
export function gatherQueryRows(raw: KernelExports, tables: readonly QueryTable[], entityIds: I32Block, relationIds: I32Block,
  ex: QueryExecutor, start: number, n: number): void {
  for (const t of tables) {
    const ids = (t.byEntity ? entityIds : relationIds).offset + 4 * start;
    if (t.table.dim === 1) raw.gatherValues(n, ids, t.table.data.offset, ex.input(t.name).offset);
    else raw.gatherRows(n, t.table.dim, ids, t.table.data.offset, ex.input(t.name).offset);
  }
}

/** Adds the executor's input gradients of rows [start, start + n) into the tables' accumulators. */
export function scatterQueryGradients(raw: KernelExports, tables: readonly QueryTable[], entityIds: I32Block, relationIds: I32Block,
  ex: QueryExecutor, start: number, n: number): void {
  for (const t of tables) {
    const ids = (t.byEntity ? entityIds : relationIds).offset + 4 * start;
    if (t.table.dim === 1) raw.scatterAddValues(n, ids, ex.inputGrad(t.name).offset, t.table.grad.offset);
    else raw.scatterAddRows(n, t.table.dim, ids, ex.inputGrad(t.name).offset, t.table.grad.offset);
  }
}
