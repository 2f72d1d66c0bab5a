/**
 * How much kernel memory a model needs before anything is allocated: every parameter table lives in the kernels'
 * one WebAssembly memory with its gradient accumulator and its optimiser state (Adagrad one slot, Adam two, SGD
 * none), and a wasm32 memory holds at most 4 GiB. A model that cannot fit is a clear error stating the bytes needed,
 * the limit and what to change — not a RangeError halfway through allocation.
 */
import type { TableSpec } from './model.js';
import { MAX_PAGES } from '../kernels/kernel-memory.js';
import type { OptimizerName } from './optimizers.js';

/** Bytes of one WebAssembly memory at most (wasm32: 65,536 pages of 64 KiB). */
export const KERNEL_MEMORY_LIMIT = MAX_PAGES * 65536;

/** Float32 slots per parameter of each optimiser (its state), besides the parameter and its gradient. */
export const OPTIMIZER_SLOTS: Record<OptimizerName, number> = { adagrad: 1, adam: 2, 'sparse-adam': 2, sgd: 0 };

/** Bytes the tables of a model need in kernel memory with an optimiser: 4 · rows · dim · (2 + slots) summed. */
export function kernelBytesOf(tables: readonly TableSpec[], numEntities: number, numRelations: number, optimizer: OptimizerName): number {
  const floats = tables.reduce((sum, t) => sum + (t.indexedBy === 'entity' ? numEntities : 2 * numRelations) * t.dim, 0);
  return 4 * floats * (2 + OPTIMIZER_SLOTS[optimizer]);
}

/** Throws when the model's tables and optimiser state cannot fit one kernel memory (with 1/16 kept for scratch). */
export function requireKernelMemory(model: string, tables: readonly TableSpec[], numEntities: number, numRelations: number, optimizer: OptimizerName): void {
  const bytes = kernelBytesOf(tables, numEntities, numRelations, optimizer);
  const usable = KERNEL_MEMORY_LIMIT * (15 / 16);
  if (bytes <= usable) return;
  const gib = (b: number): string => `${(b / 2 ** 30).toFixed(2)} GiB`;
  const perEntity = kernelBytesOf(tables.filter((t) => t.indexedBy === 'entity'), 1, 0, optimizer);
  throw new Error(`${model} with ${numEntities.toLocaleString('en-US')} entities needs ${gib(bytes)} of kernel memory ` +
    `(${perEntity} bytes per entity: parameters, gradients and ${OPTIMIZER_SLOTS[optimizer]} ${optimizer} state slot(s)), more than the ` +
    `${gib(usable)} one WebAssembly memory can hold (wasm32, 4 GiB with scratch). Lower --dim, or use --optimizer adagrad (one state slot) or sgd (none).`);
}
