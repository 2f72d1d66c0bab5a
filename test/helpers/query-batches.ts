/** Seeded random training-query batches for step tests. */
import type { QueryBatch } from '../../src/core/batch.js';
import { SeededRandom } from '../../src/core/random.js';

/** `size` queries (entity, relation among 2R with reciprocals, answer) drawn uniformly with a seed. */
export function randomQueryBatch(size: number, seed: number | string, numEntities: number, numRelations: number): QueryBatch {
  const rng = new SeededRandom(seed);
  return {
    entities: Int32Array.from({ length: size }, () => rng.int(numEntities)),
    relations: Int32Array.from({ length: size }, () => rng.int(2 * numRelations)),
    answers: Int32Array.from({ length: size }, () => rng.int(numEntities)),
  };
}
