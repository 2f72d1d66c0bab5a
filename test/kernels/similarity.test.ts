// Forward scores of every similarity kind: hand-computed values, the float64 reference, and its closed form.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadKernels, SimilarityKind, type Kernels } from '../../src/kernels/kernels.js';
import { similarityForwardRef, similarityPartialsRef, similarityRef } from '../../src/kernels/reference.js';
import { expectClose, f32, i32, rng, uniform, withNorms } from './helpers.js';

const KINDS = [SimilarityKind.Dot, SimilarityKind.NegSqEuclidean, SimilarityKind.NegEuclidean,
  SimilarityKind.NegSqPoincare] as const;

let k: Kernels;
beforeAll(async () => { k = await loadKernels(); });
beforeEach(() => k.memory.reset());

/** Scores one query q against candidate rows vs (a tiny table) with the kernel. */
function kernelScores(kind: SimilarityKind, q: number[], vs: number[][], c = 1): number[] {
  const d = q.length;
  const table = f32(k, vs.flat());
  const out = k.memory.allocF32(vs.length);
  k.similarityForward(kind, 1, vs.length, d, f32(k, q), i32(k, vs.map((_, i) => i)), table, f32(k, [c]), out);
  return Array.from(out.array);
}

describe('similarityForward: hand-computed values', () => {
  const q = [1, 2, 3, 4], v = [0.5, -1, 2, 0];
  it('dot, −‖q−v‖², −‖q−v‖', () => {
    expect(kernelScores(SimilarityKind.Dot, q, [v])[0]).toBeCloseTo(4.5, 6); // 0.5 − 2 + 6
    expect(kernelScores(SimilarityKind.NegSqEuclidean, q, [v])[0]).toBeCloseTo(-26.25, 5); // .25 + 9 + 1 + 16
    expect(kernelScores(SimilarityKind.NegEuclidean, q, [v])[0]).toBeCloseTo(-Math.sqrt(26.25), 5);
  });

  it('Poincaré from the origin: d_c(0, expmap0(v)) = 2‖v‖ for every c', () => {
    for (const c of [0.3, 1, 4]) {
      expect(kernelScores(SimilarityKind.NegSqPoincare, [0, 0, 0, 0], [[0.3, 0.4, 0, 0]], c)[0]).toBeCloseTo(-1, 6);
    }
  });

  it('Poincaré on a line: (−x) ⊕_c y = (−x + y)/(1 − c·x·y)', () => {
    // c = 1: x = 0.5, y = −0.5 → |(−x)⊕y| = 1/1.25 = 0.8, d = 2·artanh(0.8) = ln 9
    const v1 = -Math.atanh(0.5); // expmap0(v1) = tanh(v1) = −0.5
    expect(kernelScores(SimilarityKind.NegSqPoincare, [0.5, 0, 0, 0], [[v1, 0, 0, 0]], 1)[0])
      .toBeCloseTo(-(Math.log(9) ** 2), 5);
    // c = 4: x = 0.25, y = −0.25 → |(−x)⊕y| = 0.5/1.25 = 0.4, d = (2/2)·artanh(2·0.4) = ln 3
    const v4 = -Math.atanh(0.5) / 2; // tanh(2|v|)/2 = 0.25
    expect(kernelScores(SimilarityKind.NegSqPoincare, [0, 0.25, 0, 0], [[0, v4, 0, 0]], 4)[0])
      .toBeCloseTo(-(Math.log(3) ** 2), 5);
  });
});

describe('reference: closed form in (x2, v2, xv) = textbook Möbius computation', () => {
  it('agrees to 1e-12 on random pairs, including tiny and large v', () => {
    const r = rng(7);
    for (let t = 0; t < 200; t++) {
      const d = 8, c = 0.2 + 3 * r();
      const q = withNorms(uniform(r, d, -1, 1), d, [(0.98 * r()) / Math.sqrt(c)]);
      const vn = t % 3 === 0 ? 1e-4 * r() : 4 * r();
      const v = withNorms(uniform(r, d, -1, 1), d, [vn]);
      const X = q.reduce((s, x) => s + x * x, 0), V = v.reduce((s, x) => s + x * x, 0);
      const P = q.reduce((s, x, i) => s + x * v[i], 0);
      for (const kind of KINDS) {
        const a = similarityRef(kind, q, v, c), b = similarityPartialsRef(kind, X, V, P, c).s;
        expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-12 + 1e-9 * Math.abs(a));
      }
    }
  });
});

describe('similarityForward vs the float64 reference', () => {
  for (const kind of KINDS) {
    for (const d of [8, 12, 32, 40, 64]) { // the dot kernel: no block, one, one and 8 more, two
      it(`kind ${kind}, d = ${d}`, () => {
        const r = rng(100 * kind + d);
        const B = 5, M = 7, N = 11;
        const c = uniform(r, B, 0.3, 2);
        // queries inside each ball, candidate rows with norms up to 2.5 (y up to tanh(2.5√c) of the radius)
        const q = withNorms(uniform(r, B * d, -1, 1), d, c.map((ci) => (0.9 * r()) / Math.sqrt(ci)));
        const table = withNorms(uniform(r, N * d, -1, 1), d, Array.from({ length: N }, () => 2.5 * r()));
        const cand = Array.from({ length: B * M }, () => Math.floor(r() * N));
        const out = k.memory.allocF32(B * M);
        k.similarityForward(kind, B, M, d, f32(k, q), i32(k, cand), f32(k, table), f32(k, c), out);
        const ref = similarityForwardRef(kind, B, M, d, q, cand, table, c);
        const scale = Math.max(...Array.from(ref, Math.abs));
        expectClose(out.array, ref, 1e-5, 1e-5 * scale, `kind ${kind}`);
      });
    }
  }
});
