// The one-candidate Poincaré kernels (four queries per f32x4) against similarityForward/Backward with M = 1 and
// against the float64 reference, including repeated candidates and group sizes that leave padding lanes.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadKernels, SimilarityKind, type Kernels } from '../../src/kernels/kernels.js';
import { similarityBackwardRef, similarityForwardRef } from '../../src/kernels/reference.js';
import { expectClose, f32, i32, rng, uniform, withNorms } from './helpers.js';

let k: Kernels;
beforeAll(async () => { k = await loadKernels(); });
beforeEach(() => k.memory.reset());

describe('poincarePairs', () => {
  for (const n of [1, 3, 4, 9]) {
    for (const d of [8, 32]) {
      it(`n = ${n}, d = ${d}: equals similarityForward/Backward with M = 1 and the float64 reference`, () => {
        const r = rng(31 * n + d);
        const N = 5;
        const c = uniform(r, n, 0.3, 2);
        const q = withNorms(uniform(r, n * d, -1, 1), d, c.map((ci) => (0.9 * r()) / Math.sqrt(ci)));
        const table = withNorms(uniform(r, N * d, -1, 1), d, [0.2, 1, 2.5, 0, 0.7]);
        const cand = Array.from({ length: n }, (_, i) => (i * 2) % N); // repeats once n > 3
        const dscore = uniform(r, n, -1, 1);
        const [qb, cb, tb, cc, ds] = [f32(k, q), i32(k, cand), f32(k, table), f32(k, c), f32(k, dscore)];
        const pairs = k.memory.allocF32(n), rows = k.memory.allocF32(n);
        k.fused.poincarePairsForward(n, d, qb, cb, tb, cc, pairs);
        k.similarityForward(SimilarityKind.NegSqPoincare, n, 1, d, qb, cb, tb, cc, rows);
        expect(Array.from(pairs.array)).toEqual(Array.from(rows.array));
        const ref = similarityForwardRef(SimilarityKind.NegSqPoincare, n, 1, d, q, cand, table, c);
        expectClose(pairs.array, ref, 1e-5, 1e-5 * Math.max(1, ...Array.from(ref, Math.abs)), 'scores');

        const g0 = uniform(r, N * d, -1, 1);
        const run = (pairsKernel: boolean) => {
          const dq = f32(k, Array(n * d).fill(9)), dc = f32(k, Array(n).fill(9)), gt = f32(k, g0);
          if (pairsKernel) k.fused.poincarePairsBackward(n, d, qb, cb, tb, cc, ds, dq, gt, dc);
          else k.similarityBackward(SimilarityKind.NegSqPoincare, n, 1, d, qb, cb, tb, cc, ds, dq, gt, dc);
          return { dq: Array.from(dq.array), dc: Array.from(dc.array), g: Array.from(gt.array, (v, i) => v - g0[i]!) };
        };
        const got = run(true), want = run(false);
        expectClose(got.dq, want.dq, 1e-6, 1e-7, 'dq');
        expectClose(got.dc, want.dc, 1e-6, 1e-7, 'dc');
        expectClose(got.g, want.g, 1e-6, 1e-6, 'gtable');
        const back = similarityBackwardRef(SimilarityKind.NegSqPoincare, n, 1, d, q, cand, table, c, dscore);
        const tol = (x: ArrayLike<number>) => 2e-4 * Math.max(1, ...Array.from(x, Math.abs));
        expectClose(got.dq, back.dq, 1e-3, tol(back.dq), 'dq ref');
        expectClose(got.g, back.gtable, 1e-3, tol(back.gtable), 'gtable ref');
        expectClose(got.dc, back.dc, 1e-3, tol(back.dc), 'dc ref');
      });
    }
  }

  it('rejects a non-positive curvature', () => {
    const q = f32(k, Array(8).fill(0.1)), cand = i32(k, [0]), table = f32(k, Array(8).fill(0.2));
    expect(() => k.fused.poincarePairsForward(1, 8, q, cand, table, f32(k, [0]), k.memory.allocF32(1))).toThrow(/curvature/);
  });
});
