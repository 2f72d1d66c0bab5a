/**
 * The same maths on the wasm backend (kernels differ: e.g. wasm's Log1p is a naive log(1 + x), which is why
 * src/hyperbolic avoids log1p). Values and gradients against the float64 reference; no gather is used, so every
 * gradient exists on wasm.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import * as H from '../../src/hyperbolic/index.js';
import * as O from './ball-oracles.js';
import { ballRows, checkGradients, column, expectClose, rng, toMat, toTensor, uniform, vectorOfNorm } from './helpers.js';
import * as R from './reference64.js';
import type { Mat } from './reference64.js';

beforeAll(async () => {
  if (!(await tf.setBackend('wasm'))) throw new Error('wasm backend unavailable');
  expect(tf.getBackend()).toBe('wasm');
});

const D = 4;
const FRACTIONS = [0, 1e-6, 0.1, 0.5, 0.9, 0.999];
const rand = rng(5);
const cs = uniform(rand, FRACTIONS.length, 0.2, 2);
const C = column(cs);
const X = ballRows(rand, D, FRACTIONS, cs);
const Y = ballRows(rand, D, [0.3, 0.99, 0.05, 0.7, 0.95, 0.2], cs);

const rows2 = (f: (x: R.Vec, y: R.Vec, c: number) => R.Vec | number) => ([x, y, c]: Mat[]): Mat =>
  x!.map((_, i) => {
    const out = f(x![i]!, y![i]!, c![i]![0]!);
    return typeof out === 'number' ? [out] : out;
  });
const rows1 = (f: (x: R.Vec, c: number) => R.Vec | number) => ([x, c]: Mat[]): Mat =>
  x!.map((_, i) => {
    const out = f(x![i]!, c![i]![0]!);
    return typeof out === 'number' ? [out] : out;
  });

describe('on the wasm backend', () => {
  it('values match the float64 reference, including tiny arguments', () => {
    const run = (f: (...ts: tf.Tensor[]) => tf.Tensor, ...mats: Mat[]): Mat => tf.tidy(() => toMat(f(...mats.map(toTensor))));
    expectClose(run((u, c) => H.expmap0(u!, c!), X, C), X.map((u, i) => R.expmap0(u, cs[i]!)), 1e-5, 1e-12);
    expectClose(run((y, c) => O.logmap0(y!, c!), X, C), X.map((y, i) => R.logmap0(y, cs[i]!)), 1e-4, 1e-12);
    expectClose(run((x, y, c) => H.mobiusAdd(x!, y!, c!), X, Y, C), X.map((x, i) => R.mobiusAdd(x, Y[i]!, cs[i]!)), 1e-5, 1e-9);
    const d = run((x, y, c) => O.poincareDistance(x!, y!, c!), X, Y, C).flat();
    d.forEach((v, i) => expect(Math.abs(v / R.distance(X[i]!.map(Math.fround), Y[i]!.map(Math.fround), cs[i]!) - 1)).toBeLessThan(1e-4));
    // d(0, y) for ‖y‖ = 1e-7: a naive log(1 + x) artanh would return 0 here.
    const tiny = run((y, c) => O.poincareDistance(tf.zerosLike(y!), y!, c!), [[1e-7, 0, 0, 0]], [[1]])[0]![0]!;
    expect(tiny / 2e-7).toBeCloseTo(1, 5);
    expect(run((x, c) => O.poincareDistance(x!, x!, c!), X, C).flat().every((v) => v === 0)).toBe(true);
  });

  it('all-pairs squared distance equals the row-wise one', () => {
    const q = ballRows(rand, D, FRACTIONS, FRACTIONS.map(() => 0.7));
    const p = ballRows(rand, D, [0.3, 0.99, 0.05, 0.7], [0.7, 0.7, 0.7, 0.7]);
    const all = tf.tidy(() => toMat(O.sqPoincareDistanceAll(toTensor(q), toTensor(p), toTensor(column(q.map(() => 0.7))))));
    q.forEach((x, i) =>
      p.forEach((y, j) => {
        const ref = R.sqDistance(x.map(Math.fround), y.map(Math.fround), Math.fround(0.7));
        expect(Math.abs(all[i]![j]! - ref)).toBeLessThan(1e-4 * ref + 1e-5);
      }),
    );
  });

  it('gradients match float64 finite differences', () => {
    const U = [0, 1e-4, 0.1, 1, 2, 4].map((f, i) => vectorOfNorm(rand, D, f / Math.sqrt(cs[i]!)));
    checkGradients('wasm expmap0', (u, c) => H.expmap0(u!, c!), rows1(R.expmap0), [U, C], 1e-4);
    checkGradients('wasm logmap0', (y, c) => O.logmap0(y!, c!), rows1(R.logmap0), [X, C], 1e-4);
    checkGradients('wasm mobiusAdd', (x, y, c) => H.mobiusAdd(x!, y!, c!), rows2(R.mobiusAdd), [X, Y, C], 1e-4);
    checkGradients('wasm sqDist', (x, y, c) => O.sqPoincareDistance(x!, y!, c!), rows2(R.sqDistance), [X, Y, C], 2e-4);
    const r = Array.from({ length: 3 }, () => vectorOfNorm(rand, D, 1));
    const x = Array.from({ length: 3 }, () => vectorOfNorm(rand, D, 0.5));
    const ref = (f: (r: R.Vec, x: R.Vec) => R.Vec) => ([rr, xx]: Mat[]): Mat => rr!.map((ri, i) => f(ri, xx![i]!));
    checkGradients('wasm rot', (a, b) => H.givensRotation(a!, b!), ref(R.givensRotation), [r, x], 1e-4);
    checkGradients('wasm ref', (a, b) => H.givensReflection(a!, b!), ref(R.givensReflection), [r, x], 1e-4);
  });
});
