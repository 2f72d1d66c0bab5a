// maxEntitiesOf: the most entities before the memory checks refuse a run whatever the rest of its data — above the
// count it returns they refuse, with the same step shape; at it they pass (no relations, the optimiser state where it
// goes, no validation) for sampled steps, and for 1-N it is a little above their last count.
import { describe, expect, it } from 'vitest';
import { flagOf } from '../../src/pipeline/option-schemas.js';
import { createModel } from '../../src/registry/models.js';
import type { StepShape } from '../../src/core/step-memory.js';
import { maxEntitiesOf, requireKernelMemory, requireTrainingMemory } from '../../src/core/memory-budget.js';
import type { OptimizerName } from '../../src/core/optimizers.js';


describe('maxEntitiesOf', () => {
  it.each([
    ['DistMult', 64, 'adagrad', 50, 1],
    ['RotH', 32, 'adam', 50, 2],
    ['ComplEx', 200, 'adagrad', 0, 1], // 1-N: the blocked table grows with the entities
    ['DistMult', 20_000, 'sgd', 50, 1], // wide query rows beside few entities
  ] as const)('%s d = %i (%s, %i negatives, %i threads): passes at the count, refused at one more', (name, dim, optimizer, negatives, threads) => {
    const model = createModel(name, { dim, numEntities: 1, numRelations: 1 });
    const shapeAt = (numEntities: number): StepShape => ({ queries: 1000, negatives, doubleNegatives: false, weighted: false, optimizer: optimizer as OptimizerName,
      loss: 'bce', numEntities, numRelations: 0, threads });
    const most = maxEntitiesOf(model, shapeAt, false);
    expect(most).toBeGreaterThan(1000);
    expect(most).toBeLessThan(2 ** 31 - 1);
    const check = (entities: number) => () => {
      requireKernelMemory(name, model.tables, entities, 0, optimizer as OptimizerName);
      requireTrainingMemory({ model, batchSize: 1000, name: flagOf, validation: 'none' }, shapeAt(entities));
    };
    // sampled steps: the bound is exact; 1-N: a little above what the checks accept (the scratch's least figure, see below)
    if (negatives > 0) expect(check(most)).not.toThrow();
    for (let above = most + 1; above < most + 40_000; above += 997) expect(check(above)).toThrow(/one WebAssembly memory/);
  });

  it("1-N: never refuses a count the checks accept, though the dense loss's group shrinks as the entities grow", () => {
    // DistMult d = 168, batch 500, 237 relations, sampled validation: the checks accept 2,097,153 … 2,103,918 entities
    // and refuse a little below (at 2,097,152 entities a group of the loss's scores is larger); a search over the real
    // figure, which falls there, returned 2,091,911 and so refused a graph the full check would train
    const model = createModel('DistMult', { dim: 168, numEntities: 1, numRelations: 1 });
    const shapeAt = (numEntities: number, numRelations = 0): StepShape => ({ queries: 500, negatives: 0, doubleNegatives: false, weighted: false,
      optimizer: 'adagrad', loss: 'bce', numEntities, numRelations, threads: 1 });
    const accepts = (entities: number): boolean => {
      try {
        requireKernelMemory('DistMult', model.tables, entities, 237, 'adagrad');
        requireTrainingMemory({ model, batchSize: 500, name: flagOf, validation: 'sampled' }, shapeAt(entities, 237));
        return true;
      } catch {
        return false;
      }
    };
    expect(accepts(2_103_918)).toBe(true);
    expect(accepts(2_103_919)).toBe(false);
    expect(accepts(2_097_152)).toBe(false);
    const most = maxEntitiesOf(model, (entities) => shapeAt(entities), false);
    expect(most).toBeGreaterThanOrEqual(2_103_918);
    expect(most).toBeLessThan(2_103_918 * 1.01); // loose by at most one group of scores (SOFTMAX_GROUP_BYTES) of 4 GiB
  });

  it.each(['full', 'sampled'] as const)('with %s validation counted: passes at the count, refused at one more, lower than without', (validation) => {
    // DistMult d = 20,000: its step scratch (wide query rows) leaves room for a sampled validation's 32 MiB only once
    // fewer entities' tables are held
    const model = createModel('DistMult', { dim: 20_000, numEntities: 1, numRelations: 1 });
    const shapeAt = (numEntities: number): StepShape => ({ queries: 1000, negatives: 50, doubleNegatives: false, weighted: false, optimizer: 'sgd', loss: 'bce', numEntities, numRelations: 0, threads: 1 });
    const most = maxEntitiesOf(model, shapeAt, false, validation);
    const check = (entities: number) => () => {
      requireKernelMemory('DistMult', model.tables, entities, 0, 'sgd');
      requireTrainingMemory({ model, batchSize: 1000, name: flagOf, validation }, shapeAt(entities));
    };
    expect(check(most)).not.toThrow();
    expect(check(most + 1)).toThrow(/one WebAssembly memory/);
    expect(most).toBeLessThan(maxEntitiesOf(model, shapeAt, false));
  });

  it('a native backend counts the tables alone; a model that fits any count has no bound', () => {
    const model = createModel('DistMult', { dim: 64, numEntities: 1, numRelations: 1 });
    const shapeAt = (numEntities: number): StepShape => ({ queries: 1000, negatives: 50, doubleNegatives: false, weighted: false, optimizer: 'adagrad', loss: 'bce', numEntities, numRelations: 0, threads: 1 });
    const tables = maxEntitiesOf(model, shapeAt, true);
    expect(tables).toBe(Math.floor((2 ** 32 - 2 ** 28) / (4 * 2 * 64))); // parameters and gradients, 1/16 kept for scratch
    expect(maxEntitiesOf(model, shapeAt, false)).toBe(tables); // the step's scratch fits the 1/16 kept for it
    expect(maxEntitiesOf(model, (numEntities) => ({ ...shapeAt(numEntities), queries: 4096, threads: 2 }), false)).toBeLessThan(tables); // a second thread's gradients do not
    expect(maxEntitiesOf({ ...model, tables: [] }, (numEntities) => ({ ...shapeAt(numEntities), queries: 1 }), true)).toBe(2 ** 31 - 1);
  });
});
