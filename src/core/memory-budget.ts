/**
 * How much memory a model needs before anything is allocated: every parameter table lives in the kernels' one
 * WebAssembly memory with its gradient accumulator (a wasm32 memory holds at most 4 GiB); the optimiser state
 * (Adagrad one slot, Adam two, SGD none) lives beside them when it fits, else in host memory (TableOptimizer).
 * A model whose tables and gradients cannot fit is a clear error stating the bytes needed, the limit and what to
 * change — not a RangeError halfway through allocation.
 */
import type { TableSpec } from './model.js';
import { MAX_PAGES, PAGE_BYTES } from '../kernels/kernel-memory.js';
import { KERNEL_SCRATCH_RESERVE, OPTIMIZER_SLOTS, type OptimizerName } from './optimizers.js';

/** Bytes of one WebAssembly memory at most (wasm32: 65,536 pages of 64 KiB). */
export const KERNEL_MEMORY_LIMIT = MAX_PAGES * PAGE_BYTES;

/** Bytes the tables of a model need in kernel memory with an optimiser: 4 · rows · dim · (2 + slots) summed. */
export function kernelBytesOf(tables: readonly TableSpec[], numEntities: number, numRelations: number, optimizer: OptimizerName): number {
  const floats = tables.reduce((sum, t) => sum + (t.indexedBy === 'entity' ? numEntities : 2 * numRelations) * t.dim, 0);
  return 4 * floats * (2 + OPTIMIZER_SLOTS[optimizer]);
}

/** Throws when the model's tables and gradients cannot fit one kernel memory (with 1/16 kept for scratch). */
export function requireKernelMemory(model: string, tables: readonly TableSpec[], numEntities: number, numRelations: number, optimizer: OptimizerName): void {
  const bytes = kernelBytesOf(tables, numEntities, numRelations, 'sgd');
  const usable = KERNEL_MEMORY_LIMIT - KERNEL_SCRATCH_RESERVE;
  if (bytes <= usable) return;
  const gib = (b: number): string => `${(b / 2 ** 30).toFixed(2)} GiB`;
  const perEntity = kernelBytesOf(tables.filter((t) => t.indexedBy === 'entity'), 1, 0, 'sgd');
  throw new Error(`${model} with ${numEntities.toLocaleString('en-US')} entities needs ${gib(bytes)} of kernel memory ` +
    `(${perEntity} bytes per entity: parameters and gradients; the ${optimizer} state goes to host memory when it does not fit), more than the ` +
    `${gib(usable)} one WebAssembly memory can hold (wasm32, 4 GiB with scratch). Lower --dim or use fewer entities.`);
}
