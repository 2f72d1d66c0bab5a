// Shared by the 1-N step tests (test/core/one-to-n-kernel-step.test.ts, one-to-n-poincare-step.test.ts): a seeded
// batch of queries, and one step's loss and gradient accumulators (cleared after they are read).
import type { ModelRuntime } from '../../src/core/model-runtime.js';
import { oneToNGradients, type OneToNSettings } from '../../src/core/one-to-n-step.js';
import { SeededRandom } from '../../src/core/random.js';
import type { QueryBatch } from '../../src/core/batch.js';

/** `size` queries with uniform heads, relations (reciprocals included) and gold answers, from `seed`. */
export function randomQueries(size: number, seed: number, numEntities: number, numRelations: number): QueryBatch {
  const rng = new SeededRandom(seed);
  return {
    entities: Int32Array.from({ length: size }, () => rng.int(numEntities)),
    relations: Int32Array.from({ length: size }, () => rng.int(2 * numRelations)),
    answers: Int32Array.from({ length: size }, () => rng.int(numEntities)),
  };
}

/** The loss and every table's gradient accumulator after one 1-N step; the accumulators are then cleared. */
export function oneToNStep(runtime: ModelRuntime, batch: QueryBatch, settings: OneToNSettings): { loss: number; grads: Float32Array[] } {
  const loss = oneToNGradients(runtime.model, runtime.store, batch, settings);
  const grads = runtime.store.tables().map((t) => t.grad.array.slice());
  for (const t of runtime.store.tables()) {
    t.grad.array.fill(0);
    t.clearTouched();
  }
  return { loss, grads };
}
