// Shared by the 1-N step tests (test/core/one-to-n-kernel-step.test.ts, one-to-n-poincare-step.test.ts): one step's loss
// and gradient accumulators (cleared after they are read).
import type { ModelRuntime } from '../../src/core/model-runtime.js';
import { oneToNGradients, type OneToNSettings } from '../../src/core/one-to-n-step.js';
import type { QueryBatch } from '../../src/core/batch.js';

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
