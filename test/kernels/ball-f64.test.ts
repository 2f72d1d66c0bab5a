import { describe, expect, it } from 'vitest';
import { distanceFromOrigin, EUC_EPS, expmap0, logMapAt, negL1, negModulusL1, poincareDistance, Z_MAX } from '../../src/kernels/ball-f64.js';
import { SimilarityKind } from '../../src/kernels/kernels.js';
import { negL1Ref, negModulusL1Ref, similarityRef } from '../../src/kernels/reference.js';

describe('float64 distances (ball-f64.ts), the one home of the reference and of the projection', () => {
  it('negL1 and negModulusL1 by hand; the complex moduli floored at √EUC_EPS unless the floor is 0', () => {
    expect(negL1([1, 2, 3, 4], [0.5, -1, 2, 0])).toBe(-8.5);
    expect(negModulusL1([1, 2, 3, 4], [-2, 1, -1, 4])).toBe(-6); // |3 + 4i| + |1 + 0i|
    expect(negModulusL1([3, 0, 4, 0], [0, 0, 0, 0], 0)).toBe(-5); // |3 + 4i| + |0|
    expect(negModulusL1([3, 0, 4, 0], [0, 0, 0, 0])).toBe(-(5 + Math.sqrt(EUC_EPS))); // |0| floored at 1e-6
    expect(negL1Ref).toBe(negL1); // the oracle names of reference.ts
    expect(negModulusL1Ref).toBe(negModulusL1);
  });

  it('poincareDistance: 2·artanh‖x‖ from the origin at c = 1, (2/√c)·artanh(√c‖x‖) at c, symmetric, clamped', () => {
    expect(poincareDistance([0, 0], [0.5, 0], 1)).toBeCloseTo(Math.log(3), 14); // 2·artanh(1/2) = ln 3
    expect(poincareDistance([0, 0], [0, 0.25], 4)).toBeCloseTo(Math.log(3) / 2, 14); // (2/2)·artanh(2·1/4)
    expect(distanceFromOrigin([0.3, 0.4], 1)).toBeCloseTo(2 * Math.atanh(0.5), 14);
    expect(distanceFromOrigin([1, 0], 1)).toBe(2 * Math.atanh(Z_MAX)); // the boundary, clamped
    const q = [0.2, -0.1, 0.3], x = [-0.4, 0.5, 0.1];
    expect(poincareDistance(q, x, 0.7)).toBeCloseTo(poincareDistance(x, q, 0.7), 12);
    // the same number as the log map's distance (c = 1) and the reference's −d_c² of (q, exp₀(v))
    expect(logMapAt(q, x).distance).toBe(poincareDistance(q, x, 1));
    const v = [0.5, 1, -0.7];
    expect(-similarityRef(SimilarityKind.NegSqPoincare, q, v, 0.7)).toBe(poincareDistance(q, expmap0(v, 0.7), 0.7) ** 2);
  });
});
