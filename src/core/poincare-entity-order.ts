/**
 * The entity side of the Poincaré top-K sweep (assembly/poincare-top-k.ts), which visits entities by descending tail
 * bias so it can prune most of them after their dot product and stop early: the visiting order, and the blocks the
 * sweep reads written in that order (the ids, the blocked table, ‖v‖² and the biases). The one home of this setup for
 * the core's all-entity scorer (entity-scorer.ts) and the kernel lookups (src/lookup/kernel-search.ts, which also
 * uses the identity order for the flat models' sweeps).
 */
import type { Kernels } from '../kernels/kernels.js';
import type { F32Block, I32Block } from '../kernels/kernel-memory.js';

/** The blocks of the entity side, allocated by the caller (for good or as scratch), each at least its length. */
export interface EntitySideBlocks {
  /** The entity id at each visiting position [N]. */
  perm: I32Block;
  /** blockTable's copy of the rows in visiting order [blockedLength(N, d)]. */
  blocked: F32Block;
  /** ‖v‖² in visiting order, zero padded [⌈N/4⌉·4]. */
  v2: F32Block;
  /** Tail biases in visiting order (zeros without them), zero padded [⌈N/4⌉·4]; null where none are kept. */
  bias: F32Block | null;
}

/** Entity ids by descending tail bias, ties to the lower id (the Poincaré sweep's visiting order); 0…N−1 without biases. */
export function poincareEntityOrder(N: number, tailBias?: ArrayLike<number>): Int32Array {
  const order = Int32Array.from({ length: N }, (_, j) => j);
  if (tailBias) order.sort((a, b) => tailBias[b]! - tailBias[a]! || a - b);
  return order;
}

/**
 * Writes the entity side in visiting order `order` (N ids): perm ← order, blocked ← the N rows of width d of `table`
 * blocked in that order, v2 and bias ← ‖v‖² and the tail biases of the ids permuted (zeros without biases), both
 * zero padded to ⌈N/4⌉·4.
 */
export function writeEntitySide(kernels: Kernels, table: F32Block, d: number, order: Int32Array, v2: ArrayLike<number>,
  tailBias: ArrayLike<number> | undefined, out: EntitySideBlocks): void {
  const N = order.length, padded = Math.ceil(N / 4) * 4;
  out.perm.array.set(order);
  kernels.topK.blockTable(N, d, table, out.perm, out.blocked);
  const sortedV2 = out.v2.array, sortedBias = out.bias?.array;
  for (let i = 0; i < padded; i++) {
    const id = i < N ? order[i]! : -1;
    sortedV2[i] = id >= 0 ? v2[id]! : 0;
    if (sortedBias) sortedBias[i] = id >= 0 && tailBias ? tailBias[id]! : 0;
  }
}
