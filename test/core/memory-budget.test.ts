// The kernel-memory budget: bytes per table and optimiser, and the error a model too large for one wasm32 memory
// gets before anything is allocated (5M entities × d = 64 with Adam: ≈ 5 GB of state).
import { describe, expect, it } from 'vitest';
import { kernelBytesOf, requireKernelMemory } from '../../src/core/memory-budget.js';
import { createModel } from '../../src/registry/models.js';

describe('kernel memory budget', () => {
  it('counts parameters, gradients and optimiser slots of every table', () => {
    const model = createModel('DistMult', { dim: 4, numEntities: 10, numRelations: 3 });
    // entity 10×4 + relation (2·3)×4 = 64 floats; adam: ×4 (param, grad, m, v) × 4 bytes
    expect(kernelBytesOf(model.tables, 10, 3, 'adam')).toBe(64 * 4 * 4);
    expect(kernelBytesOf(model.tables, 10, 3, 'sgd')).toBe(64 * 2 * 4);
  });

  it('a model beyond one wasm32 memory is a clear error stating the bytes, the limit and what to change', () => {
    const model = createModel('DistMult', { dim: 64, numEntities: 5_000_000, numRelations: 500 });
    expect(() => requireKernelMemory('DistMult', model.tables, 5_000_000, 500, 'adam')).toThrow(
      /DistMult with 5,000,000 entities needs 4\.77 GiB of kernel memory \(1024 bytes per entity: parameters, gradients and 2 adam state slot\(s\)\), more than the 3\.75 GiB .* Lower --dim, or use --optimizer adagrad/);
    expect(() => requireKernelMemory('DistMult', model.tables, 5_000_000, 500, 'sgd')).not.toThrow(); // 2.4 GiB
  });
});
