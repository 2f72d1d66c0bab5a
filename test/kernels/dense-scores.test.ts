// The one-pass all-entity scores (assembly/dense-scores.ts through dense-threads.ts) against the float64 reference
// `similarityRef` + biases, for every similarity, B and N not multiples of the tiles; the rows split between two
// threads give the same bits as one thread; the blocked copy (blockRows) is top-k.ts's layout, padded.
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadKernels, type Kernels } from '../../src/kernels/kernels.js';
import { KernelMemory } from '../../src/kernels/kernel-memory.js';
import { denseKernels, denseScoresAll, denseScoreTable } from '../../src/kernels/dense-threads.js';
import { blockedLength } from '../../src/kernels/top-k-kernels.js';
import { denseBlockedLength } from '../../src/kernels/dense-kernels.js';
import { similarityRef } from '../../src/kernels/reference.js';
import { SIMILARITY_KERNEL_ID } from '../../src/core/candidate-scoring.js';
import type { SimilarityName } from '../../src/core/model.js';
import { expectClose, expectFinite, f32, rng, uniform, withNorms } from './helpers.js';

const KINDS: SimilarityName[] = ['dot', 'negSqEuclidean', 'negEuclidean', 'negSqPoincare', 'negL1', 'negModulusL1'];

interface Case { B: number; N: number; d: number; q: number[]; table: number[]; c: number[]; rowBias: number[] | null; colBias: number[] | null }

function makeCase(B: number, N: number, d: number, biases: boolean, seed: number): Case {
  const r = rng(seed);
  const c = uniform(r, B, 0.3, 2);
  const q = withNorms(uniform(r, B * d, -1, 1), d, c.map((ci) => (0.95 * r()) / Math.sqrt(ci)));
  const table = withNorms(uniform(r, N * d, -1, 1), d, Array.from({ length: N }, (_, j) => (j === 0 ? 0 : 2.5 * r())));
  return { B, N, d, q, table, c, rowBias: biases ? uniform(r, B, -1, 1) : null, colBias: biases ? uniform(r, N, -1, 1) : null };
}

/** Scores of the kernel on a fresh memory; `threads` is read when the memory's worker is first asked for. */
async function kernelScores(kind: SimilarityName, x: Case, threads: 1 | 2): Promise<{ scores: Float32Array; twoThreads: boolean }> {
  const previous = process.env.KGDISTILL_THREADS;
  process.env.KGDISTILL_THREADS = String(threads);
  try {
    const k: Kernels = await loadKernels({ memory: new KernelMemory() });
    const { B, N, d } = x;
    const x2 = Array.from({ length: B }, (_, b) => x.q.slice(b * d, b * d + d).reduce((s, v) => s + v * v, 0));
    const v2 = Float32Array.from({ length: N }, (_, j) => x.table.slice(j * d, j * d + d).reduce((s, v) => s + v * v, 0));
    const table = denseScoreTable(k, f32(k, x.table), N, d, v2, x.colBias ? Float32Array.from(x.colBias) : undefined);
    const out = k.memory.allocF32(B * N);
    const queries = { q: f32(k, x.q), x2: f32(k, x2), c: f32(k, x.c), rowBias: x.rowBias ? f32(k, x.rowBias) : null };
    denseScoresAll(k, SIMILARITY_KERNEL_ID[kind], B, queries, table, out);
    return { scores: out.array.slice(), twoThreads: k.worker() !== null };
  } finally {
    if (previous === undefined) delete process.env.KGDISTILL_THREADS;
    else process.env.KGDISTILL_THREADS = previous;
  }
}

/** The float64 reference: similarityRef + tail bias + head offset. */
function referenceScores(kind: SimilarityName, x: Case): Float64Array {
  const { B, N, d } = x;
  const out = new Float64Array(B * N);
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < N; j++) {
      out[b * N + j] = similarityRef(SIMILARITY_KERNEL_ID[kind], x.q.slice(b * d, b * d + d), x.table.slice(j * d, j * d + d), x.c[b])
        + (x.colBias?.[j] ?? 0) + (x.rowBias?.[b] ?? 0);
    }
  }
  return out;
}

describe('denseScoresAll equals the float64 similarity + biases', () => {
  for (const kind of KINDS) {
    it.each([[1, 1, 4, false], [5, 6, 8, true], [13, 37, 12, true], [37, 101, 8, false], [41, 259, 16, true]])(`${kind}: B=%i N=%i d=%i (biases: %s)`, async (B, N, d, biases) => {
      const x = makeCase(B, N, d, biases, 31 * B + N + kind.length);
      const { scores } = await kernelScores(kind, x, 2);
      const want = referenceScores(kind, x);
      const scale = Math.max(1, ...Array.from(want, Math.abs));
      expectClose(scores, want, 2e-5, 2e-5 * scale, kind);
      expectFinite(scores, kind);
    });
  }
});

describe('denseScoresAll on one thread and two', () => {
  it.each(KINDS)('%s: the same bits', async (kind) => {
    const x = makeCase(67, 203, 12, true, 9);
    const one = await kernelScores(kind, x, 1);
    const two = await kernelScores(kind, x, 2);
    expect(one.twoThreads).toBe(false);
    expect(two.twoThreads).toBe(os.availableParallelism() >= 2);
    expect(two.scores).toEqual(one.scores);
  });
});

describe('blockRows', () => {
  it.each([[1, 4], [5, 8], [13, 12], [16, 4]])('is blockTable\'s layout for N=%i d=%i, zero-padded to ⌈N/8⌉·8 entities', async (N, d) => {
    const k = await loadKernels({ memory: new KernelMemory() });
    const table = f32(k, uniform(rng(N), N * d, -1, 1));
    const mine = k.memory.allocF32(denseBlockedLength(N, d));
    mine.array.fill(Number.NaN);
    denseKernels(k).blockRows(N, d, table, mine);
    const theirs = k.memory.allocF32(blockedLength(N, d));
    k.topK.blockTable(N, d, table, null, theirs);
    expect(mine.array.slice(0, theirs.length)).toEqual(theirs.array.slice());
    expect(Array.from(mine.array.slice(theirs.length)).every((v) => v === 0)).toBe(true);
  });
});
