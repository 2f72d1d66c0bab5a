import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import {
  ballFromTangent, chordSlope, deltaFromBall, geodesicRadius, lorentzFromBall, lorentzFromTangent, minkowskiProduct,
  sqDistanceFromDelta, sqPoincareDistance64, squaredNorm,
} from '../../src/lookup/lorentz.js';
import { buildSpaceData, queryVector, type EntityTable } from '../../src/lookup/vector-space.js';
import { sqPoincareDistance } from '../../src/hyperbolic/distance.js';

const rng = seedrandom.alea('lorentz');
const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());

/** A random tangent vector of dimension d with norm about `scale`. */
function tangent(d: number, scale: number): Float64Array {
  const v = Float64Array.from({ length: d }, gaussian);
  const n = Math.sqrt(squaredNorm(v));
  return v.map((x) => (x / n) * scale * (0.2 + rng()));
}

/** Reference distance from the Möbius-addition formula d = (2/√c)·artanh(√c‖(−x) ⊕ y‖) (Ganea et al. 2018). */
function mobiusDistance(x: Float64Array, y: Float64Array, c: number): number {
  const xy = x.reduce((s, xi, i) => s - xi * y[i]!, 0); // (−x)·y
  const x2 = squaredNorm(x), y2 = squaredNorm(y);
  const a = 1 + 2 * c * xy + c * y2;
  const b = 1 - c * x2;
  const den = 1 + 2 * c * xy + c * c * x2 * y2;
  const sum = x.map((xi, i) => (a * -xi + b * y[i]!) / den);
  return (2 / Math.sqrt(c)) * Math.atanh(Math.sqrt(c) * Math.sqrt(squaredNorm(sum)));
}

describe('Poincaré ball → Lorentz hyperboloid', () => {
  for (const c of [1, 0.05, 1e-4]) {
    it(`maps points onto the hyperboloid ⟨X, X⟩_L = −1/c and −c⟨X, Y⟩_L = cosh(√c·d) (c = ${c})`, () => {
      for (let trial = 0; trial < 50; trial++) {
        const x = ballFromTangent(tangent(6, 1.5), c).x;
        const y = ballFromTangent(tangent(6, 1.5), c).x;
        const sx = new Float64Array(6), sy = new Float64Array(6);
        const tx = lorentzFromBall(x, c, sx);
        const ty = lorentzFromBall(y, c, sy);
        expect(minkowskiProduct(sx, tx, sx, tx, c) * c).toBeCloseTo(-1, 9);
        const d = mobiusDistance(x, y, c);
        expect(-c * minkowskiProduct(sx, tx, sy, ty, c)).toBeCloseTo(Math.cosh(Math.sqrt(c) * d), 7);
        // Δ from the coordinates, from the ball points, and the distance back from Δ.
        const delta = tx + ty + c * tx * ty - sx.reduce((s, v, i) => s + v * sy[i]!, 0);
        const deltaBall = deltaFromBall(x, 1 - c * squaredNorm(x), y, 1 - c * squaredNorm(y));
        expect(delta).toBeCloseTo(deltaBall, 7);
        expect(Math.sqrt(sqDistanceFromDelta(deltaBall, c))).toBeCloseTo(d, 8);
        expect(Math.sqrt(sqPoincareDistance64(x, y, c))).toBeCloseTo(d, 8);
      }
    });
  }

  it('the tangent-vector coordinates equal those of the ball point exp₀ᶜ(v), and radii are 2‖v‖ for every c', () => {
    for (const c of [2, 1, 0.01]) {
      for (let trial = 0; trial < 20; trial++) {
        const v = tangent(5, 2);
        const { x } = ballFromTangent(v, c);
        const a = new Float64Array(5), b = new Float64Array(5);
        const ta = lorentzFromTangent(v, c, a);
        const tb = lorentzFromBall(x, c, b);
        expect(ta).toBeCloseTo(tb, 6);
        a.forEach((value, i) => expect(value).toBeCloseTo(b[i]!, 6));
        expect(geodesicRadius(x, c)).toBeCloseTo(2 * Math.sqrt(squaredNorm(v)), 6);
      }
    }
  });

  it('negating the query time coordinate turns the Minkowski product into an inner product: ⟨P(x), D(y)⟩ = T_x − Δ', () => {
    const c = 0.7;
    const table: EntityTable = { rows: new Float32Array(30 * 4).map(() => gaussian()), count: 30, dim: 4 };
    const space = buildSpaceData({ kind: 'lorentz', curvature: c, bias: false }, table);
    expect(space.dim).toBe(6); // S (4), T, and the L2-reduction coordinate
    const x = ballFromTangent(tangent(4, 1), c).x;
    const s = new Float64Array(5);
    const tx = lorentzFromBall(x, c, s);
    s[4] = -(1 + c * tx);
    const p = queryVector(space.dim, s);
    expect(p[5]).toBe(0);
    const l2: number[] = [];
    const deltas: number[] = [];
    for (let j = 0; j < 30; j++) {
      const row = space.data.subarray(j * 6, (j + 1) * 6);
      const inner = p.slice(0, 5).reduce((sum, pk, k) => sum + pk * row[k]!, 0);
      const y = ballFromTangent(table.rows.subarray(j * 4, (j + 1) * 4), c);
      const delta = deltaFromBall(x, 1 - c * squaredNorm(x), y.x, y.conformal);
      expect(inner).toBeCloseTo(tx - delta, 4);
      // L2 reduction: ‖P − D‖² = ‖P₀‖² + M − 2⟨P₀, D₀⟩ (every row has ‖D‖² = M).
      expect(squaredNorm(row)).toBeCloseTo(space.maxNormSq, 2);
      l2.push(row.reduce((sum, r, k) => sum + (p[k]! - r) ** 2, 0));
      deltas.push(delta);
    }
    const byL2 = [...l2.keys()].sort((a, b) => l2[a]! - l2[b]!);
    const byDistance = [...deltas.keys()].sort((a, b) => deltas[a]! - deltas[b]!);
    expect(byL2).toEqual(byDistance);
  });

  it('is regular as c → 0: Δ → 2‖u − v‖², d → 2‖u − v‖', () => {
    const u = tangent(4, 1), v = tangent(4, 1);
    const a = new Float64Array(4), b = new Float64Array(4);
    const c = 1e-12;
    const ta = lorentzFromTangent(u, c, a), tb = lorentzFromTangent(v, c, b);
    const delta = ta + tb + c * ta * tb - a.reduce((s, x, i) => s + x * b[i]!, 0);
    const euclid = u.reduce((s, x, i) => s + (x - v[i]!) ** 2, 0);
    expect(delta).toBeCloseTo(2 * euclid, 6);
    expect(sqDistanceFromDelta(delta, c)).toBeCloseTo(4 * euclid, 6);
  });

  it('agrees with the tfjs Poincaré distance of src/hyperbolic (float32)', () => {
    const c = 0.3;
    const xs = Array.from({ length: 8 }, () => ballFromTangent(tangent(6, 1.2), c).x);
    const ys = Array.from({ length: 8 }, () => ballFromTangent(tangent(6, 1.2), c).x);
    const ref = tf.tidy(() => sqPoincareDistance(tf.tensor2d(xs.map((x) => [...x])), tf.tensor2d(ys.map((y) => [...y])), tf.fill([8, 1], c)).dataSync());
    xs.forEach((x, i) => expect(sqPoincareDistance64(x, ys[i]!, c)).toBeCloseTo(ref[i]!, 3));
  });

  it('the chord bound holds: d² ≥ λΔ for every pair within the stated distance', () => {
    for (const c of [1, 0.04, 1e-3]) {
      for (let trial = 0; trial < 200; trial++) {
        const x = ballFromTangent(tangent(3, 2), c).x;
        const y = ballFromTangent(tangent(3, 2), c).x;
        const lambda = chordSlope(c, geodesicRadius(x, c) + geodesicRadius(y, c));
        const delta = deltaFromBall(x, 1 - c * squaredNorm(x), y, 1 - c * squaredNorm(y));
        expect(sqDistanceFromDelta(delta, c)).toBeGreaterThanOrEqual(lambda * delta * (1 - 1e-12));
        expect(lambda).toBeLessThanOrEqual(2);
      }
    }
  });
});
