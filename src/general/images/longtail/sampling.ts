/**
 * The two samplers of long-tailed training (Kang et al. 2020, §3.1, as CBD uses them, Iscen et al. 2021 §3):
 * instance sampling (every image equally likely: the usual shuffled epochs) and class-balanced sampling (a class
 * uniformly at random, then an image of it uniformly: p_j = 1/C). An "epoch" of class-balanced sampling has as
 * many steps as an instance epoch of the same set, so both see the same number of images.
 */
import type { SeededRandom } from '../../../core/random.js';
import { batchesPerEpoch, epochBatches, type Batch } from '../data/batches.js';
import type { ImageSet } from '../data/digits.js';
import { selectRows } from '../data/split.js';

/** How batches are drawn. */
export type Sampling = 'instance' | 'class-balanced';

/** One epoch of class-balanced batches (with replacement); classes with no images are skipped. */
export function* classBalancedBatches(set: ImageSet, batchSize: number, rng: SeededRandom): Generator<Batch> {
  const members: number[][] = Array.from({ length: set.classes }, () => []);
  for (let i = 0; i < set.n; i++) members[set.y[i]!]!.push(i);
  const present = members.map((m, c) => (m.length > 0 ? c : -1)).filter((c) => c >= 0);
  const steps = batchesPerEpoch(set.n, batchSize);
  for (let s = 0; s < steps; s++) {
    const ids = new Int32Array(batchSize);
    for (let b = 0; b < batchSize; b++) {
      const pool = members[present[rng.int(present.length)]!]!;
      ids[b] = pool[rng.int(pool.length)]!;
    }
    yield { ...selectRows(set, ids), ids };
  }
}

/** One epoch of batches under a sampling scheme. */
export function samplerBatches(set: ImageSet, batchSize: number, sampling: Sampling, rng: SeededRandom): Generator<Batch> {
  return sampling === 'instance' ? epochBatches(set, batchSize, rng) : classBalancedBatches(set, batchSize, rng);
}
