import { beforeAll, describe, expect, it } from 'vitest';
import { loadKernels, type Kernels } from '../../src/kernels/kernels.js';
import { KernelMemory } from '../../src/kernels/kernel-memory.js';
import { ParameterStore } from '../../src/core/parameter-store.js';
import { TableOptimizer, OPTIMIZER_NAMES, type OptimizerName } from '../../src/core/optimizers.js';
import { SeededRandom } from '../../src/core/random.js';
import type { TableSpec } from '../../src/core/model.js';

let kernels: Kernels;
beforeAll(async () => {
  kernels = await loadKernels();
});

const SPECS: TableSpec[] = [
  { name: 'wide', indexedBy: 'entity', dim: 8, init: { kind: 'normal', std: 1 }, regularize: true },
  { name: 'narrow', indexedBy: 'entity', dim: 1, init: { kind: 'normal', std: 1 }, regularize: false },
];

/** Runs 5 steps with fixed random gradients on a few rows; returns the final tables. */
function run(name: OptimizerName, withKernels: Kernels | false, stateIn: 'kernel' | 'host' = 'kernel'): Float32Array[] {
  const store = new ParameterStore(SPECS, 10, 1, withKernels ? withKernels.memory : kernels.memory);
  store.initialise(new SeededRandom(1));
  const optimizer = new TableOptimizer(name, 0.1, store, withKernels || undefined);
  expect(optimizer.stateIn).toBe(stateIn);
  const rng = new SeededRandom(2);
  for (let step = 0; step < 5; step++) {
    for (const table of store.tables()) {
      const ids = Int32Array.of(step % 10, (3 * step + 1) % 10, 7);
      table.scatterAddGrad(ids, Float32Array.from({ length: ids.length * table.dim }, () => rng.normal()));
    }
    optimizer.step();
  }
  return store.tables().map((t) => t.data.array.slice());
}

describe('TableOptimizer', () => {
  it('Adagrad: one hand-computed step (PyTorch semantics)', () => {
    const store = new ParameterStore([SPECS[0]!], 2, 1, kernels.memory);
    const table = store.table('wide');
    table.data.array.fill(1);
    const optimizer = new TableOptimizer('adagrad', 0.5, store, kernels);
    table.scatterAddGrad(Int32Array.of(1), Float32Array.from({ length: 8 }, () => 2));
    optimizer.step();
    // accum = 4, w = 1 − 0.5·2/(√4 + 1e-10) = 0.5 on row 1; row 0 untouched; gradient zeroed.
    expect(Array.from(table.data.array.subarray(8, 16))).toEqual(new Array(8).fill(0.5));
    expect(Array.from(table.data.array.subarray(0, 8))).toEqual(new Array(8).fill(1));
    expect(table.grad.array.every((g) => g === 0)).toBe(true);
  });

  it('Adam: the first step moves every touched weight by lr·sign(g) (bias-corrected)', () => {
    const store = new ParameterStore([SPECS[0]!], 2, 1, kernels.memory);
    const table = store.table('wide');
    const optimizer = new TableOptimizer('adam', 0.01, store, kernels);
    table.scatterAddGrad(Int32Array.of(0), Float32Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? 3 : -0.2)));
    optimizer.step();
    table.data.array.subarray(0, 8).forEach((w, i) => expect(w).toBeCloseTo(i % 2 === 0 ? -0.01 : 0.01, 6));
  });

  it('Adam resumed from state() after step 1 makes step 2 as an uninterrupted run does (the step count is restored)', () => {
    // w = 0, lr 0.1, gradient 1 at both steps (β1 0.9, β2 0.999):
    //   step 1: m = 0.1, v = 0.001; m̂ = 0.1/(1 − 0.9) = 1, v̂ = 0.001/(1 − 0.999) = 1 → w = −0.1·1/(1 + 1e-8) ≈ −0.1
    //   step 2: m = 0.19, v = 0.001999; m̂ = 0.19/0.19 = 1, v̂ = 0.001999/0.001999 = 1 → w ≈ −0.2
    //   (had the resumed optimiser counted this as its step 1: m̂ = 1.9, v̂ = 1.999 → w = −0.1 − 0.19/√1.999 = −0.2343839)
    for (const withKernels of [kernels, undefined]) { // the dense Adam kernel, and the plain loop
      const store = new ParameterStore([SPECS[0]!], 1, 1, kernels.memory);
      const table = store.table('wide');
      const ones = new Float32Array(8).fill(1);
      const straight = new TableOptimizer('adam', 0.1, store, withKernels);
      table.scatterAddGrad(Int32Array.of(0), ones);
      straight.step();
      expect(table.data.array.subarray(0, 8).every((w) => Math.abs(w + 0.1) < 1e-7)).toBe(true);
      const afterStep1 = table.data.array.slice();
      const saved = straight.state();
      const snapshot = { ...saved, slots: Object.fromEntries(Object.entries(saved.slots).map(([k, v]) => [k, v.slice()])) };
      expect(snapshot.step).toBe(1);
      table.scatterAddGrad(Int32Array.of(0), ones);
      straight.step();
      const uninterrupted = table.data.array.slice(0, 8);
      uninterrupted.forEach((w) => expect(w).toBeCloseTo(-0.2, 6));

      table.data.array.set(afterStep1); // the weights as the checkpoint after step 1 held them
      const resumed = new TableOptimizer('adam', 0.1, store, withKernels);
      resumed.restore(snapshot);
      table.scatterAddGrad(Int32Array.of(0), ones);
      resumed.step();
      table.data.array.subarray(0, 8).forEach((w) => expect(w).toBeCloseTo(-0.2, 6));
      expect(table.data.array.slice(0, 8)).toEqual(uninterrupted);
    }
  });

  it('Adagrad sweeps all rows in order once most are touched: the same tables as the plain loops over touched rows', () => {
    const tables = (withKernels: Kernels | false): Float32Array => {
      const store = new ParameterStore([SPECS[0]!], 10, 1, kernels.memory);
      store.initialise(new SeededRandom(5));
      const optimizer = new TableOptimizer('adagrad', 0.1, store, withKernels || undefined);
      const rng = new SeededRandom(6);
      for (let step = 0; step < 3; step++) {
        const ids = Int32Array.of(9, 1, 4, 6, 2, 7 - step); // 6 of 10 rows: more than half
        store.table('wide').scatterAddGrad(ids, Float32Array.from({ length: ids.length * 8 }, () => rng.normal()));
        optimizer.step();
      }
      return store.table('wide').data.array.slice();
    };
    const swept = tables(kernels);
    const plain = tables(false);
    swept.forEach((v, i) => expect(v).toBeCloseTo(plain[i]!, 6));
    const initial = new ParameterStore([SPECS[0]!], 10, 1, kernels.memory);
    initial.initialise(new SeededRandom(5));
    expect(Array.from(swept.subarray(0, 8))).toEqual(Array.from(initial.table('wide').data.array.subarray(0, 8))); // row 0 never touched
    expect(swept[8]).not.toBe(initial.table('wide').data.array[8]);
  });

  it('a batch of as many ids as rows lists every row under Adagrad and SGD, only the distinct ones under sparse Adam', () => {
    const listed = (name: OptimizerName, ids: number[]): number[] => {
      const store = new ParameterStore([SPECS[0]!], 6, 1, kernels.memory);
      new TableOptimizer(name, 0.1, store, kernels);
      const table = store.table('wide');
      table.touch(Int32Array.from(ids));
      const rows = Array.from(table.touched());
      table.clearTouched();
      table.touch(Int32Array.of(4)); // the marks were cleared with the list: row 4 is listed again
      expect(Array.from(table.touched())).toEqual([4]);
      return rows;
    };
    expect(listed('adagrad', [5, 5, 1, 1, 5, 3])).toEqual([0, 1, 2, 3, 4, 5]);
    expect(listed('sgd', [2, 2, 2, 2, 2, 2, 2])).toEqual([0, 1, 2, 3, 4, 5]);
    expect(listed('adagrad', [5, 5, 1, 1, 3])).toEqual([5, 1, 3]); // fewer ids than rows: the distinct ones
    expect(listed('sparse-adam', [5, 5, 1, 1, 5, 3])).toEqual([5, 1, 3]); // its moments decay on every listed row
  });

  it('Adagrad and SGD leave a listed row whose gradient is zero exactly as it was', () => {
    for (const name of ['adagrad', 'sgd'] as const) {
      const store = new ParameterStore([SPECS[0]!], 6, 1, kernels.memory);
      store.initialise(new SeededRandom(8));
      const optimizer = new TableOptimizer(name, 0.1, store, kernels);
      const table = store.table('wide');
      const before = table.data.array.slice();
      table.scatterAddGrad(Int32Array.of(2, 2, 2, 2, 2, 2), new Float32Array(48).fill(0.5)); // lists all six rows
      expect(table.touched().length).toBe(6);
      optimizer.step();
      table.data.array.forEach((w, i) => (i >= 16 && i < 24 ? expect(w).not.toBe(before[i]) : expect(w).toBe(before[i])));
    }
  });

  it.each(OPTIMIZER_NAMES)('%s: the SIMD kernels and the plain loops give the same tables', (name) => {
    const fast = run(name, kernels);
    const plain = run(name, false);
    fast.forEach((values, t) => values.forEach((v, i) => expect(v).toBeCloseTo(plain[t]![i]!, 5)));
  });

  it.each(OPTIMIZER_NAMES)('%s: state that does not fit kernel memory lives in host memory, with the same tables', async (name) => {
    // 16 MiB of kernel memory: less than the scratch kept free, so the state goes to host memory.
    const small = await loadKernels({ memory: new KernelMemory({ maximumPages: 256 }) });
    const host = run(name, small, 'host');
    const kernel = run(name, kernels);
    host.forEach((values, t) => values.forEach((v, i) => expect(v).toBeCloseTo(kernel[t]![i]!, 5)));
    const initial = new ParameterStore(SPECS, 10, 1, new KernelMemory({ maximumPages: 64 }));
    initial.initialise(new SeededRandom(1));
    expect(host[0]!.filter((v, i) => v !== initial.table('wide').data.array[i]).length).toBeGreaterThan(0); // the rows moved
  });

  it('dense Adam with host-memory moments passes them through kernel memory in chunks: same tables as kernel-memory moments', async () => {
    const spec: TableSpec = { name: 'big', indexedBy: 'entity', dim: 32, init: { kind: 'normal', std: 1 }, regularize: true };
    const rows = 40_000; // 1.28M floats: two chunks of staged moments
    const steps = (k: Kernels, stateIn: 'kernel' | 'host'): { before: Float32Array; after: Float32Array } => {
      const store = new ParameterStore([spec], rows, 1, k.memory);
      store.initialise(new SeededRandom(3));
      const before = store.table('big').data.array.slice();
      const optimizer = new TableOptimizer('adam', 0.01, store, k);
      expect(optimizer.stateIn).toBe(stateIn);
      const rng = new SeededRandom(4);
      for (let step = 0; step < 3; step++) {
        const ids = Int32Array.of(0, 20_000, 39_999, rng.int(rows));
        store.table('big').scatterAddGrad(ids, Float32Array.from({ length: ids.length * 32 }, () => rng.normal()));
        optimizer.step();
      }
      return { before, after: store.table('big').data.array.slice() };
    };
    const host = steps(await loadKernels({ memory: new KernelMemory({ maximumPages: 1024 }) }), 'host');
    const kernel = steps(kernels, 'kernel');
    const differing = (a: Float32Array, b: Float32Array): number => a.reduce((n, x, i) => n + (x === b[i] ? 0 : 1), 0);
    expect(differing(host.after, kernel.after)).toBe(0);
    // Adam moves every weight of the touched rows by about lr, in both chunks (row 39,999 lies in the second).
    expect(differing(host.before, host.after)).toBeGreaterThanOrEqual(3 * 32);
    expect(Math.abs(host.after[39_999 * 32]! - host.before[39_999 * 32]!)).toBeGreaterThan(0.005);
  });
});
