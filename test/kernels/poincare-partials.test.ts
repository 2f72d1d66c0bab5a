// Poincaré scores with stored partials and the backward from them, against similarityForward/Backward and the
// float64 reference: M = 1 (four queries per f32x4) and M > 1 (four candidates per f32x4), repeated candidates,
// group sizes that leave padding lanes.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadKernels, SimilarityKind, type Kernels } from '../../src/kernels/kernels.js';
import { similarityBackwardRef, similarityForwardRef } from '../../src/kernels/reference.js';
import { expectClose, f32, i32, rng, uniform, withNorms } from './helpers.js';

let k: Kernels;
beforeAll(async () => { k = await loadKernels(); });
beforeEach(() => k.memory.reset());

const P = SimilarityKind.NegSqPoincare;

describe('poincareScores / poincareScoresBackward', () => {
  for (const [B, M] of [[1, 1], [3, 1], [4, 1], [9, 1], [3, 5], [2, 9]]) {
    for (const d of [8, 32]) {
      it(`B = ${B}, M = ${M}, d = ${d}: equal to similarityForward/Backward and the float64 reference`, () => {
        const r = rng(31 * B + 7 * M + d);
        const N = 5;
        const c = uniform(r, B, 0.3, 2);
        const q = withNorms(uniform(r, B * d, -1, 1), d, c.map((ci) => (0.9 * r()) / Math.sqrt(ci)));
        const table = withNorms(uniform(r, N * d, -1, 1), d, [0.2, 1, 2.5, 0, 0.7]);
        const cand = Array.from({ length: B * M }, (_, i) => (i * 2) % N); // repeats within and across queries
        const dscore = uniform(r, B * M, -1, 1);
        const [qb, cb, tb, cc, ds] = [f32(k, q), i32(k, cand), f32(k, table), f32(k, c), f32(k, dscore)];
        const scores = k.memory.allocF32(B * M), rows = k.memory.allocF32(B * M), partials = k.memory.allocF32(4 * B * M);
        k.fused.poincareScores(B, M, d, qb, cb, tb, cc, scores, partials);
        k.similarityForward(P, B, M, d, qb, cb, tb, cc, rows);
        expect(Array.from(scores.array)).toEqual(Array.from(rows.array));
        const ref = similarityForwardRef(P, B, M, d, q, cand, table, c);
        expectClose(scores.array, ref, 1e-5, 1e-5 * Math.max(1, ...Array.from(ref, Math.abs)), 'scores');

        const g0 = uniform(r, N * d, -1, 1);
        const run = (fromPartials: boolean) => {
          const dq = f32(k, Array(B * d).fill(9)), dc = f32(k, Array(B).fill(9)), gt = f32(k, g0);
          if (fromPartials) k.fused.poincareScoresBackward(B, M, d, qb, cb, tb, ds, partials, dq, gt, dc);
          else k.similarityBackward(P, B, M, d, qb, cb, tb, cc, ds, dq, gt, dc);
          return { dq: Array.from(dq.array), dc: Array.from(dc.array), g: Array.from(gt.array, (v, i) => v - g0[i]!) };
        };
        const got = run(true), want = run(false);
        const tight = (x: number[]) => 1e-6 * Math.max(1, ...x.map(Math.abs));
        expectClose(got.dq, want.dq, 1e-5, tight(want.dq), 'dq');
        expectClose(got.dc, want.dc, 1e-5, tight(want.dc), 'dc');
        expectClose(got.g, want.g, 1e-5, tight(want.g), 'gtable');
        const back = similarityBackwardRef(P, B, M, d, q, cand, table, c, dscore);
        const tol = (x: ArrayLike<number>) => 2e-4 * Math.max(1, ...Array.from(x, Math.abs));
        expectClose(got.dq, back.dq, 1e-3, tol(back.dq), 'dq ref');
        expectClose(got.g, back.gtable, 1e-3, tol(back.gtable), 'gtable ref');
        expectClose(got.dc, back.dc, 1e-3, tol(back.dc), 'dc ref');
      });
    }
  }

  it('rejects a non-positive curvature and overlapping outputs', () => {
    const q = f32(k, Array(8).fill(0.1)), cand = i32(k, [0]), table = f32(k, Array(8).fill(0.2));
    const out = k.memory.allocF32(1), partials = k.memory.allocF32(4);
    expect(() => k.fused.poincareScores(1, 1, 8, q, cand, table, f32(k, [0]), out, partials)).toThrow(/curvature/);
    expect(() => k.fused.poincareScores(1, 1, 8, q, cand, table, f32(k, [1]), partials, partials)).toThrow(/overlaps/);
  });
});
