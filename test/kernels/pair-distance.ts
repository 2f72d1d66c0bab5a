// Shared by the tests of the similarities of the differences q − v (l1.test.ts, modulus-l1.test.ts): random sampled
// cases, the kernels' forward and VJP of a case, float64 central differences of its loss, tfjs autodiff of
// similarityPairs, and the top-K sweep against a full float64 sort.
import { expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { Kernels, SimilarityKind } from '../../src/kernels/kernels.js';
import { blockedLength } from '../../src/kernels/top-k-kernels.js';
import { similarityForwardRef } from '../../src/kernels/reference.js';
import { similarityPairs } from '../../src/core/similarity-tf.js';
import type { SimilarityName } from '../../src/core/model.js';
import { expectClose, f32, i32, rng, uniform } from './helpers.js';

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

/** Float64 central differences (step h) of L = Σ dscore·s in q and in the table. */
export function numericGradients(kind: SimilarityKind, x: Case, h: number): { dq: number[]; gtable: number[] } {
  const loss = (q: number[], table: number[]): number =>
    similarityForwardRef(kind, x.B, x.M, x.d, q, x.cand, table, null).reduce((acc, v, i) => acc + v * x.dscore[i]!, 0);
  const numeric = (values: number[], i: number, of: (v: number[]) => number): number => {
    const plus = values.slice(), minus = values.slice();
    plus[i]! += h;
    minus[i]! -= h;
    return (of(plus) - of(minus)) / (2 * h);
  };
  return {
    dq: x.q.map((_, i) => numeric(x.q, i, (q) => loss(q, x.table))),
    gtable: x.table.map((_, i) => numeric(x.table, i, (t) => loss(x.q, t))),
  };
}

/** tfjs autodiff of Σ dscore·similarityPairs: dL/dq and dL/dtable (the candidates' gradients scattered to rows). */
export function autodiffGradients(name: SimilarityName, x: Case): { dq: Float32Array; gtable: Float64Array } {
  const [gq, gcand] = tf.tidy(() => {
    const q = tf.tensor2d(x.q, [x.B, x.d]);
    const cand = tf.tensor3d(x.cand.flatMap((r) => x.table.slice(r * x.d, (r + 1) * x.d)), [x.B, x.M, x.d]);
    const G = tf.tensor2d(x.dscore, [x.B, x.M]);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(similarityPairs(name, a as tf.Tensor2D, b as tf.Tensor3D), G)));
    return grads([q, cand]).map((t) => t.dataSync() as Float32Array);
  });
  const gtable = new Float64Array(x.table.length);
  x.cand.forEach((r, i) => {
    for (let c = 0; c < x.d; c++) gtable[r * x.d + c] += gcand![i * x.d + c]!;
  });
  return { dq: gq!, gtable };
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
