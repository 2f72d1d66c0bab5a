import { describe, expect, it } from 'vitest';
import { expmap0, mobiusAdd } from '../../src/kernels/reference.js';
import { MAX_PROJECTED, projectNeighbourhood } from '../../src/lookup/projection.js';
import { randomTable } from './helpers.js';

/** The Poincaré distance (c = 1) of two tangent rows' ball points, textbook form. */
function poincareDistance(u: ArrayLike<number>, v: ArrayLike<number>): number {
  const x = expmap0(u, 1), y = expmap0(v, 1);
  const m = mobiusAdd(Float64Array.from(x, (a) => -a), y, 1);
  return 2 * Math.atanh(Math.hypot(...m));
}

const rowOf = (t: { rows: Float32Array; dim: number }, i: number): Float32Array => t.rows.subarray(i * t.dim, (i + 1) * t.dim);

describe('projectNeighbourhood', () => {
  const table = randomTable(200, 16, 'projection', 1.5);
  const ids = Array.from({ length: 40 }, (_, i) => 3 * i + 1);

  it('hyperbolic: the query at the centre, every point inside the unit disk at its true hyperbolic distance from the query', () => {
    const picture = projectNeighbourhood(table, 'poincare', 7, ids);
    expect(picture.geometry).toBe('poincare-disk');
    expect(picture.points[0]).toEqual({ id: 7, x: 0, y: 0, distance: 0 });
    expect(picture.points.map((p) => p.id).slice(1)).toEqual(ids.filter((id) => id !== 7)); // the query is not repeated
    for (const p of picture.points.slice(1)) {
      const r = Math.hypot(p.x, p.y);
      expect(r).toBeLessThan(1);
      expect(p.distance).toBeCloseTo(poincareDistance(rowOf(table, 7), rowOf(table, p.id)), 9);
      expect(2 * Math.atanh(r)).toBeCloseTo(p.distance, 6); // the drawn point is at the true distance from the centre
    }
    expect(picture.explained).toBeGreaterThan(0);
    expect(picture.explained).toBeLessThanOrEqual(1);
    expect(picture.method).toContain('log map at the query entity');
  });

  it('hyperbolic: explained is the plane\'s share of the tangent vectors\' energy, hand-computed', () => {
    // the query at the origin (log₀ ∘ exp₀ = id): the tangent vectors are the rows, ±3e₁, ±2e₂, ±1e₃ in d = 4;
    // Σ u uᵀ = diag(18, 8, 2, 0), so (λ₁ + λ₂) / Σλ = 26 / 28
    const axes = { rows: new Float32Array(7 * 4), count: 7, dim: 4 };
    [[3, 0, 0, 0], [-3, 0, 0, 0], [0, 2, 0, 0], [0, -2, 0, 0], [0, 0, 1, 0], [0, 0, -1, 0]].forEach((u, i) => axes.rows.set(u, 4 * (i + 1)));
    const picture = projectNeighbourhood(axes, 'poincare', 0, [1, 2, 3, 4, 5, 6]);
    expect(picture.explained).toBeCloseTo(13 / 14, 9);
    // the e₁ and e₂ points lie in the plane: drawn on its axes at radius tanh(d/2) with d = 2‖u‖ from the origin
    for (const p of picture.points.slice(1, 5)) expect(p.distance).toBeCloseTo(2 * (p.id <= 2 ? 3 : 2), 6);
    expect(Math.abs(picture.points[1]!.x * picture.points[3]!.x + picture.points[1]!.y * picture.points[3]!.y)).toBeLessThan(1e-6); // e₁ ⊥ e₂ (to the power iteration's tolerance)
    // all four rows in one plane: explained is 1
    const flat = { rows: axes.rows.slice(0, 5 * 4), count: 5, dim: 4 };
    expect(projectNeighbourhood(flat, 'poincare', 0, [1, 2, 3, 4]).explained).toBeCloseTo(1, 9);
  });

  it('Euclidean: drawn at the true distance, and exact (up to a rotation or reflection) when the offsets span a plane', () => {
    const planar = { rows: new Float32Array(6 * 3), count: 6, dim: 3 };
    const points = [[0, 0, 0], [1, 0, 0], [0, 2, 0], [3, 4, 0], [-1, -1, 0], [2, -3, 0]];
    points.forEach((p, i) => planar.rows.set(p, 3 * i));
    const picture = projectNeighbourhood(planar, 'euclidean', 0, [1, 2, 3, 4, 5]);
    expect(picture.geometry).toBe('plane');
    expect(picture.explained).toBeCloseTo(1, 9);
    for (const p of picture.points) expect(Math.hypot(p.x, p.y)).toBeCloseTo(Math.hypot(...points[p.id]!), 9);
    // every pairwise distance is kept: the plane holds all the offsets
    for (const a of picture.points) {
      for (const b of picture.points) {
        const pa = points[a.id]!, pb = points[b.id]!;
        expect(Math.hypot(a.x - b.x, a.y - b.y)).toBeCloseTo(Math.hypot(pa[0]! - pb[0]!, pa[1]! - pb[1]!, pa[2]! - pb[2]!), 6);
      }
    }
  });

  it('L1 metrics: the radius is the L1 distance of the reals, or the sum of the complex moduli of [Re | Im] rows', () => {
    const rows = { rows: Float32Array.of(0, 0, 0, 0, 3, 0, 4, 0, 1, 1, 1, 1), count: 3, dim: 4 };
    const radius = (metric: 'l1' | 'complex-l1' | 'euclidean') => projectNeighbourhood(rows, metric, 0, [1, 2]).points.slice(1).map((p) => p.distance);
    expect(radius('l1')).toEqual([7, 4]);
    expect(radius('complex-l1')).toEqual([5, 2 * Math.SQRT2]); // |3 + 4i| + |0|; |1 + i| + |1 + i|
    expect(radius('euclidean')).toEqual([5, 2]);
    // the picture says what its radius is (the explorer's caption and hover showed "Euclidean" for both L1 metrics)
    const named = (metric: 'l1' | 'complex-l1' | 'euclidean' | 'dot') => projectNeighbourhood(rows, metric, 0, [1, 2]);
    expect(named('l1').distanceName).toBe('L1 distance');
    expect(named('l1').method).toContain('drawn at the true L1 distance from the query');
    expect(named('complex-l1').distanceName).toBe('sum of complex moduli');
    expect(named('euclidean').distanceName).toBe('Euclidean distance');
    expect(named('dot').distanceName).toBe('Euclidean distance');
  });

  it('is deterministic, drops the query and duplicates, and refuses ids outside the table or too many points', () => {
    const once = projectNeighbourhood(table, 'dot', 5, [5, 9, 9, 11]);
    expect(once.points.map((p) => p.id)).toEqual([5, 9, 11]);
    expect(projectNeighbourhood(table, 'dot', 5, [5, 9, 9, 11])).toEqual(once);
    expect(() => projectNeighbourhood(table, 'dot', 5, [200])).toThrow('entity id 200 is outside [0, 200)');
    expect(() => projectNeighbourhood(table, 'dot', -1, [])).toThrow('outside');
    const many = randomTable(MAX_PROJECTED + 2, 4, 'many');
    expect(() => projectNeighbourhood(many, 'euclidean', 0, Array.from({ length: MAX_PROJECTED + 1 }, (_, i) => i + 1))).toThrow(`at most ${MAX_PROJECTED}`);
  });
});
