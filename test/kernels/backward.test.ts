// similarityBackward against central finite differences of the float64 reference (dq, dv with repeated
// candidates, dc), against the reference's own hand-derived backward, and the guards (v = 0, q = 0, boundary).
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadKernels, SimilarityKind, type Kernels } from '../../src/kernels/kernels.js';
import { similarityBackwardRef, similarityForwardRef } from '../../src/kernels/reference.js';
import { expectClose, expectFinite, f32, i32, rng, uniform, withNorms } from './helpers.js';

const KINDS = [SimilarityKind.Dot, SimilarityKind.NegSqEuclidean, SimilarityKind.NegEuclidean,
  SimilarityKind.NegSqPoincare] as const;

let k: Kernels;
beforeAll(async () => { k = await loadKernels(); });
beforeEach(() => k.memory.reset());

interface Case { B: number; M: number; d: number; q: number[]; cand: number[]; table: number[]; c: number[];
  dscore: number[] }

/** Central finite differences of L = Σ dscore·s (float64 reference) w.r.t. q, table and c. */
function finiteDiff(kind: SimilarityKind, t: Case, h = 1e-5): { dq: number[]; gtable: number[]; dc: number[] } {
  const L = (q: number[], table: number[], c: number[]): number => {
    const s = similarityForwardRef(kind, t.B, t.M, t.d, q, t.cand, table, c);
    return s.reduce((acc, x, i) => acc + x * t.dscore[i], 0);
  };
  const diff = (x: number[], f: (y: number[]) => number): number[] => x.map((_, i) => {
    const p = x.slice(), m = x.slice();
    p[i] += h;
    m[i] -= h;
    return (f(p) - f(m)) / (2 * h);
  });
  return {
    dq: diff(t.q, (y) => L(y, t.table, t.c)),
    gtable: diff(t.table, (y) => L(t.q, y, t.c)),
    dc: diff(t.c, (y) => L(t.q, t.table, y)),
  };
}

/** Runs the kernel backward with garbage in dq/dc (must be overwritten) and gtable0 in gtable (accumulated). */
function kernelBackward(kind: SimilarityKind, t: Case, gtable0: number[]) {
  const { B, M, d } = t;
  const dq = f32(k, Array(B * d).fill(123)), dc = f32(k, Array(B).fill(-7)), gtable = f32(k, gtable0);
  k.similarityBackward(kind, B, M, d, f32(k, t.q), i32(k, t.cand), f32(k, t.table), f32(k, t.c), f32(k, t.dscore),
    dq, gtable, dc);
  return { dq: Array.from(dq.array), gtable: Array.from(gtable.array, (x, i) => x - gtable0[i]),
    dc: Array.from(dc.array) };
}

function randomCase(seed: number, d: number, M = 5): Case {
  const r = rng(seed);
  const B = 3, N = 6;
  const c = uniform(r, B, 0.4, 2.5);
  const q = withNorms(uniform(r, B * d, -1, 1), d, c.map((ci) => (0.85 * r()) / Math.sqrt(ci)));
  const table = withNorms(uniform(r, N * d, -1, 1), d, [0.3, 0.9, 1.4, 0.05, 2, 0.7]);
  // repeats inside a query's row (1 three times, 2 twice) and across queries; row 5 is never a candidate
  const base = [1, 4, 1, 1, 0, 2, 3, 2, 0, 4, 3, 3, 1, 0, 2];
  const cand = Array.from({ length: B * M }, (_, i) => base[i % base.length]);
  return { B, M, d, q, cand, table, c, dscore: uniform(r, B * M, -1, 1) };
}

function tolerance(x: number[]): number {
  return 2e-4 * Math.max(1, ...x.map(Math.abs));
}

describe('similarityBackward vs finite differences of the float64 reference', () => {
  for (const kind of KINDS) {
    for (const d of [8, 12, 20, 32]) { // 20: a block of 16 coordinates and 4 more (the dot kernel's two loops)
      it(`kind ${kind}, d = ${d}`, () => {
        const t = randomCase(31 * kind + d, d);
        const fd = finiteDiff(kind, t);
        const g0 = uniform(rng(5), t.table.length, -1, 1);
        const got = kernelBackward(kind, t, g0);
        expectClose(got.dq, fd.dq, 1e-3, tolerance(fd.dq), 'dq');
        expectClose(got.gtable, fd.gtable, 1e-3, tolerance(fd.gtable), 'gtable');
        expectClose(got.dc, fd.dc, 1e-3, tolerance(fd.dc), 'dc');
        for (let i = 5 * d; i < 6 * d; i++) expect(got.gtable[i]).toBe(0); // row 5 untouched
        if (kind !== SimilarityKind.NegSqPoincare) expect(got.dc).toEqual([0, 0, 0]);
        // the reference's hand-derived backward matches the finite differences tightly
        const ref = similarityBackwardRef(kind, t.B, t.M, d, t.q, t.cand, t.table, t.c, t.dscore);
        expectClose(ref.dq, fd.dq, 1e-6, 1e-7 * Math.max(1, ...fd.dq.map(Math.abs)), 'ref dq');
        expectClose(ref.gtable, fd.gtable, 1e-6, 1e-7 * Math.max(1, ...fd.gtable.map(Math.abs)), 'ref gtable');
        expectClose(ref.dc, fd.dc, 1e-6, 1e-7 * Math.max(1, ...fd.dc.map(Math.abs)), 'ref dc');
        expectClose(got.dq, ref.dq, 1e-4, 1e-5 * Math.max(1, ...ref.dq.map(Math.abs)), 'dq vs ref');
      });
    }
  }

  for (const M of [1, 6, 7, 9]) {
    it(`Poincaré with M = ${M} (partial groups of four lanes)`, () => {
      const t = randomCase(700 + M, 8, M);
      const fd = finiteDiff(SimilarityKind.NegSqPoincare, t);
      const got = kernelBackward(SimilarityKind.NegSqPoincare, t, Array(t.table.length).fill(0));
      expectClose(got.dq, fd.dq, 1e-3, tolerance(fd.dq), 'dq');
      expectClose(got.gtable, fd.gtable, 1e-3, tolerance(fd.gtable), 'gtable');
      expectClose(got.dc, fd.dc, 1e-3, tolerance(fd.dc), 'dc');
    });
  }

  it('repeated candidates accumulate: M copies of one row give M times the gradient', () => {
    const d = 8, r = rng(3);
    const q = uniform(r, d, -0.3, 0.3), table = uniform(r, 2 * d, -0.5, 0.5);
    for (const kind of KINDS) {
      k.memory.reset();
      const run = (cand: number[], dscore: number[]): number[] => {
        const g = k.memory.allocF32(2 * d);
        k.similarityBackward(kind, 1, cand.length, d, f32(k, q), i32(k, cand), f32(k, table), f32(k, [1.3]),
          f32(k, dscore), k.memory.allocF32(d), g, k.memory.allocF32(1));
        return Array.from(g.array);
      };
      const once = run([1], [0.7]);
      const thrice = run([1, 1, 1], [0.7, 0.7, 0.7]);
      expectClose(thrice, once.map((x) => 3 * x), 1e-5, 1e-6, `kind ${kind}`);
    }
  });
});

describe('Poincaré near the boundary (float32 accuracy)', () => {
  it('‖q‖ = 0.999/√c and far candidates: scores and gradients match the float64 reference', () => {
    const r = rng(21), B = 4, M = 8, N = 8, d = 16;
    const c = uniform(r, B, 0.5, 2);
    const q = withNorms(uniform(r, B * d, -1, 1), d, c.map((ci) => 0.999 / Math.sqrt(ci)));
    // tangent norms 1…4.5 put y = expmap0(v) at 0.76…0.9998 of the radius (c = 1): z up to ≈ 1 − 1e-4
    const table = withNorms(uniform(r, N * d, -1, 1), d, Array.from({ length: N }, (_, i) => 1 + i / 2));
    const cand = Array.from({ length: B * M }, (_, i) => i % N);
    const dscore = uniform(r, B * M, -1, 1);
    const kind = SimilarityKind.NegSqPoincare;
    const out = k.memory.allocF32(B * M);
    k.similarityForward(kind, B, M, d, f32(k, q), i32(k, cand), f32(k, table), f32(k, c), out);
    expectClose(out.array, similarityForwardRef(kind, B, M, d, q, cand, table, c), 1e-4, 1e-5, 's');
    const got = kernelBackward(kind, { B, M, d, q, cand, table, c, dscore }, Array(N * d).fill(0));
    const ref = similarityBackwardRef(kind, B, M, d, q, cand, table, c, dscore);
    expectClose(got.dq, ref.dq, 2e-3, 2e-4 * Math.max(...ref.dq.map(Math.abs)), 'dq');
    expectClose(got.gtable, ref.gtable, 2e-3, 2e-4 * Math.max(...ref.gtable.map(Math.abs)), 'dv');
    expectClose(got.dc, ref.dc, 2e-3, 2e-4 * Math.max(...ref.dc.map(Math.abs)), 'dc');
  });
});

describe('guards: finite values and gradients', () => {
  it('v = 0, q = 0, q = v and q near the ball boundary with far candidates', () => {
    const d = 8, r = rng(11);
    const c = [1, 0.5, 2, 1];
    const u = withNorms(uniform(r, d, -1, 1), d, [1]);
    const zero = Array(d).fill(0);
    const q = [
      ...zero, // q = 0
      ...u.map((x) => Math.fround(x * (1 - 1e-7) / Math.sqrt(0.5))), // on the boundary (f32)
      ...u.map((x) => x * 0.3), // equals candidate 2 (Euclidean kinds) / near its image
      ...u.map((x) => Math.fround(x * (1 - 4e-3))), // KGEmb's float32 projection radius
    ];
    const table = [...zero, ...u.map((x) => -40 * x), ...u.map((x) => x * 0.3), ...u.map((x) => 40 * x)];
    const cand = [0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3];
    const B = 4, M = 4;
    for (const kind of KINDS) {
      k.memory.reset();
      const out = k.memory.allocF32(B * M), dq = k.memory.allocF32(B * d), g = k.memory.allocF32(4 * d);
      const dc = k.memory.allocF32(B);
      const blocks = [f32(k, q), i32(k, cand), f32(k, table), f32(k, c)] as const;
      k.similarityForward(kind, B, M, d, ...blocks, out);
      k.similarityBackward(kind, B, M, d, ...blocks, f32(k, uniform(r, B * M, -1, 1)), dq, g, dc);
      expectFinite(out.array, `s kind ${kind}`);
      expectFinite(dq.array, `dq kind ${kind}`);
      expectFinite(g.array, `dv kind ${kind}`);
      expectFinite(dc.array, `dc kind ${kind}`);
    }
  });

  it('Poincaré: q = 0 and v = 0 give s = 0 and gradients matching finite differences', () => {
    const d = 8;
    const t: Case = { B: 2, M: 2, d, q: [...Array(d).fill(0), ...withNorms(uniform(rng(2), d, -1, 1), d, [0.4])],
      cand: [0, 1, 0, 1], table: [...Array(d).fill(0), ...withNorms(uniform(rng(4), d, -1, 1), d, [0.6])],
      c: [1.5, 0.7], dscore: [0.3, -0.8, 0.5, 1.1] };
    const got = kernelBackward(SimilarityKind.NegSqPoincare, t, Array(2 * d).fill(0));
    const fd = finiteDiff(SimilarityKind.NegSqPoincare, t);
    expectClose(got.dq, fd.dq, 1e-3, 1e-4, 'dq');
    expectClose(got.gtable, fd.gtable, 1e-3, 1e-4, 'dv');
    expectClose(got.dc, fd.dc, 1e-3, 1e-4, 'dc');
    const out = k.memory.allocF32(4);
    k.similarityForward(SimilarityKind.NegSqPoincare, 2, 2, d, f32(k, t.q), i32(k, t.cand), f32(k, t.table),
      f32(k, t.c), out);
    expect(Math.abs(out.array[0])).toBe(0); // −0
  });
});
