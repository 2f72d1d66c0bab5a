/**
 * Seeded mini-batches over an image set: a fresh permutation per epoch, rows copied into plain arrays (tensors
 * are made by the caller inside its step, so the tape never sees an indexing op and nothing outlives the step).
 */
import type { SeededRandom } from '../../../core/random.js';
import { selectRows } from './split.js';
import type { ImageSet } from './digits.js';

/** One mini-batch: the rows' indices in the set, their pixels and labels. */
export interface Batch extends ImageSet {
  ids: Int32Array;
}

/** The batches of one epoch; a trailing batch of a single image is dropped (contrastive losses need two). */
export function* epochBatches(set: ImageSet, batchSize: number, rng: SeededRandom): Generator<Batch> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batch size must be a positive integer (got ${batchSize})`);
  const order = rng.permutation(set.n);
  for (let start = 0; start < set.n; start += batchSize) {
    const ids = order.subarray(start, Math.min(set.n, start + batchSize));
    if (ids.length < 2 && set.n >= 2) break;
    yield { ...selectRows(set, ids), ids: ids.slice() };
  }
}

/** Number of batches per epoch (as {@link epochBatches} yields them). */
export function batchesPerEpoch(n: number, batchSize: number): number {
  const full = Math.ceil(n / batchSize);
  return n % batchSize === 1 && n >= 2 ? full - 1 : full;
}
