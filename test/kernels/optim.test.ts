// Optimiser kernels: hand-computed single steps and several steps against the float64 reference.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadKernels, OPTIMISER_DEFAULTS as D, type Kernels } from '../../src/kernels/kernels.js';
import { adagradRowsRef, adamDenseRef, adamRowsRef, sgdRowsRef } from '../../src/kernels/reference.js';
import { expectClose, f32, i32, rng, uniform } from './helpers.js';

let k: Kernels;
beforeAll(async () => { k = await loadKernels(); });
beforeEach(() => k.memory.reset());

describe('single steps by hand (d = 4, row 1 of 3 updated)', () => {
  const d = 4;
  const setup = () => ({
    param: f32(k, Array(3 * d).fill(1)),
    grad: f32(k, [...Array(d).fill(9), 2, -2, 0.5, 0, ...Array(d).fill(9)]),
    rows: i32(k, [1]),
  });

  it('adagradRows: accum = g², param −= lr·g/(|g| + 1e-10), grad row zeroed', () => {
    const { param, grad, rows } = setup();
    const accum = k.memory.allocF32(3 * d);
    k.adagradRows(rows, 1, d, param, grad, accum, 0.1);
    expectClose(param.array.subarray(d, 2 * d), [0.9, 1.1, 0.9, 1], 0, 1e-7);
    expectClose(accum.array.subarray(d, 2 * d), [4, 4, 0.25, 0], 0, 0);
    expectClose(grad.array, [...Array(d).fill(9), 0, 0, 0, 0, ...Array(d).fill(9)], 0, 0);
    expectClose(param.array.subarray(0, d), [1, 1, 1, 1], 0, 0);
  });

  it('adamRows, step 1: m̂ = g, v̂ = g² so param −= lr·g/|g| (up to eps)', () => {
    const { param, grad, rows } = setup();
    const m = k.memory.allocF32(3 * d), v = k.memory.allocF32(3 * d);
    k.adamRows(rows, 1, d, param, grad, m, v, 0.01, D.beta1, D.beta2, D.adamEps, 1);
    expectClose(param.array.subarray(d, 2 * d), [0.99, 1.01, 0.99, 1], 0, 1e-6);
    expectClose(m.array.subarray(d, 2 * d), [0.2, -0.2, 0.05, 0], 1e-6, 0);
    expectClose(v.array.subarray(d, 2 * d), [0.004, 0.004, 0.00025, 0], 1e-5, 0);
    expect(Array.from(grad.array.subarray(d, 2 * d))).toEqual([0, 0, 0, 0]);
    expect(m.array[0]).toBe(0);
  });

  it('adamDense, step 1 over n = 7 (vector part and scalar tail)', () => {
    const g = [2, -2, 0.5, 0, 1e-3, -3, 4];
    const param = f32(k, Array(8).fill(1)), grad = f32(k, [...g, 5]);
    const m = k.memory.allocF32(8), v = k.memory.allocF32(8);
    k.adamDense(7, param, grad, m, v, 0.01, D.beta1, D.beta2, D.adamEps, 1);
    expectClose(param.array, [0.99, 1.01, 0.99, 1, 0.99, 1.01, 0.99, 1], 0, 1e-6);
    expect(Array.from(grad.array)).toEqual([0, 0, 0, 0, 0, 0, 0, 5]);
  });

  it('adamDense with a shadow accumulator equals adamDense after adding it into grad, and zeroes the shadow', () => {
    const g = [2, -2, 0.5, 0, 1e-3, -3, 4], extra = [1, 0.5, -0.25, 3, 0, 2, -1];
    const folded = f32(k, g.map((x, i) => Math.fround(x + extra[i]!)));
    const [p1, p2] = [f32(k, Array(7).fill(1)), f32(k, Array(7).fill(1))];
    const [m1, v1, m2, v2] = [0, 1, 2, 3].map(() => f32(k, Array(7).fill(0.1)));
    k.adamDense(7, p1, folded, m1!, v1!, 0.01, D.beta1, D.beta2, D.adamEps, 2);
    const grad = f32(k, g), shadow = f32(k, extra);
    k.adamDense(7, p2, grad, m2!, v2!, 0.01, D.beta1, D.beta2, D.adamEps, 2, shadow);
    expect(Array.from(p2.array)).toEqual(Array.from(p1.array));
    expect(Array.from(m2!.array)).toEqual(Array.from(m1!.array));
    expect(Array.from(shadow.array)).toEqual(Array(7).fill(0));
    expect(Array.from(p2.array)).not.toEqual(Array(7).fill(1));
  });

  it('Adam flushes moments that decay below the smallest normal float32 to zero (vector part, scalar tail, rows)', () => {
    // m = 1e-38 and 1e-30 with g = 0: 0.9·1e-38 is subnormal → 0, 0.9·1e-30 stays; v likewise with β2 = 0.999
    const moments = [1e-38, 1e-30, 1e-38, 1e-30, 1e-38, 1e-30, 1e-38];
    const expected = (beta: number) => moments.map((x) => (x === 1e-38 ? 0 : Math.fround(beta * Math.fround(x))));
    const param = f32(k, Array(7).fill(1)), grad = f32(k, Array(7).fill(0));
    const m = f32(k, moments), v = f32(k, moments.map((x) => x * 0.5));
    k.adamDense(7, param, grad, m, v, 0.01, D.beta1, D.beta2, D.adamEps, 3);
    expectClose(m.array, expected(D.beta1), 1e-6, 0);
    expect(Array.from(m.array).filter((x) => x !== 0).every((x) => Math.abs(x) >= 1.1754943508222875e-38)).toBe(true);
    expect(Array.from(v.array).map((x, i) => (x === 0 ? 0 : i % 2))).toEqual([0, 1, 0, 1, 0, 1, 0]);
    const rows = i32(k, [0]), m2 = f32(k, moments.slice(0, 4)), v2 = f32(k, moments.slice(0, 4));
    k.adamRows(rows, 1, 4, f32(k, Array(4).fill(1)), f32(k, Array(4).fill(0)), m2, v2, 0.01, D.beta1, D.beta2, D.adamEps, 3);
    expect(Array.from(m2.array).map((x) => x === 0)).toEqual([true, false, true, false]);
  });

  it('sgdRows: param −= lr·g', () => {
    const { param, grad, rows } = setup();
    k.sgdRows(rows, 1, d, param, grad, 0.1);
    expectClose(param.array.subarray(d, 2 * d), [0.8, 1.2, 0.95, 1], 0, 1e-7);
    expect(Array.from(grad.array.subarray(d, 2 * d))).toEqual([0, 0, 0, 0]);
  });
});

describe('several steps against the float64 reference (N = 20, d = 12)', () => {
  const N = 20, d = 12, steps = 6;
  const stepRows = (s: number): number[] => Array.from({ length: 7 }, (_, i) => (3 * s + 5 * i) % N)
    .filter((x, i, a) => a.indexOf(x) === i);

  for (const name of ['adagrad', 'adam', 'sgd', 'adamDense'] as const) {
    it(name, () => {
      const r = rng(name.length);
      const p0 = uniform(r, N * d, -1, 1);
      const param = f32(k, p0), grad = k.memory.allocF32(N * d);
      const s1 = k.memory.allocF32(N * d), s2 = k.memory.allocF32(N * d);
      const P = Float64Array.from(p0), S1 = new Float64Array(N * d), S2 = new Float64Array(N * d);
      for (let s = 1; s <= steps; s++) {
        const rows = stepRows(s);
        const g = new Float64Array(N * d);
        const touched = name === 'adamDense' ? Array.from({ length: N }, (_, i) => i) : rows;
        for (const row of touched) for (let c = 0; c < d; c++) g[row * d + c] = Math.fround(2 * r() - 1);
        grad.array.set(g);
        const G = Float64Array.from(g);
        const rb = i32(k, rows);
        if (name === 'adagrad') {
          k.adagradRows(rb, rows.length, d, param, grad, s1, 0.05);
          adagradRowsRef(rows, d, P, G, S1, 0.05);
        } else if (name === 'adam') {
          k.adamRows(rb, rows.length, d, param, grad, s1, s2, 0.01, D.beta1, D.beta2, D.adamEps, s);
          adamRowsRef(rows, d, P, G, S1, S2, 0.01, D.beta1, D.beta2, D.adamEps, s);
        } else if (name === 'sgd') {
          k.sgdRows(rb, rows.length, d, param, grad, 0.1);
          sgdRowsRef(rows, d, P, G, 0.1);
        } else {
          k.adamDense(N * d, param, grad, s1, s2, 0.01, D.beta1, D.beta2, D.adamEps, s);
          adamDenseRef(P, G, S1, S2, 0.01, D.beta1, D.beta2, D.adamEps, s);
        }
        expect(grad.array.every((x) => x === 0)).toBe(true);
      }
      expectClose(param.array, P, 1e-5, 1e-6, 'param');
      expectClose(s1.array, S1, 1e-5, 1e-7, 'state 1');
      expectClose(s2.array, S2, 1e-5, 1e-8, 'state 2');
    });
  }
});

describe('compact gradient layout: row i of the block is the gradient of rows[i]', () => {
  const N = 9, d = 8, rows = [6, 0, 3];
  for (const name of ['adagrad', 'adam', 'sgd'] as const) {
    it(`${name}Rows: the same update as the table layout, block zeroed, table gradient untouched`, () => {
      const r = rng(name.length + 40);
      const p0 = uniform(r, N * d, -1, 1);
      const g = uniform(r, rows.length * d, -1, 1).map((x) => Math.fround(x));
      const run = (layout: 'table' | 'compact') => {
        const param = f32(k, p0), s1 = k.memory.allocF32(N * d), s2 = k.memory.allocF32(N * d);
        const table = k.memory.allocF32(N * d), block = k.memory.allocF32(rows.length * d);
        rows.forEach((row, i) => (layout === 'table' ? table : block).array.set(g.slice(i * d, (i + 1) * d), layout === 'table' ? row * d : i * d));
        const grad = layout === 'table' ? table : block;
        for (let step = 1; step <= 2; step++) {
          if (step === 2) rows.forEach((row, i) => grad.array.set(g.slice(i * d, (i + 1) * d), layout === 'table' ? row * d : i * d));
          if (name === 'adagrad') k.adagradRows(i32(k, rows), rows.length, d, param, grad, s1, 0.05, D.adagradEps, layout);
          else if (name === 'adam') k.adamRows(i32(k, rows), rows.length, d, param, grad, s1, s2, 0.01, D.beta1, D.beta2, D.adamEps, step, layout);
          else k.sgdRows(i32(k, rows), rows.length, d, param, grad, 0.1, layout);
        }
        expect(grad.array.every((x) => x === 0)).toBe(true);
        return { param: Array.from(param.array), s1: Array.from(s1.array), s2: Array.from(s2.array), tableGradZero: table.array.every((x) => x === 0) };
      };
      const table = run('table'), compact = run('compact');
      expect(compact).toEqual(table);
      expect(compact.param).not.toEqual(Array.from(p0.map((x) => Math.fround(x))));
    });
  }

  it('refuses a compact block shorter than its rows', () => {
    const param = k.memory.allocF32(N * d), accum = k.memory.allocF32(N * d), block = k.memory.allocF32(2 * d);
    expect(() => k.adagradRows(i32(k, rows), rows.length, d, param, block, accum, 0.05, D.adagradEps, 'compact')).toThrow(/grad/);
  });
});
