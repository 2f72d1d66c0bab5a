// Query-program primitives: kernel forward against the tfjs functions of src/hyperbolic (and `attend`, tf.softplus,
// tf.add, tf.mul), kernel VJP against tfjs autodiff and against central finite differences of the float64
// reference (src/kernels/query-reference.ts); VJPs must accumulate into the gradient blocks.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { loadKernels, type Kernels } from '../../src/kernels/kernels.js';
import { centralDifferences } from '../../src/kernels/query-reference.js';
import { expectClose, rng, uniform, withNorms } from './helpers.js';
import { PRIMITIVES, rowsOf, runKernel, runTfjs, type Inputs, type Primitive } from './query-primitives.js';

let k: Kernels;
beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  k = await loadKernels();
});
beforeEach(() => k.memory.reset());

const N = 7;

/** Random inputs per primitive: ball points at various radii, tangent vectors up to projected lengths, etc. */
function inputsFor(p: Primitive, d: number, seed: number): Inputs {
  const r = rng(seed);
  const c = p.curvature ? uniform(r, N, 0.3, 2) : [];
  const radius = (fractions: number[]): number[] => fractions.map((f, i) => f / Math.sqrt(c[i]!));
  const rows = (norms: number[]): number[] => withNorms(uniform(r, N * d, -1, 1), d, norms);
  switch (p.name) {
    case 'expmap0': // the last two rows saturate tanh and are projected
      return { ins: [rows([0.01, 0.2, 0.5, 1, 2.5, 8, 12].map((t, i) => t / Math.sqrt(c[i]!)))], c };
    case 'mobiusAdd':
      return { ins: [rows(radius([0, 0.3, 0.6, 0.9, 0.5, 0.99, 0.2])), rows(radius([0.4, 0, 0.7, 0.9, 0.95, 0.5, 0.1]))], c };
    case 'project': // rows 2, 3, 5 lie outside the projection radius
      return { ins: [rows(radius([0.5, 0.9, 1.2, 2, 0.99, 1.0001, 0.1]))], c };
    case 'softplus':
      return { ins: [uniform(r, N * d, -20, 20)], c };
    // inside and below [1e-7, 1e8], away from the kink at 1e-7 (above 1e8 the clamp's 1e8·g swamps a row's
    // central differences: query-guards.test.ts differences each value alone there)
    case 'clampCurvature':
      return { ins: [uniform(r, N * d, 0, 1).map((u, i) => [-1000, -5, -1e-3, 2e-3 + u, 20 * u + 0.01, 1e4 * u + 0.01,
        -50 * u - 0.01, 300 * u + 0.01][i % 8]!)], c };
    default:
      return { ins: Array.from({ length: p.wide }, () => uniform(r, N * d, -1, 1)), c };
  }
}

const scaleOf = (x: number[]): number => Math.max(1, ...x.map(Math.abs));

describe.each(PRIMITIVES.map((p) => [p.name, p] as const))('%s', (_name, p) => {
  for (const d of [8, 32]) {
    it(`forward equals the tfjs function (d = ${d})`, () => {
      const x = inputsFor(p, d, 11 * d + p.name.length);
      const got = runKernel(k, p, N, d, x).out;
      const g = Array(N * d).fill(0);
      const want = runTfjs(p, N, d, x, g).out;
      expectClose(got, want, 2e-5, 2e-6 * scaleOf(want), `${p.name} out`);
    });

    it(`VJP equals tfjs autodiff and accumulates (d = ${d})`, () => {
      const x = inputsFor(p, d, 13 * d + p.name.length);
      const r = rng(d);
      const g = uniform(r, N * d, -1, 1);
      const prior = x.ins.map(() => uniform(r, N * d, -1, 1));
      const priorC = uniform(r, N, -1, 1);
      const got = runKernel(k, p, N, d, x, g, prior, priorC);
      const want = runTfjs(p, N, d, x, g);
      want.gIns.forEach((w, i) => expectClose(got.gIns[i]!, w, 2e-4, 2e-5 * scaleOf(w), `${p.name} grad ${i}`));
      if (p.curvature) expectClose(got.gc, want.gc, 2e-4, 2e-5 * scaleOf(want.gc), `${p.name} grad c`);
    });

    it(`VJP equals central differences of the float64 reference (d = ${d})`, () => {
      const x = inputsFor(p, d, 17 * d + p.name.length);
      const g = uniform(rng(3 * d), N * d, -1, 1);
      const got = runKernel(k, p, N, d, x, g);
      for (let row = 0; row < N; row++) {
        const rows = rowsOf(x, row, d);
        const gRow = g.slice(row * d, row * d + d);
        const L = (rs: Float64Array[], c: number): number => p.ref(rs, c).reduce((s, v, j) => s + v * gRow[j]!, 0);
        const c = x.c[row] ?? 1;
        rows.forEach((input, i) => {
          const fd = centralDifferences((v) => L(rows.map((rr, j) => (j === i ? v : rr)), c), input);
          const mine = got.gIns[i]!.slice(row * d, row * d + d);
          expectClose(mine, Array.from(fd), 2e-4, 2e-5 * scaleOf(Array.from(fd)), `${p.name} row ${row} input ${i}`);
        });
        if (p.curvature) {
          const fdc = centralDifferences((v) => L(rows, v[0]!), [c])[0]!;
          expectClose([got.gc[row]!], [fdc], 2e-4, 2e-5 * Math.max(1, Math.abs(fdc)), `${p.name} row ${row} c`);
        }
      }
    });
  }
});
