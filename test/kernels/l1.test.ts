// The negative L1 distance (SimilarityKind.NegL1, assembly/l1.ts): the sampled forward against the float64 oracle
// and a hand-computed value, its hand-written VJP against float64 central differences (away from the kinks), the
// oracle and tfjs autodiff, the subgradient 0 at a kink, the top-K sweep against a full sort (ties: lower id), and
// the refusal of the dot-product path.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { loadKernels, SimilarityKind, type Kernels } from '../../src/kernels/kernels.js';
import { blockedLength } from '../../src/kernels/top-k-kernels.js';
import { negL1Ref, similarityBackwardRef, similarityForwardRef } from '../../src/kernels/reference.js';
import { similarityPairs } from '../../src/core/similarity-tf.js';
import { expectClose, f32, i32, rng, uniform } from './helpers.js';

const L1 = SimilarityKind.NegL1;
let k: Kernels;
beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  k = await loadKernels();
});
beforeEach(() => k.memory.reset());

/** A random case: B queries, M candidates each among N rows of width d (repeats allowed), and dL/ds. */
function makeCase(B: number, M: number, N: number, d: number, seed: number) {
  const r = rng(seed);
  return {
    B, M, N, d,
    q: uniform(r, B * d, -1, 1),
    table: uniform(r, N * d, -1, 1),
    cand: Array.from({ length: B * M }, () => Math.floor(r() * N)),
    dscore: uniform(r, B * M, -1, 1),
  };
}
type Case = ReturnType<typeof makeCase>;

/** The kernel's scores, dq and gtable (from zero) of a case. */
function kernelRun(x: Case): { scores: Float32Array; dq: Float32Array; gtable: Float32Array; dc: Float32Array } {
  const { B, M, d } = x;
  const q = f32(k, x.q), cand = i32(k, x.cand), table = f32(k, x.table);
  const out = k.memory.allocF32(B * M), dq = k.memory.allocF32(B * d), gtable = k.memory.allocF32(x.table.length);
  const dc = f32(k, Array.from({ length: B }, () => 7)); // overwritten with 0
  k.similarityForward(L1, B, M, d, q, cand, table, null, out);
  k.similarityBackward(L1, B, M, d, q, cand, table, null, f32(k, x.dscore), dq, gtable, dc);
  return { scores: out.array.slice(), dq: dq.array.slice(), gtable: gtable.array.slice(), dc: dc.array.slice() };
}

/** L = Σ dscore·s in float64 (the function whose gradient the VJP is). */
function lossOf(x: Case, q: number[], table: number[]): number {
  const s = similarityForwardRef(L1, x.B, x.M, x.d, q, x.cand, table, null);
  return s.reduce((acc, v, i) => acc + v * x.dscore[i]!, 0);
}

/** Smallest |q_k − v_k| over the scored pairs (the distance to a kink of the L1 distance). */
function kinkDistance(x: Case): number {
  let min = Infinity;
  for (let i = 0; i < x.B * x.M; i++) {
    const b = Math.floor(i / x.M), r = x.cand[i]!;
    for (let c = 0; c < x.d; c++) min = Math.min(min, Math.abs(x.q[b * x.d + c]! - x.table[r * x.d + c]!));
  }
  return min;
}

describe('NegL1 forward', () => {
  it('hand-computed: q = [1, 2, 3, 4], v = [0.5, −1, 2, 0] → −(0.5 + 3 + 1 + 4) = −8.5', () => {
    const out = k.memory.allocF32(2);
    k.similarityForward(L1, 1, 2, 4, f32(k, [1, 2, 3, 4]), i32(k, [0, 1]), f32(k, [0.5, -1, 2, 0, 1, 2, 3, 4]), null, out);
    expect(Array.from(out.array)).toEqual([-8.5, -0]);
    expect(negL1Ref([1, 2, 3, 4], [0.5, -1, 2, 0])).toBe(-8.5);
  });

  it.each([[1, 1, 3, 4], [3, 7, 11, 12], [9, 51, 40, 32], [4, 5, 6, 36]])('equals the float64 oracle: B=%i M=%i N=%i d=%i', (B, M, N, d) => {
    const x = makeCase(B, M, N, d, 100 * B + d);
    const want = similarityForwardRef(L1, B, M, d, x.q, x.cand, x.table, null);
    expectClose(kernelRun(x).scores, want, 1e-6, 1e-5, 'scores');
  });
});

describe('NegL1 hand-written VJP', () => {
  it.each([[2, 5, 9, 8], [5, 13, 7, 12], [3, 51, 30, 32]])('matches float64 central differences away from the kinks: B=%i M=%i N=%i d=%i', (B, M, N, d) => {
    const x = makeCase(B, M, N, d, 7 * M + d);
    const h = 1e-6;
    expect(kinkDistance(x)).toBeGreaterThan(2 * h); // no kink inside any difference
    const { dq, gtable } = kernelRun(x);
    const numeric = (values: number[], i: number, other: (v: number[]) => number): number => {
      const plus = values.slice(), minus = values.slice();
      plus[i]! += h;
      minus[i]! -= h;
      return (other(plus) - other(minus)) / (2 * h);
    };
    const dqNum = x.q.map((_, i) => numeric(x.q, i, (q) => lossOf(x, q, x.table)));
    const gNum = x.table.map((_, i) => numeric(x.table, i, (t) => lossOf(x, x.q, t)));
    expectClose(dq, dqNum, 1e-5, 1e-5, 'dq');
    expectClose(gtable, gNum, 1e-5, 1e-5, 'gtable');
  });

  it('equals the oracle and tfjs autodiff of similarityPairs (repeated candidates add up)', () => {
    const x = makeCase(6, 9, 5, 12, 3); // 54 draws of 5 rows: many repeats
    const { dq, gtable, dc } = kernelRun(x);
    const ref = similarityBackwardRef(L1, x.B, x.M, x.d, x.q, x.cand, x.table, null, x.dscore);
    expectClose(dq, ref.dq, 1e-5, 1e-6, 'dq vs oracle');
    expectClose(gtable, ref.gtable, 1e-5, 1e-6, 'gtable vs oracle');
    expect(Array.from(dc)).toEqual(new Array(x.B).fill(0));
    const [gq, gcand] = tf.tidy(() => {
      const q = tf.tensor2d(x.q, [x.B, x.d]);
      const cand = tf.tensor3d(x.cand.flatMap((r) => x.table.slice(r * x.d, (r + 1) * x.d)), [x.B, x.M, x.d]);
      const G = tf.tensor2d(x.dscore, [x.B, x.M]);
      const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(similarityPairs('negL1', a as tf.Tensor2D, b as tf.Tensor3D), G)));
      return grads([q, cand]).map((t) => t.dataSync() as Float32Array);
    });
    expectClose(dq, gq!, 1e-5, 1e-6, 'dq vs autodiff');
    const scattered = new Float64Array(x.table.length);
    x.cand.forEach((r, i) => {
      for (let c = 0; c < x.d; c++) scattered[r * x.d + c] += gcand![i * x.d + c]!;
    });
    expectClose(gtable, scattered, 1e-5, 1e-6, 'gtable vs autodiff');
  });

  it('takes the subgradient 0 where q_i = v_i', () => {
    const q = [1, 2, 3, 4], v = [1, 0, 3, 5]; // equal in coordinates 0 and 2
    const dq = k.memory.allocF32(4), gtable = k.memory.allocF32(4);
    k.similarityBackward(L1, 1, 1, 4, f32(k, q), i32(k, [0]), f32(k, v), null, f32(k, [1]), dq, gtable, null);
    expect(Array.from(dq.array)).toEqual([0, -1, 0, 1]); // −sign(q − v)
    expect(Array.from(gtable.array)).toEqual([0, 1, 0, -1]); // +sign(q − v)
  });
});

describe('NegL1 top-K sweep and the dot-product path', () => {
  it('topKScores: the K best of a full float64 sort, tied rows by lower id', () => {
    const N = 23, d = 12, B = 3, K = 9;
    const r = rng(5);
    const table = uniform(r, N * d, -1, 1);
    for (const [dup, of] of [[7, 2], [15, 2], [20, 11]]) table.splice(dup! * d, d, ...table.slice(of! * d, (of! + 1) * d)); // ties
    const q = [...table.slice(2 * d, 3 * d), ...uniform(r, (B - 1) * d, -1, 1)];
    const blocked = k.memory.allocF32(blockedLength(N, d));
    k.topK.blockTable(N, d, f32(k, table), null, blocked);
    const ids = k.memory.allocI32(B * K), scores = k.memory.allocF32(B * K);
    const zeros = (n: number) => f32(k, new Array(n).fill(0));
    k.topK.topKScores(L1, B, K, { q: f32(k, q), x2: zeros(B), c: null, rowBias: null }, { N, d, blocked, v2: zeros(24), colBias: null }, ids, scores);
    for (let b = 0; b < B; b++) {
      const s = Array.from({ length: N }, (_, j) => negL1Ref(q.slice(b * d, (b + 1) * d), table.slice(j * d, (j + 1) * d)));
      const order = Array.from({ length: N }, (_, j) => j).sort((a, c) => s[c]! - s[a]! || a - c).slice(0, K);
      expect(Array.from(ids.array.subarray(b * K, (b + 1) * K))).toEqual(order);
      expectClose(scores.array.subarray(b * K, (b + 1) * K), order.map((j) => s[j]!), 1e-6, 1e-5, 'top scores');
    }
    expect(Array.from(ids.array.subarray(0, 3))).toEqual([2, 7, 15]); // the query is row 2, and rows 7 and 15 are its copies
  });

  it('similarityFromDots refuses NegL1 (not a function of the dot products)', () => {
    const one = f32(k, [1]);
    expect(() => k.fused.similarityFromDots(L1, 1, 1, one, f32(k, [1]), f32(k, [1]), null)).toThrow(/NegL1 .*not a function of the dot products/);
  });
});
