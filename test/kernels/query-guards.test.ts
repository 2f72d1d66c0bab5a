// Guards of the query-program primitives: zero rows, points on and beyond the ball's boundary, huge tangent
// vectors, zero Givens pairs and out-of-range curvatures give finite values and gradients, equal to the tfjs
// functions' wherever those are finite.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { loadKernels, type Kernels } from '../../src/kernels/kernels.js';
import { expectClose, expectFinite, rng, uniform, withNorms } from './helpers.js';
import { centralDifferences, clampC } from '../../src/kernels/query-reference.js';
import { PRIMITIVES, runKernel, runTfjs, type Inputs } from './query-primitives.js';

let k: Kernels;
beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  k = await loadKernels();
});
beforeEach(() => k.memory.reset());

const d = 8;
const prim = (name: string) => PRIMITIVES.find((p) => p.name === name)!;
const scaleOf = (x: number[]): number => Math.max(1, ...x.map(Math.abs));

/** Kernel and tfjs agree (relative to the largest entry) and the kernel's values and gradients are finite. */
function check(name: string, x: Inputs, n: number, gradTol = 2e-4): { out: number[]; gIns: number[][]; gc: number[] } {
  const p = prim(name);
  const g = uniform(rng(n), n * d, -1, 1);
  const got = runKernel(k, p, n, d, x, g);
  expectFinite(got.out, `${name} out`);
  got.gIns.forEach((gi, i) => expectFinite(gi, `${name} grad ${i}`));
  expectFinite(got.gc, `${name} grad c`);
  const want = runTfjs(p, n, d, x, g);
  expectClose(got.out, want.out, 2e-5, 2e-6 * scaleOf(want.out), `${name} out`);
  want.gIns.forEach((w, i) => expectClose(got.gIns[i]!, w, gradTol, gradTol * scaleOf(w), `${name} grad ${i}`));
  if (p.curvature) expectClose(got.gc, want.gc, gradTol, gradTol * scaleOf(want.gc), `${name} grad c`);
  return got;
}

/** √c‖row‖ for each row of out. */
function radii(out: number[], c: number[]): number[] {
  return c.map((ci, i) => Math.sqrt(ci * out.slice(i * d, i * d + d).reduce((s, v) => s + v * v, 0)));
}

describe('zero rows', () => {
  const zero = Array(2 * d).fill(0);
  const some = uniform(rng(1), 2 * d, -0.2, 0.2);
  it('expmap0(0) = 0, gradient = upstream', () => {
    const got = check('expmap0', { ins: [zero], c: [1, 0.5] }, 2);
    expect(got.out.every((v) => v === 0)).toBe(true);
  });
  it('mobiusAdd with zero operands', () => {
    check('mobiusAdd', { ins: [zero, zero], c: [1, 2] }, 2);
    check('mobiusAdd', { ins: [some, zero], c: [1, 2] }, 2);
    check('mobiusAdd', { ins: [zero, some], c: [1, 2] }, 2);
  });
  it('project(0)', () => check('project', { ins: [zero], c: [1, 3] }, 2));
  it('Givens with zero pairs (the degenerate block of givens.ts) and zero rows', () => {
    const r = uniform(rng(2), 2 * d, -1, 1);
    r[0] = 0; r[1] = 0; r[10] = 0; r[11] = 0;
    for (const name of ['givensRotation', 'givensReflection']) {
      check(name, { ins: [r, some], c: [] }, 2);
      check(name, { ins: [zero, zero], c: [] }, 2);
    }
  });
  it('attention with zero context and equal candidates', () => {
    check('attention', { ins: [zero, some, some], c: [] }, 2);
    check('attention', { ins: [zero, zero, zero], c: [] }, 2);
  });
});

describe('near and beyond the ball boundary', () => {
  const c = [0.5, 1, 2, 1.5];
  const boundary = (fractions: number[], seed: number): number[] =>
    withNorms(uniform(rng(seed), 4 * d, -1, 1), d, fractions.map((f, i) => f / Math.sqrt(c[i]!)));
  it('project keeps √c‖x‖ ≤ 1 − 1e-5 for points on and outside the sphere', () => {
    const got = check('project', { ins: [boundary([0.999999, 1, 1.5, 1e6], 3)], c }, 4);
    for (const r of radii(got.out, c)) expect(r).toBeLessThanOrEqual(1 - 1e-5 + 1e-7);
  });
  it('mobiusAdd of boundary points, including x ≈ −y', () => {
    const x = boundary([0.99999, 0.99999, 0.999, 0.5], 4);
    const y = x.map((v, i) => (i < d ? -v : i < 2 * d ? v : 0.5 * v));
    const got = runKernel(k, prim('mobiusAdd'), 4, d, { ins: [x, y], c }, uniform(rng(5), 4 * d, -1, 1));
    expectFinite(got.out, 'out');
    got.gIns.forEach((g, i) => expectFinite(g, `grad ${i}`));
    expectFinite(got.gc, 'grad c');
    for (const r of radii(got.out, c)) expect(r).toBeLessThanOrEqual(1 - 1e-5 + 1e-7);
    expect(Math.max(...got.out.slice(0, d).map(Math.abs))).toBeLessThan(1e-6); // (−x) ⊕ x = 0
  });
  it('mobiusAdd of points outside the ball (conformal floor) stays finite and equals tfjs', () => {
    check('mobiusAdd', { ins: [boundary([1.5, 2, 0.3, 1.1], 6), boundary([0.2, 3, 1.2, 1.1], 7)], c }, 4, 1e-3);
  });
});

describe('large tangent vectors and extreme curvatures', () => {
  it('expmap0 of ‖u‖ up to 1e15 lands on the projection radius with finite gradients', () => {
    const c = [1, 0.3, 2, 1];
    const u = withNorms(uniform(rng(8), 4 * d, -1, 1), d, [1e3, 1e6, 1e10, 1e15]);
    const got = check('expmap0', { ins: [u], c }, 4);
    for (const r of radii(got.out, c)) expect(r).toBeCloseTo(1 - 1e-5, 5);
  });
  it('curvatures outside [1e-7, 1e8] are clamped, with no gradient to c', () => {
    const u = withNorms(uniform(rng(9), 3 * d, -1, 1), d, [0.5, 0.5, 1e-3]);
    const c = [0, 1e-9, 1e9];
    for (const name of ['expmap0', 'project']) {
      const got = check(name, { ins: [u], c }, 3);
      expect(got.gc).toEqual([0, 0, 0]);
    }
    const got = check('mobiusAdd', { ins: [u, u.map((v) => -0.5 * v)], c }, 3);
    expect(got.gc).toEqual([0, 0, 0]);
  });
  it('clampCurvature on, inside and outside [1e-7, 1e8], in the SIMD lanes and the scalar tail', () => {
    // the query's c = clampCurvature(softplus(c₀)): softplus(c₀ < −104) is 0 in the scalar tail and ~1e-38 in SIMD
    const values = [0, 1.6e-38, -1000, 1e-9, 1e-7, 5e-7, 1, 1e8, 2e8, 1e9, 1e30, -0, 3e3, 1e-38, 0, 1e9, 0.25];
    for (const n of [values.length, 3, 1]) { // 17, 3 and 1 floats: a tail after 4-wide blocks, and a tail alone
      const x = values.slice(0, n);
      const g = uniform(rng(n), n, -1, 1);
      const p = prim('clampCurvature');
      const got = runKernel(k, p, n, 1, { ins: [x], c: [] }, g);
      const x32 = x.map(Math.fround);
      expect(got.out).toEqual(x32.map((v) => Math.fround(clampC(v)))); // c in [MIN, MAX] in every lane, exactly
      const pass = x32.map((v) => v >= Math.fround(1e-7) && v <= Math.fround(1e8));
      expect(got.gIns[0]).toEqual(g.map((v, i) => (pass[i] ? Math.fround(v) : 0)));
      const want = runTfjs(p, n, 1, { ins: [x], c: [] }, g);
      expect(got.out).toEqual(want.out);
      expect(got.gIns[0]).toEqual(want.gIns[0]);
      x.forEach((v, i) => { // float64 central differences of the reference, one value at a time (the bounds excepted)
        if (v === Math.fround(1e-7) || v === 1e-7 || v === 1e8) return;
        const h = 1e-3 * Math.max(Math.abs(v), 1e-12);
        const fd = centralDifferences(([t]) => clampC(t!) * g[i]!, [v], h)[0]!;
        expect(Math.abs(got.gIns[0]![i]! - fd), `value ${v}`).toBeLessThan(1e-6);
      });
    }
  });
  it('softplus of ±100 and 0', () => {
    const x = Array.from({ length: 2 * d }, (_, i) => [-100, -30, 0, 30, 100, -1e-3, 1e-3, 88][i % 8]!);
    check('softplus', { ins: [x], c: [] }, 2);
  });
});
