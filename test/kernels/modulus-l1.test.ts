// The negative sum of complex moduli (SimilarityKind.NegModulusL1, assembly/modulus-l1.ts; rows [Re | Im]): the
// sampled forward against the float64 oracle and hand-computed values (d/2 a multiple of 4, and not: the 64-bit
// tail), its hand-written VJP against float64 central differences, the oracle and tfjs autodiff, a finite gradient
// where q_i = v_i (the floor), the top-K sweep against a full sort and tfjs's all-entity scores.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { SimilarityKind, type Kernels } from '../../src/kernels/kernels.js';
import { negModulusL1Ref, similarityForwardRef } from '../../src/kernels/reference.js';
import { similarityAll } from '../../src/core/similarity-tf.js';
import { expectClose, f32, i32, rng, uniform } from './helpers.js';
import { type Case, expectCentralDifferences, loadTestKernels, expectOracleAndAutodiff, expectTopKOfSort, kernelRun, makeCase, smallestOverPairs } from './pair-distance.js';

const MOD = SimilarityKind.NegModulusL1;
let k: Kernels;
beforeAll(async () => void (k = await loadTestKernels()));
beforeEach(() => k.memory.reset());

/** Smallest modulus |q_i − v_i| over the scored pairs (the distance to the floor's corner). */
const smallestModulus = (x: Case): number =>
  smallestOverPairs(x, (q, v) => Math.min(...Array.from({ length: x.d / 2 }, (_, i) => Math.hypot(q[i]! - v[i]!, q[x.d / 2 + i]! - v[x.d / 2 + i]!))));

describe('NegModulusL1 forward', () => {
  it('hand-computed: q = (1 + 3i, 2 + 4i), v = (−2 − i, 1 + 4i) → −(|3 + 4i| + |1|) = −6; v = q → −2·√1e-12', () => {
    const out = k.memory.allocF32(2);
    k.similarityForward(MOD, 1, 2, 4, f32(k, [1, 2, 3, 4]), i32(k, [0, 1]), f32(k, [-2, 1, -1, 4, 1, 2, 3, 4]), null, out);
    expectClose(out.array, [-6, -2e-6], 1e-6, 1e-12, 'scores');
    expect(negModulusL1Ref([1, 2, 3, 4], [-2, 1, -1, 4])).toBe(-6);
  });

  it('hand-computed at d = 12 (four complex coordinates in a lane, two in the 64-bit tail)', () => {
    // Δ = (3 + 4i, 0, 0, 5 + 12i, 0, 8 + 6i): −(5 + 13 + 10) = −28 (plus the floors of the three zero moduli).
    const re = [3, 0, 0, 5, 0, 8], im = [4, 0, 0, 12, 0, 6];
    const out = k.memory.allocF32(1);
    k.similarityForward(MOD, 1, 1, 12, f32(k, [...re, ...im]), i32(k, [0]), f32(k, new Array(12).fill(0)), null, out);
    expectClose(out.array, [-28 - 3e-6], 1e-6, 1e-9, 'score');
  });

  it.each([[1, 1, 3, 4], [3, 7, 11, 12], [9, 51, 40, 32], [4, 5, 6, 36], [2, 9, 8, 8]])('equals the float64 oracle: B=%i M=%i N=%i d=%i', (B, M, N, d) => {
    const x = makeCase(B, M, N, d, 100 * B + d);
    const want = similarityForwardRef(MOD, B, M, d, x.q, x.cand, x.table, null);
    expectClose(kernelRun(k, MOD, x).scores, want, 1e-6, 1e-5, 'scores');
  });
});

describe('NegModulusL1 hand-written VJP', () => {
  it.each([[2, 5, 9, 8], [5, 13, 7, 12], [3, 51, 30, 32], [2, 6, 5, 4]])('matches float64 central differences: B=%i M=%i N=%i d=%i', (B, M, N, d) => {
    const x = makeCase(B, M, N, d, 7 * M + d);
    expect(smallestModulus(x)).toBeGreaterThan(1e-3); // smooth around every difference
    expectCentralDifferences(k, MOD, x, 1e-6, 1e-4);
  });

  it('equals the oracle and tfjs autodiff of similarityPairs (repeated candidates add up)', () => {
    const x = makeCase(6, 9, 5, 12, 3); // 54 draws of 5 rows: many repeats; d/2 = 6 has a tail
    expectOracleAndAutodiff(k, MOD, 'negModulusL1', x);
  });

  it('is finite where q_i = v_i (the floor under the modulus): 0 there, −Δ/|Δ| elsewhere', () => {
    const q = [1, 2, 3, 4], v = [1, -1, 3, 0]; // Δ = (0, 3 + 4i)
    const dq = k.memory.allocF32(4), gtable = k.memory.allocF32(4);
    k.similarityBackward(MOD, 1, 1, 4, f32(k, q), i32(k, [0]), f32(k, v), null, f32(k, [2]), dq, gtable, null);
    expectClose(dq.array, [0, -2 * 0.6, 0, -2 * 0.8], 1e-6, 1e-7, 'dq');
    expectClose(gtable.array, [0, 2 * 0.6, 0, 2 * 0.8], 1e-6, 1e-7, 'gtable');
  });
});

describe('NegModulusL1 over all entities', () => {
  it.each([[12], [16]])('topKScores: the K best of a full float64 sort, a copied row first (d = %i)', (d) => {
    const N = 23, B = 3, K = 9;
    const r = rng(5 + d);
    const table = uniform(r, N * d, -1, 1);
    table.splice(7 * d, d, ...table.slice(2 * d, 3 * d)); // row 7 is a copy of row 2
    const q = [...table.slice(2 * d, 3 * d), ...uniform(r, (B - 1) * d, -1, 1)];
    const ids = expectTopKOfSort(k, MOD, q, table, N, d, K, negModulusL1Ref);
    expect(Array.from(ids.subarray(0, 2))).toEqual([2, 7]);
  });

  it('tfjs similarityAll equals the float64 oracle', () => {
    const B = 5, N = 13, d = 12;
    const r = rng(9);
    const q = uniform(r, B * d, -1, 1), table = uniform(r, N * d, -1, 1);
    const got = tf.tidy(() => similarityAll('negModulusL1', tf.tensor2d(q, [B, d]), tf.transpose(tf.tensor2d(table, [N, d]))).dataSync() as Float32Array);
    const want = Array.from({ length: B * N }, (_, i) => {
      const b = Math.floor(i / N), j = i % N;
      return negModulusL1Ref(q.slice(b * d, (b + 1) * d), table.slice(j * d, (j + 1) * d));
    });
    expectClose(got, want, 1e-5, 1e-5, 'tfjs scores');
  });
});
