// maxEntitiesOf: the most entities before the memory checks refuse a run whatever the rest of its data — at the count
// it returns they pass (no relations, the optimiser state where it goes, no validation), at one more they refuse,
// with the same step shape.
import { describe, expect, it } from 'vitest';
import { createModel } from '../../src/registry/models.js';
import type { StepShape } from '../../src/core/step-memory.js';
import { maxEntitiesOf, requireKernelMemory, requireTrainingMemory } from '../../src/core/memory-budget.js';
import type { OptimizerName } from '../../src/core/optimizers.js';

const flag = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

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
      requireTrainingMemory({ model, batchSize: 1000, name: flag, validation: 'none' }, shapeAt(entities));
    };
    expect(check(most)).not.toThrow();
    expect(check(most + 1)).toThrow(/one WebAssembly memory/);
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
