/**
 * Gradients of every src/hyperbolic function and of the tfjs oracles of ball-oracles.ts (w.r.t. every input,
 * curvature included) against central finite differences of the float64 reference (reference64.ts), over rows
 * from the origin to √c‖x‖ = 0.999.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, it } from 'vitest';
import * as H from '../../src/hyperbolic/index.js';
import * as O from './ball-oracles.js';
import { ballRows, checkGradients, column, rng, uniform, vectorOfNorm } from './helpers.js';
import * as R from './reference64.js';
import type { Mat } from './reference64.js';

beforeAll(async () => {
  if (!(await tf.setBackend('cpu'))) throw new Error('cpu backend unavailable');
});

const D = 4;
const FRACTIONS = [0, 1e-4, 0.1, 0.5, 0.9, 0.99, 0.999];
const rand = rng(20240601);
const cs = uniform(rand, FRACTIONS.length, 0.2, 2);
const C = column(cs);
const X = ballRows(rand, D, FRACTIONS, cs);
const Y = ballRows(rand, D, [0.3, 0.999, 0.05, 0.7, 0.95, 0.2, 0.99], cs);

/** Row-wise reference of a ball function, c from the [B][1] column at the end of the inputs. */
function rows2(f: (x: R.Vec, y: R.Vec, c: number) => R.Vec | number): (ins: Mat[]) => Mat {
  return ([x, y, c]) =>
    x!.map((_, i) => {
      const out = f(x![i]!, y![i]!, c![i]![0]!);
      return typeof out === 'number' ? [out] : out;
    });
}
function rows1(f: (x: R.Vec, c: number) => R.Vec | number): (ins: Mat[]) => Mat {
  return ([x, c]) =>
    x!.map((_, i) => {
      const out = f(x![i]!, c![i]![0]!);
      return typeof out === 'number' ? [out] : out;
    });
}

describe('gradients vs float64 finite differences', () => {
  it('expmap0 (tangent norms √c‖u‖ from 0 to 4)', () => {
    const U = [0, 1e-4, 0.1, 0.5, 1, 2, 4].map((f, i) => vectorOfNorm(rand, D, f / Math.sqrt(cs[i]!)));
    checkGradients('expmap0', (u, c) => H.expmap0(u!, c!), rows1(R.expmap0), [U, C], 1e-4);
  });

  it('logmap0 (√c‖y‖ from 0 to 0.999)', () => {
    checkGradients('logmap0', (y, c) => O.logmap0(y!, c!), rows1(R.logmap0), [X, C], 1e-4);
  });

  it('project (inside and outside the ball, away from the kink)', () => {
    const P = ballRows(rand, D, [0, 0.1, 0.5, 0.9, 1.2, 2, 5], cs);
    checkGradients('project', (x, c) => H.project(x!, c!), rows1((x, c) => R.project(x, c)), [P, C], 1e-4);
  });

  it('mobiusAdd', () => {
    checkGradients('mobiusAdd', (x, y, c) => H.mobiusAdd(x!, y!, c!), rows2(R.mobiusAdd), [X, Y, C], 1e-4);
  });

  it('poincareDistance and sqPoincareDistance', () => {
    checkGradients('dist', (x, y, c) => O.poincareDistance(x!, y!, c!), rows2(R.distance), [X, Y, C], 2e-4);
    checkGradients('sqDist', (x, y, c) => O.sqPoincareDistance(x!, y!, c!), rows2(R.sqDistance), [X, Y, C], 2e-4);
  });

  it('sqPoincareDistance for nearby pairs (series branch, w < 0.05)', () => {
    const Yn = X.map((x, i) => x.map((v, j) => v + (1e-3 * (1 - FRACTIONS[i]!) + 1e-6) * Math.cos(i + 3 * j) / Math.sqrt(cs[i]!)));
    checkGradients('sqDist near', (x, y, c) => O.sqPoincareDistance(x!, y!, c!), rows2(R.sqDistance), [X, Yn, C], 2e-4);
  });

  it('sqPoincareDistance as c → 0 (gradient w.r.t. c stays accurate)', () => {
    const c0 = column([1e-6, 1e-5, 1e-4, 1e-3]);
    const x0 = [0, 1, 2, 3].map(() => vectorOfNorm(rand, D, 0.6));
    const y0 = [0, 1, 2, 3].map(() => vectorOfNorm(rand, D, 0.8));
    checkGradients('sqDist small c', (x, y, c) => O.sqPoincareDistance(x!, y!, c!), rows2(R.sqDistance), [x0, y0, c0], 1e-4);
    checkGradients('expmap0 small c', (u, c) => H.expmap0(u!, c!), rows1(R.expmap0), [x0, c0], 1e-4);
    checkGradients('logmap0 small c', (u, c) => O.logmap0(u!, c!), rows1(R.logmap0), [x0, c0], 1e-4);
  });

  it('sqPoincareDistanceAll (B = 4 queries × N = 7 points)', () => {
    const ref = ([qq, pp, cc]: Mat[]): Mat => qq!.map((qi, i) => pp!.map((pj) => R.sqDistance(qi, pj, cc![i]![0]!)));
    // One curvature for every row here, so that all points lie in every row's ball.
    const cOne = column([0.8, 0.8, 0.8, 0.8]);
    const Pts = ballRows(rand, D, FRACTIONS, FRACTIONS.map(() => 0.8));
    const q8 = ballRows(rand, D, [0.2, 0.6, 0.9, 0.99], [0.8, 0.8, 0.8, 0.8]);
    checkGradients('all', (a, b, c) => O.sqPoincareDistanceAll(a!, b!, c!), ref, [q8, Pts, cOne], 2e-4);
  });

  it('givensRotation and givensReflection (w.r.t. r and x)', () => {
    const r = Array.from({ length: 5 }, () => vectorOfNorm(rand, 6, 1 + rand()));
    const x = Array.from({ length: 5 }, () => vectorOfNorm(rand, 6, rand()));
    const ref = (f: (r: R.Vec, x: R.Vec) => R.Vec) => ([rr, xx]: Mat[]): Mat => rr!.map((ri, i) => f(ri, xx![i]!));
    checkGradients('rot', (a, b) => H.givensRotation(a!, b!), ref(R.givensRotation), [r, x], 1e-4);
    checkGradients('ref', (a, b) => H.givensReflection(a!, b!), ref(R.givensReflection), [r, x], 1e-4);
  });

  it('guards: artanh, tanh, acosh, safeNorm', () => {
    const col = (f: (v: number) => number) => ([m]: Mat[]): Mat => m!.map((row) => row.map(f));
    checkGradients('artanh', (a) => O.artanh(a!), col(R.artanh), [column([-0.9, -0.3, 0, 1e-4, 0.5, 0.99, 0.99999])], 1e-4);
    checkGradients('tanh', (a) => O.tanh(a!), col(R.tanh), [column([-5, -0.3, 0, 1e-4, 0.5, 3])], 1e-4);
    checkGradients('acosh', (a) => O.acosh(a!), col(R.acosh), [column([1.001, 1.1, 1.5, 3, 100])], 1e-4);
    checkGradients('safeNorm', (a) => H.safeNorm(a!), ([m]) => m!.map((row) => [R.norm(row)]), [X.slice(1)], 1e-4);
  });
});
