// The kernel-memory budget: bytes per table and optimiser, and the error a model too large for one wasm32 memory
// gets before anything is allocated (5M entities × d = 64 with Adam: ≈ 5 GB of state).
import { describe, expect, it } from 'vitest';
import { KERNEL_MEMORY_LIMIT, kernelBytesOf, requireKernelMemory } from '../../src/core/memory-budget.js';
import { optimizerStateHome, type OptimizerName } from '../../src/core/optimizers.js';
import { createModel } from '../../src/registry/models.js';

describe('kernel memory budget', () => {
  it('counts parameters, gradients and optimiser slots of every table', () => {
    const model = createModel('DistMult', { dim: 4, numEntities: 10, numRelations: 3 });
    // entity 10×4 + relation (2·3)×4 = 64 floats; adam: ×4 (param, grad, m, v) × 4 bytes
    expect(kernelBytesOf(model.tables, 10, 3, 'adam')).toBe(64 * 4 * 4);
    expect(kernelBytesOf(model.tables, 10, 3, 'sgd')).toBe(64 * 2 * 4);
  });

  it('5M entities × 64 with Adam fits: 2.4 GiB of tables and gradients in kernel memory, the moments in host memory', () => {
    const model = createModel('DistMult', { dim: 64, numEntities: 5_000_000, numRelations: 500 });
    expect(() => requireKernelMemory('DistMult', model.tables, 5_000_000, 500, 'adam')).not.toThrow();
    // the decision TableOptimizer makes once the tables and gradients (kernelBytesOf … 'sgd') are allocated
    const home = (entities: number, optimizer: OptimizerName): 'kernel' | 'host' => {
      const tablesAndGradients = kernelBytesOf(model.tables, entities, 500, 'sgd');
      return optimizerStateHome(optimizer, [entities, 1000], tablesAndGradients, kernelBytesOf(model.tables, entities, 500, optimizer) - tablesAndGradients, KERNEL_MEMORY_LIMIT);
    };
    expect(home(5_000_000, 'adam')).toBe('host'); // 4.77 GiB with the moments
    expect(home(5_000_000, 'adagrad')).toBe('kernel'); // 3.58 GiB
    expect(home(1_000_000, 'adam')).toBe('kernel');
  });

  it('tables and gradients beyond one wasm32 memory are a clear error stating the bytes, the limit and what to change', () => {
    const model = createModel('DistMult', { dim: 64, numEntities: 8_000_000, numRelations: 500 });
    expect(() => requireKernelMemory('DistMult', model.tables, 8_000_000, 500, 'adam')).toThrow(
      /DistMult with 8,000,000 entities needs 3\.82 GiB of kernel memory \(512 bytes per entity: parameters and gradients; the adam state goes to host memory when it does not fit\), more than the 3\.75 GiB .* Lower the dimension \(--dim; dim in code\) or use fewer entities/);
  });
});
