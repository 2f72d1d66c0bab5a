// Shared by the tests of the similarities of the differences q − v (l1.test.ts, modulus-l1.test.ts): random sampled
// cases, the kernels' forward and VJP of a case checked against float64 central differences, the oracle and tfjs
// autodiff of similarityPairs, and the top-K sweep against a full float64 sort.
import { expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { loadKernels, type Kernels, type SimilarityKind } from '../../src/kernels/kernels.js';
import { blockedLength } from '../../src/kernels/top-k-kernels.js';
import { similarityBackwardRef, similarityForwardRef } from '../../src/kernels/reference.js';
import { similarityPairs } from '../../src/core/similarity-tf.js';
import type { SimilarityName } from '../../src/core/model.js';
import { expectClose, f32, i32, rng, uniform } from './helpers.js';

/** The kernels of a test file, on the wasm tfjs backend (the autodiff references run on it too). */
export async function loadTestKernels(): Promise<Kernels> {
  expect(await tf.setBackend('wasm')).toBe(true);
  return loadKernels();
}

/** A random case: B queries, M candidates each among N rows of width d (repeats allowed), and dL/ds. */
export function makeCase(B: number, M: number, N: number, d: number, seed: number) {
  const r = rng(seed);
  return {
    B, M, N, d,
    q: uniform(r, B * d, -1, 1),
    table: uniform(r, N * d, -1, 1),
    cand: Array.from({ length: B * M }, () => Math.floor(r() * N)),
    dscore: uniform(r, B * M, -1, 1),
  };
}
/** A sampled case of makeCase. */
export type Case = ReturnType<typeof makeCase>;

/** The smallest of `term(q_b, v)` over the scored pairs of a case (e.g. the distance to a kink or a floor). */
export function smallestOverPairs(x: Case, term: (q: number[], v: number[]) => number): number {
  let min = Infinity;
  for (let i = 0; i < x.B * x.M; i++) {
    const b = Math.floor(i / x.M), r = x.cand[i]!;
    min = Math.min(min, term(x.q.slice(b * x.d, (b + 1) * x.d), x.table.slice(r * x.d, (r + 1) * x.d)));
  }
  return min;
}

/** The kernel's scores, dq and gtable (from zero) of a case, and dc (7s before, overwritten with 0). */
export function kernelRun(k: Kernels, kind: SimilarityKind, x: Case): { scores: Float32Array; dq: Float32Array; gtable: Float32Array; dc: Float32Array } {
  const { B, M, d } = x;
  const q = f32(k, x.q), cand = i32(k, x.cand), table = f32(k, x.table);
  const out = k.memory.allocF32(B * M), dq = k.memory.allocF32(B * d), gtable = k.memory.allocF32(x.table.length);
  const dc = f32(k, Array.from({ length: B }, () => 7));
  k.similarityForward(kind, B, M, d, q, cand, table, null, out);
  k.similarityBackward(kind, B, M, d, q, cand, table, null, f32(k, x.dscore), dq, gtable, dc);
  return { scores: out.array.slice(), dq: dq.array.slice(), gtable: gtable.array.slice(), dc: dc.array.slice() };
}

/** The kernel's VJP of a case equals float64 central differences (step h) of L = Σ dscore·s in q and in the table. */
export function expectCentralDifferences(k: Kernels, kind: SimilarityKind, x: Case, h: number, rel: number): void {
  const loss = (q: number[], table: number[]): number =>
    similarityForwardRef(kind, x.B, x.M, x.d, q, x.cand, table, null).reduce((acc, v, i) => acc + v * x.dscore[i]!, 0);
  const numeric = (values: number[], i: number, of: (v: number[]) => number): number => {
    const plus = values.slice(), minus = values.slice();
    plus[i]! += h;
    minus[i]! -= h;
    return (of(plus) - of(minus)) / (2 * h);
  };
  const { dq, gtable } = kernelRun(k, kind, x);
  expectClose(dq, x.q.map((_, i) => numeric(x.q, i, (q) => loss(q, x.table))), rel, 1e-5, 'dq');
  expectClose(gtable, x.table.map((_, i) => numeric(x.table, i, (t) => loss(x.q, t))), rel, 1e-5, 'gtable');
}

/** The kernel's VJP of a case equals the float64 oracle and tfjs autodiff of Σ dscore·similarityPairs; dc is 0. */
export function expectOracleAndAutodiff(k: Kernels, kind: SimilarityKind, name: SimilarityName, x: Case): void {
  const { dq, gtable, dc } = kernelRun(k, kind, x);
  const ref = similarityBackwardRef(kind, x.B, x.M, x.d, x.q, x.cand, x.table, null, x.dscore);
  expectClose(dq, ref.dq, 1e-5, 1e-6, 'dq vs oracle');
  expectClose(gtable, ref.gtable, 1e-5, 1e-6, 'gtable vs oracle');
  expect(Array.from(dc)).toEqual(new Array(x.B).fill(0));
  const [gq, gcand] = tf.tidy(() => {
    const q = tf.tensor2d(x.q, [x.B, x.d]);
    const cand = tf.tensor3d(x.cand.flatMap((r) => x.table.slice(r * x.d, (r + 1) * x.d)), [x.B, x.M, x.d]);
    const G = tf.tensor2d(x.dscore, [x.B, x.M]);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(similarityPairs(name, a as tf.Tensor2D, b as tf.Tensor3D), G)));
    return grads([q, cand]).map((t) => t.dataSync() as Float32Array);
  });
  const scattered = new Float64Array(x.table.length);
  x.cand.forEach((r, i) => {
    for (let c = 0; c < x.d; c++) scattered[r * x.d + c] += gcand![i * x.d + c]!;
  });
  expectClose(dq, gq!, 1e-5, 1e-6, 'dq vs autodiff');
  expectClose(gtable, scattered, 1e-5, 1e-6, 'gtable vs autodiff');
}

/**
 * topKScores of `kind` for queries q against `table` (N rows of width d) equals the K best of a full float64 sort by
 * `score` (ties: lower id); returns the ids, query by query.
 */
export function expectTopKOfSort(k: Kernels, kind: SimilarityKind, q: number[], table: number[], N: number, d: number, K: number,
  score: (q: number[], v: number[]) => number): Int32Array {
  const B = q.length / d;
  const blocked = k.memory.allocF32(blockedLength(N, d));
  k.topK.blockTable(N, d, f32(k, table), null, blocked);
  const ids = k.memory.allocI32(B * K), scores = k.memory.allocF32(B * K);
  const zeros = (n: number) => f32(k, new Array(n).fill(0));
  k.topK.topKScores(kind, B, K, { q: f32(k, q), x2: zeros(B), c: null, rowBias: null }, { N, d, blocked, v2: zeros(4 * Math.ceil(N / 4)), colBias: null }, ids, scores);
  for (let b = 0; b < B; b++) {
    const s = Array.from({ length: N }, (_, j) => score(q.slice(b * d, (b + 1) * d), table.slice(j * d, (j + 1) * d)));
    const order = Array.from({ length: N }, (_, j) => j).sort((a, c) => s[c]! - s[a]! || a - c).slice(0, K);
    expect(Array.from(ids.array.subarray(b * K, (b + 1) * K))).toEqual(order);
    expectClose(scores.array.subarray(b * K, (b + 1) * K), order.map((j) => s[j]!), 1e-6, 1e-5, 'top scores');
  }
  return ids.array.slice();
}
