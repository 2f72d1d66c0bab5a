// Table constraints (core/table-constraints.ts): 'unitNorm' by hand on a small table; a large table cut between two threads equals one thread, and dense Adam then the projection equals its readable twin; TransE with
// entityConstraint 'unit' starts with unit entity rows and keeps them unit after every optimiser step (the whole
// table, as PyKEEN, under every optimiser), the relations untouched; a few steps on the fused path
// equal the tfjs reference path (sampled and 1-N), compact steps those in place; two threads equal one up to float sums and repeat bit for bit.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { applyConstraint, projectUnitRows } from '../../src/core/table-constraints.js';
import { loadKernels } from '../../src/kernels/kernels.js';
import { ParameterStore } from '../../src/core/parameter-store.js';
import type { TableSpec } from '../../src/core/model.js';
import { ModelRuntime } from '../../src/core/model-runtime.js';
import { kgeObjective } from '../../src/core/kge-objective.js';
import { SeededRandom } from '../../src/core/random.js';
import { TableOptimizer, type OptimizerName } from '../../src/core/optimizers.js';
import { MIN_PARALLEL_ROWS, parallelStepReady } from '../../src/core/fused-step-parallel.js';
import { setCompactSteps } from '../../src/core/fused-compact-step.js';
import type { ScoringPath } from '../../src/core/model-runtime.js';
import { createModel } from '../../src/registry/models.js';
import { randomQueryBatch } from '../helpers/query-batches.js';

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

const E = 300, R = 5;

/** The L2 norm of each row of a row-major [n × d] array. */
const rowNorms = (a: Float32Array, d: number): number[] => Array.from({ length: a.length / d }, (_, i) => Math.hypot(...a.subarray(i * d, i * d + d)));

describe('unitNorm by hand', () => {
  it('divides each row by its L2 norm and leaves a zero row as it is', () => {
    const a = new Float32Array([3, 4, 0, 0, 1, 1, 0, 0, 6, 8, 0, 0]); // rows of d = 4
    projectUnitRows(a, 4);
    const half = Math.fround(Math.SQRT1_2);
    expect(Array.from(a)).toEqual([0.6000000238418579, 0.800000011920929, 0, 0, half, half, 0, 0, 0.6000000238418579, 0.800000011920929, 0, 0]);
    const zero = new Float32Array(4);
    projectUnitRows(zero, 4);
    expect(Array.from(zero)).toEqual([0, 0, 0, 0]); // ‖0‖ floored at 1e-12, as torch's normalize
  });
});

describe('applyConstraint on a large table', () => {
  it('cuts the rows between two threads and gives the one-thread projection bit for bit; a table without a constraint is left alone', async () => {
    const previous = process.env.KGDISTILL_THREADS;
    process.env.KGDISTILL_THREADS = '2';
    try {
      const kernels = await loadKernels();
      expect(kernels.worker()).not.toBeNull();
      const rows = 20_001, d = 8; // 160,008 floats: above the two-thread threshold, an odd row count
      const random = new SeededRandom('large-table');
      const values = Float32Array.from({ length: rows * d }, () => 3 * random.next() - 1.5);
      const data = kernels.memory.allocF32(rows * d);
      data.array.set(values);
      applyConstraint({ spec: { name: 'entity', constraint: 'unitNorm' } as TableSpec, rows, dim: d, data }, kernels);
      const oneThread = values.slice();
      projectUnitRows(oneThread, d);
      expect(Array.from(data.array)).toEqual(Array.from(oneThread));
      data.array.set(values);
      applyConstraint({ spec: { name: 'entity' } as TableSpec, rows, dim: d, data }, kernels);
      expect(Array.from(data.array)).toEqual(Array.from(values));
    } finally {
      if (previous === undefined) delete process.env.KGDISTILL_THREADS;
      else process.env.KGDISTILL_THREADS = previous;
    }
  });
});

describe('dense Adam on a large unit table', () => {
  it('projects after every step, the projection cut between the threads: the bits of one thread and of Adam then the readable twin', async () => {
    const previous = process.env.KGDISTILL_THREADS;
    const steps = async (threads: '1' | '2', constraint: 'unitNorm' | undefined): Promise<Float32Array> => {
      process.env.KGDISTILL_THREADS = threads;
      const kernels = await loadKernels();
      const spec: TableSpec = { name: 'entity', indexedBy: 'entity', dim: 8, init: { kind: 'normal', std: 1 }, regularize: false, ...(constraint ? { constraint } : {}) };
      const store = new ParameterStore([spec], 10_001, 1, kernels.memory); // 80,008 floats: above the two-thread threshold
      store.initialise(new SeededRandom(3));
      const optimizer = new TableOptimizer('adam', 0.05, store, kernels);
      const table = store.table('entity');
      if (!constraint) projectUnitRows(table.data.array, 8); // as initialise does for a unit table
      const rng = new SeededRandom(4);
      for (let step = 0; step < 3; step++) {
        const ids = Int32Array.from({ length: 500 }, (_, i) => (i * 97 + step * 13) % 10_001);
        table.scatterAddGrad(ids, Float32Array.from({ length: ids.length * 8 }, () => rng.normal()));
        optimizer.step();
        if (!constraint) projectUnitRows(table.data.array, 8); // Adam, then the projection as its own pass
      }
      return table.data.array.slice();
    };
    try {
      const one = await steps('1', 'unitNorm');
      const two = await steps('2', 'unitNorm');
      const separate = await steps('1', undefined);
      expect(Array.from(two)).toEqual(Array.from(one));
      expect(Array.from(separate)).toEqual(Array.from(one));
      for (const n of rowNorms(one, 8)) expect(Math.abs(n - 1)).toBeLessThan(1e-6);
    } finally {
      if (previous === undefined) delete process.env.KGDISTILL_THREADS;
      else process.env.KGDISTILL_THREADS = previous;
    }
  });
});

/** TransE (L1, d = 8) with unit entities: the tables after `steps` optimiser steps of batches of `size` queries. */
async function train(options: { optimizer: OptimizerName; path: ScoringPath; threads?: 1 | 2; steps?: number; size?: number; constraint?: 'unit' | 'none'; compact?: boolean; oneToN?: boolean; scaleFirst?: boolean }) {
  const previous = process.env.KGDISTILL_THREADS;
  process.env.KGDISTILL_THREADS = String(options.threads ?? 1);
  setCompactSteps(options.compact === undefined ? 'auto' : options.compact ? 'always' : 'never');
  try {
    const model = createModel('TransE', { dim: 8, numEntities: E, numRelations: R, entityConstraint: options.constraint ?? 'unit', ...(options.oneToN ? { norm: 2 } : {}) } as never);
    const runtime = await ModelRuntime.create(model, 5);
    const initial = runtime.store.tables().map((t) => t.data.array.slice());
    const objective = kgeObjective(runtime, { negatives: options.oneToN ? 0 : 6, doubleNegatives: false, regularizer: 'none', regularizerWeight: 0, path: options.path }, 'wasm');
    const optimizer = new TableOptimizer(options.optimizer, 0.01, runtime.store, runtime.kernels);
    const size = options.size ?? 40;
    const rng = new SeededRandom('constraint');
    const losses: number[] = [];
    const entities = (): Float32Array => runtime.store.table('entity').data.array; // read afresh: the memory may grow
    let offUnitAfterOneStep = -1;
    for (let s = 0; s < (options.steps ?? 3); s++) {
      if (s === 0 && options.scaleFirst) entities().forEach((v, i, a) => { a[i] = 3 * v; });
      losses.push(objective.gradients(randomQueryBatch(size, s, E, R), 1, rng));
      optimizer.step();
      if (s === 0) offUnitAfterOneStep = rowNorms(entities(), 8).filter((n) => Math.abs(n - 1) > 1e-6).length;
    }
    const parallel = parallelStepReady(runtime.store, MIN_PARALLEL_ROWS);
    return { scoringPath: objective.scoringPath, offUnitAfterOneStep, initial, losses, params: runtime.store.tables().map((t) => t.data.array.slice()), parallel };
  } finally {
    setCompactSteps('auto');
    if (previous === undefined) delete process.env.KGDISTILL_THREADS;
    else process.env.KGDISTILL_THREADS = previous;
  }
}

const closeTo = (got: Float32Array, want: Float32Array, tolerance: number): void => {
  const worst = Math.max(...Array.from(got, (v, i) => Math.abs(v - want[i]!)));
  expect(worst).toBeLessThan(tolerance);
};

describe('TransE with entityConstraint unit', () => {
  it('declares the entity table unitNorm (the default), records the option, and none declares nothing', () => {
    const unit = createModel('TransE', { dim: 8, numEntities: E, numRelations: R, entityConstraint: 'unit' } as never);
    expect(unit.tables.map((t) => t.constraint)).toEqual(['unitNorm', undefined]);
    expect(unit.config.options.entityConstraint).toBe('unit');
    expect(createModel('TransE', { dim: 8, numEntities: E, numRelations: R }).config.options.entityConstraint).toBe('unit');
    const none = createModel('TransE', { dim: 8, numEntities: E, numRelations: R, entityConstraint: 'none' } as never);
    expect(none.tables.map((t) => t.constraint)).toEqual([undefined, undefined]);
    expect(none.config.options.entityConstraint).toBe('none');
    expect(() => createModel('TransE', { dim: 8, numEntities: E, numRelations: R, entityConstraint: 'l2' } as never)).toThrow(/entityConstraint: must be unit or none/);
  });

  for (const optimizer of ['adam', 'adagrad', 'sparse-adam', 'sgd'] as const) {
    it(`${optimizer}: the entity rows are unit at initialisation and after every step (the whole table, touched or not), the relations free`, async () => {
      const run = await train({ optimizer, path: 'fused', scaleFirst: true });
      for (const table of [run.initial[0]!, run.params[0]!]) for (const n of rowNorms(table, 8)) expect(Math.abs(n - 1)).toBeLessThan(1e-6);
      expect(rowNorms(run.initial[1]!, 8).some((n) => Math.abs(n - 1) > 0.1)).toBe(true);
      expect(run.params[0]!.some((v, i) => v !== run.initial[0]![i])).toBe(true); // the step moved the entities
      expect([run.offUnitAfterOneStep, run.params[0]!.length]).toEqual([0, E * 8]); // rows scaled by 3 before a step are unit after it, touched or not
    });
  }

  it('without the constraint the entity rows are not unit (today\'s behaviour)', async () => {
    const run = await train({ optimizer: 'adam', path: 'fused', constraint: 'none' });
    expect(rowNorms(run.params[0]!, 8).some((n) => Math.abs(n - 1) > 0.1)).toBe(true);
  });

  for (const optimizer of ['adam', 'adagrad'] as const) {
    it(`${optimizer}: five steps on the fused path equal the tfjs reference path`, async () => {
      const fused = await train({ optimizer, path: 'fused', steps: 5 });
      const reference = await train({ optimizer, path: 'tfjs', steps: 5 });
      fused.losses.forEach((l, i) => expect(Math.abs(l - reference.losses[i]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(l))));
      fused.params.forEach((table, i) => closeTo(table, reference.params[i]!, 1e-5));
    });
  }

  for (const optimizer of ['adagrad', 'sparse-adam'] as const) {
    it(`${optimizer}: compact steps (the rows of a compact gradient) give the numbers of steps in place, bit for bit`, async () => {
      const compact = await train({ optimizer, path: 'fused', steps: 4, compact: true });
      const inPlace = await train({ optimizer, path: 'fused', steps: 4, compact: false });
      expect(compact.losses).toEqual(inPlace.losses);
      compact.params.forEach((table, i) => expect(Array.from(table)).toEqual(Array.from(inPlace.params[i]!)));
      for (const n of rowNorms(compact.params[0]!, 8)) expect(Math.abs(n - 1)).toBeLessThan(1e-6);
    });
  }

  it('1-N (TransE L2): the entity rows are unit after the steps, on the kernel path as on the tfjs path', async () => {
    const fused = await train({ optimizer: 'adagrad', path: 'fused', oneToN: true });
    const reference = await train({ optimizer: 'adagrad', path: 'tfjs', oneToN: true });
    expect(fused.scoringPath).toBe('one-to-n');
    for (const n of rowNorms(fused.params[0]!, 8)) expect(Math.abs(n - 1)).toBeLessThan(1e-6);
    fused.params.forEach((table, i) => closeTo(table, reference.params[i]!, 1e-5));
  });

  it('two threads equal one up to float sums and repeat bit for bit', async () => {
    const size = MIN_PARALLEL_ROWS + 7;
    const one = await train({ optimizer: 'adam', path: 'fused', threads: 1, size });
    const two = await train({ optimizer: 'adam', path: 'fused', threads: 2, size });
    expect([one.parallel, two.parallel]).toEqual([false, true]);
    two.params.forEach((table, i) => closeTo(table, one.params[i]!, 1e-4)); // as fused-step-parallel.test.ts: Adam's m/√v magnifies sum order
    const again = await train({ optimizer: 'adam', path: 'fused', threads: 2, size });
    again.params.forEach((table, i) => expect(Array.from(table)).toEqual(Array.from(two.params[i]!)));
  });
});
