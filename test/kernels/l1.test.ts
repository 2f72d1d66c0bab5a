// The negative L1 distance (SimilarityKind.NegL1, assembly/l1.ts): the sampled forward against the float64 oracle
// and a hand-computed value, its hand-written VJP against float64 central differences (away from the kinks), the
// oracle and tfjs autodiff, the subgradient 0 at a kink, and the top-K sweep against a full sort (ties: lower id).
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-backend-wasm';
import { SimilarityKind, type Kernels } from '../../src/kernels/kernels.js';
import { negL1Ref, similarityForwardRef } from '../../src/kernels/reference.js';
import { expectClose, f32, i32, rng, uniform } from './helpers.js';
import { type Case, expectCentralDifferences, loadTestKernels, expectOracleAndAutodiff, expectTopKOfSort, kernelRun, makeCase, smallestOverPairs } from './pair-distance.js';

const L1 = SimilarityKind.NegL1;
let k: Kernels;
beforeAll(async () => void (k = await loadTestKernels()));
beforeEach(() => k.memory.reset());

/** Smallest |q_k − v_k| over the scored pairs (the distance to a kink of the L1 distance). */
const kinkDistance = (x: Case): number => smallestOverPairs(x, (q, v) => Math.min(...q.map((a, c) => Math.abs(a - v[c]!))));

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
    expectClose(kernelRun(k, L1, x).scores, want, 1e-6, 1e-5, 'scores');
  });
});

describe('NegL1 hand-written VJP', () => {
  it.each([[2, 5, 9, 8], [5, 13, 7, 12], [3, 51, 30, 32]])('matches float64 central differences away from the kinks: B=%i M=%i N=%i d=%i', (B, M, N, d) => {
    const x = makeCase(B, M, N, d, 7 * M + d);
    const h = 1e-6;
    expect(kinkDistance(x)).toBeGreaterThan(2 * h); // no kink inside any difference
    expectCentralDifferences(k, L1, x, h, 1e-5);
  });

  it('equals the oracle and tfjs autodiff of similarityPairs (repeated candidates add up)', () => {
    const x = makeCase(6, 9, 5, 12, 3); // 54 draws of 5 rows: many repeats
    expectOracleAndAutodiff(k, L1, 'negL1', x);
  });

  it('takes the subgradient 0 where q_i = v_i', () => {
    const q = [1, 2, 3, 4], v = [1, 0, 3, 5]; // equal in coordinates 0 and 2
    const dq = k.memory.allocF32(4), gtable = k.memory.allocF32(4);
    k.similarityBackward(L1, 1, 1, 4, f32(k, q), i32(k, [0]), f32(k, v), null, f32(k, [1]), dq, gtable, null);
    expect(Array.from(dq.array)).toEqual([0, -1, 0, 1]); // −sign(q − v)
    expect(Array.from(gtable.array)).toEqual([0, 1, 0, -1]); // +sign(q − v)
  });
});

describe('NegL1 top-K sweep', () => {
  it('topKScores: the K best of a full float64 sort, tied rows by lower id', () => {
    const N = 23, d = 12, B = 3, K = 9;
    const r = rng(5);
    const table = uniform(r, N * d, -1, 1);
    for (const [dup, of] of [[7, 2], [15, 2], [20, 11]]) table.splice(dup! * d, d, ...table.slice(of! * d, (of! + 1) * d)); // ties
    const q = [...table.slice(2 * d, 3 * d), ...uniform(r, (B - 1) * d, -1, 1)];
    const ids = expectTopKOfSort(k, L1, q, table, N, d, K, negL1Ref);
    expect(Array.from(ids.subarray(0, 3))).toEqual([2, 7, 15]); // the query is row 2, and rows 7 and 15 are its copies
  });
});
