// Where the optimiser state lives when a run's step scratch and validation need more than the fixed 256 MiB reserve
// (optimizers.ts KERNEL_SCRATCH_RESERVE): in host memory when keeping it beside the tables would leave too little room
// for them, and the memory check (requireTrainingMemory) counts it where TableOptimizer puts it. Pure figures: nothing
// of 4 GiB is allocated (the TableOptimizer and Trainer cases use a kernel memory of 260 MiB).
import { describe, expect, it } from 'vitest';
import { flagOf } from '../../src/pipeline/option-schemas.js';
import { createModel } from '../../src/registry/models.js';
import { stepScratchOf, type StepShape } from '../../src/core/step-memory.js';
import { KERNEL_MEMORY_LIMIT, kernelBytesOf, requireTrainingMemory, runScratchBytesOf, validationBytesOf } from '../../src/core/memory-budget.js';
import { KERNEL_SCRATCH_RESERVE, optimizerStateHome, optimizerStepBytes, TableOptimizer } from '../../src/core/optimizers.js';
import { KernelMemory } from '../../src/kernels/kernel-memory.js';
import { ParameterStore } from '../../src/core/parameter-store.js';
import { Trainer } from '../../src/core/trainer.js';
import { MemoryRunSink } from '../../src/core/memory-sink.js';
import { parseTrainingConfig } from '../../src/core/training-config.js';
import type { ModelRuntime } from '../../src/core/model-runtime.js';
import type { TrainingObjective } from '../../src/core/training-objective.js';
import type { RunData } from '../../src/core/training-data.js';
import { runKernelBytesOf } from '../../src/pipeline/run-memory.js';

const MiB = 2 ** 20;
/** A kernel memory of 260 MiB: small tables and their state fit beside the 256 MiB reserve. */
const SMALL_PAGES = (KERNEL_SCRATCH_RESERVE + 4 * MiB) / 65536;

describe('optimiser state home with a large step scratch', () => {
  // DistMult d = 64, 3.5M entities, 500 relations, 1-N with --batch-size 1000, Adagrad, validation against every entity
  const entities = 3_500_000;
  const model = createModel('DistMult', { dim: 64, numEntities: entities, numRelations: 500 });
  const shape: StepShape = { queries: 1000, negatives: 0, doubleNegatives: false, weighted: false, optimizer: 'adagrad', loss: 'bce',
    numEntities: entities, numRelations: 500, threads: 1 };
  const tables = kernelBytesOf(model.tables, entities, 500, 'sgd');
  const state = kernelBytesOf(model.tables, entities, 500, 'adagrad') - tables;
  const heights = [entities, 1000]; // the entity table's rows, and the relation table's (both directions)
  const runBytes = stepScratchOf(model, shape).bytes + validationBytesOf(entities, 64);

  it('puts the state in host memory when it would leave too little room for the scratch and validation, and the check accepts the run', () => {
    expect([tables, state]).toEqual([1_792_512_000, 896_256_000]); // 1.67 GiB, 854.7 MiB
    expect(runBytes).toBe(967_808_072 + 971_554_432); // 923.0 MiB of step scratch, 926.5 MiB for validation: > 256 MiB
    expect(tables + state + runBytes).toBeGreaterThan(KERNEL_MEMORY_LIMIT); // 4.31 GiB with the state beside the tables
    expect(tables + runBytes).toBeLessThanOrEqual(KERNEL_MEMORY_LIMIT); // 3.48 GiB without it
    expect(() => requireTrainingMemory({ model, batchSize: 1000, name: flagOf, validation: 'full' }, shape)).not.toThrow();
    expect(optimizerStateHome('adagrad', heights, tables, state, KERNEL_MEMORY_LIMIT, runBytes)).toBe('host');
  });

  it('runScratchBytesOf is the step scratch and the validation; an ordinary run keeps the fixed reserve', () => {
    expect(runScratchBytesOf(model, shape, 'full')).toBe(runBytes);
    expect(runScratchBytesOf(model, shape, 'none')).toBe(stepScratchOf(model, shape).bytes);
    expect(optimizerStateHome('adagrad', heights, tables, state, KERNEL_MEMORY_LIMIT)).toBe('kernel'); // the reserve alone leaves room
    const small = { ...shape, queries: 500, negatives: 50 };
    const smallRun = runScratchBytesOf(model, small, 'sampled');
    expect(smallRun).toBeLessThanOrEqual(KERNEL_SCRATCH_RESERVE);
    expect(optimizerStateHome('adagrad', heights, tables, state, KERNEL_MEMORY_LIMIT, smallRun)).toBe('kernel');
  });

  it('TableOptimizer places its state by the run bytes it is given', () => {
    const small = createModel('DistMult', { dim: 8, numEntities: 10, numRelations: 1 });
    const home = (runBytes?: number): 'kernel' | 'host' => {
      const store = new ParameterStore(small.tables, 10, 1, new KernelMemory({ maximumPages: SMALL_PAGES }));
      return new TableOptimizer('adagrad', 0.1, store, undefined, runBytes).stateIn;
    };
    expect(home()).toBe('kernel');
    expect(home(KERNEL_SCRATCH_RESERVE)).toBe('kernel');
    expect(home(KERNEL_SCRATCH_RESERVE + 4 * MiB)).toBe('host');
  });

  it("Trainer gives its optimiser the run's kernel bytes, and a 1-N batch of 100,000 queries at d = 128 needs more than the reserve", () => {
    const small = createModel('DistMult', { dim: 128, numEntities: 100, numRelations: 2 });
    const train = Int32Array.from({ length: 3 * 50_000 }, (_, i) => (i % 3 === 1 ? Math.floor(i / 3) % 2 : (i * 7) % 100)); // 100,000 training queries
    const data = { datasetName: 'tiny', entityNames: Array.from({ length: 100 }, (_, i) => `e${i}`), relationNames: ['r0', 'r1'], train, valid: new Int32Array(0), test: new Int32Array(0), numEntities: 100, numRelations: 2 } as unknown as RunData;
    const stateIn = (batchSize: number, runKernelBytes?: number): 'kernel' | 'host' => {
      const store = new ParameterStore(small.tables, 100, 2, new KernelMemory({ maximumPages: SMALL_PAGES }));
      const runtime = { model: small, store, kernels: undefined } as unknown as ModelRuntime; // the constructor reads these
      const config = parseTrainingConfig({ batchSize, negatives: 0 });
      return new Trainer(runtime, data, config, 'unused', 'wasm', { validator: null, objective: {} as TrainingObjective, sink: new MemoryRunSink(), runKernelBytes }).optimizerStateIn;
    };
    const bytesAt = (batchSize: number): number => runKernelBytesOf(small, parseTrainingConfig({ batchSize, negatives: 0 }), data, {}, 'wasm');
    expect(bytesAt(100_000)).toBeGreaterThan(KERNEL_SCRATCH_RESERVE + 4 * MiB);
    expect(bytesAt(500)).toBeLessThan(KERNEL_SCRATCH_RESERVE);
    expect(stateIn(100_000, bytesAt(100_000))).toBe('host');
    expect(stateIn(500, bytesAt(500))).toBe('kernel'); // an ordinary batch: the fixed reserve, as before
    expect(stateIn(100_000)).toBe('kernel'); // without the run's figure: the fixed reserve only
    expect(runKernelBytesOf(small, parseTrainingConfig({ batchSize: 100_000, negatives: 0 }), data, {}, 'tensorflow')).toBe(0); // native: steps in tfjs
  });

  it("counts what the optimiser allocates as it steps: dense Adam's staging chunks beside a host state, Adagrad's row ids beside a kernel one", () => {
    expect(optimizerStepBytes('adam', 'host', [10, 10, 4])).toBe(8 * MiB);
    expect(optimizerStepBytes('adam', 'kernel', [10])).toBe(0);
    expect(optimizerStepBytes('adagrad', 'kernel', [10, 10, 4])).toBe(4 * (10 + 4)); // one id list per table height
    expect(optimizerStepBytes('adagrad', 'host', [10])).toBe(0);
    // DistMult d = 64 with Adam, no validation: the most entities the check accepts leave room for the 8 MiB of staging
    const adamShape = (entities: number): StepShape => ({ ...shape, optimizer: 'adam', numEntities: entities, queries: 500, negatives: 50 });
    const accepts = (entities: number): boolean => {
      try {
        requireTrainingMemory({ model, batchSize: 500, name: flagOf, validation: 'none' }, adamShape(entities));
        return true;
      } catch {
        return false;
      }
    };
    let fits = 1_000_000, refused = 20_000_000;
    while (refused - fits > 1) {
      const middle = Math.floor((fits + refused) / 2);
      if (accepts(middle)) fits = middle;
      else refused = middle;
    }
    const heldAt = (entities: number): number => kernelBytesOf(model.tables, entities, 500, 'sgd') + stepScratchOf(model, adamShape(entities)).bytes;
    expect(optimizerStateHome('adam', [fits, 1000], kernelBytesOf(model.tables, fits, 500, 'sgd'), kernelBytesOf(model.tables, fits, 500, 'adam') - kernelBytesOf(model.tables, fits, 500, 'sgd'), KERNEL_MEMORY_LIMIT)).toBe('host');
    expect(heldAt(fits) + 8 * MiB).toBeLessThanOrEqual(KERNEL_MEMORY_LIMIT);
    expect(heldAt(fits + 1) + 8 * MiB).toBeGreaterThan(KERNEL_MEMORY_LIMIT);
  });
});
