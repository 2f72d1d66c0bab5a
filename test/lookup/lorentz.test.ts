import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { lorentzFromTangent, squaredNorm } from '../../src/lookup/lorentz.js';
import { buildSpaceData, queryVector, type EntityTable } from '../../src/lookup/vector-space.js';
import { expmap0 } from '../../src/kernels/reference.js';

const rng = seedrandom.alea('lorentz');
const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());

/** A random tangent vector of dimension d with norm about `scale`. */
function tangent(d: number, scale: number): Float64Array {
  const v = Float64Array.from({ length: d }, gaussian);
  const n = Math.sqrt(squaredNorm(v));
  return v.map((x) => (x / n) * scale * (0.2 + rng()));
}

/** Reference distance from the Möbius-addition formula d = (2/√c)·artanh(√c‖(−x) ⊕ y‖) (Ganea et al. 2018). */
function mobiusDistance(x: ArrayLike<number>, y: ArrayLike<number>, c: number): number {
  let xy = 0;
  for (let i = 0; i < x.length; i++) xy -= x[i]! * y[i]!; // (−x)·y
  const x2 = squaredNorm(x), y2 = squaredNorm(y);
  const a = 1 + 2 * c * xy + c * y2;
  const b = 1 - c * x2;
  const den = 1 + 2 * c * xy + c * c * x2 * y2;
  const sum = Array.from(x, (xi, i) => (a * -xi + b * y[i]!) / den);
  return (2 / Math.sqrt(c)) * Math.atanh(Math.sqrt(c) * Math.sqrt(squaredNorm(sum)));
}

/** Δ = (cosh(√c·d) − 1)/c from the (S, T) coordinates of two points. */
const deltaOf = (su: Float64Array, tu: number, sv: Float64Array, tv: number, c: number): number => tu + tv + c * tu * tv - su.reduce((s, x, i) => s + x * sv[i]!, 0);

describe('Poincaré ball → Lorentz hyperboloid (the mapping of the neighbour index)', () => {
  for (const c of [1, 0.05, 1e-4]) {
    it(`tangent vectors land on the hyperboloid and −c⟨X, Y⟩_L = cosh(√c·d) (c = ${c})`, () => {
      for (let trial = 0; trial < 50; trial++) {
        const u = tangent(6, 1.5), v = tangent(6, 1.5);
        const su = new Float64Array(6), sv = new Float64Array(6);
        const tu = lorentzFromTangent(u, c, su), tv = lorentzFromTangent(v, c, sv);
        expect((1 + c * tu) ** 2 - c * squaredNorm(su)).toBeCloseTo(1, 6); // c·(X₀² − ‖X⃗‖²) = 1
        const d = mobiusDistance(expmap0(u, c), expmap0(v, c), c);
        expect(1 + c * deltaOf(su, tu, sv, tv, c)).toBeCloseTo(Math.cosh(Math.sqrt(c) * d), 6);
        // the point lies at geodesic distance 2‖u‖ from 0 whatever c is
        expect(mobiusDistance(new Float64Array(6), expmap0(u, c), c)).toBeCloseTo(2 * Math.sqrt(squaredNorm(u)), 6);
      }
    });
  }

  it('negating the query time coordinate turns the Minkowski product into an inner product: ⟨P(x), D(y)⟩ = T_x − Δ', () => {
    const c = 0.7;
    const table: EntityTable = { rows: new Float32Array(30 * 4).map(() => gaussian()), count: 30, dim: 4 };
    const space = buildSpaceData({ kind: 'lorentz', curvature: c }, table);
    expect(space.dim).toBe(6); // S (4), T, and the L2-reduction coordinate
    const x = tangent(4, 1);
    const s = new Float64Array(5);
    const tx = lorentzFromTangent(x, c, s);
    const sx = s.slice(0, 4);
    s[4] = -(1 + c * tx);
    const p = queryVector(space.dim, s);
    expect(p[5]).toBe(0);
    const l2: number[] = [];
    const distances: number[] = [];
    for (let j = 0; j < 30; j++) {
      const row = space.data.subarray(j * 6, (j + 1) * 6);
      const inner = p.slice(0, 5).reduce((sum, pk, k) => sum + pk * row[k]!, 0);
      const sy = new Float64Array(4);
      const ty = lorentzFromTangent(table.rows.subarray(j * 4, (j + 1) * 4), c, sy);
      expect(inner).toBeCloseTo(tx - deltaOf(sx, tx, sy, ty, c), 3);
      // L2 reduction: ‖P − D‖² = ‖P₀‖² + M − 2⟨P₀, D₀⟩ (every row has ‖D‖² = M).
      expect(squaredNorm(row)).toBeCloseTo(space.maxNormSq, 2);
      l2.push(row.reduce((sum, r, k) => sum + (p[k]! - r) ** 2, 0));
      distances.push(mobiusDistance(expmap0(x, c), expmap0(table.rows.subarray(j * 4, (j + 1) * 4), c), c));
    }
    const byL2 = [...l2.keys()].sort((a, b) => l2[a]! - l2[b]!);
    const byDistance = [...distances.keys()].sort((a, b) => distances[a]! - distances[b]!);
    expect(byL2).toEqual(byDistance);
  });

  it('is regular as c → 0: Δ → 2‖u − v‖²', () => {
    const u = tangent(4, 1), v = tangent(4, 1);
    const a = new Float64Array(4), b = new Float64Array(4);
    const c = 1e-12;
    const delta = deltaOf(a, lorentzFromTangent(u, c, a), b, lorentzFromTangent(v, c, b), c);
    expect(delta).toBeCloseTo(2 * u.reduce((s, x, i) => s + (x - v[i]!) ** 2, 0), 6);
  });
});
