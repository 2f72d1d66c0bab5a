// The one-pass dense softmax and binary cross-entropy (assembly/dense-softmax.ts through dense-threads.ts) against
// a float64 reference and tfjs autodiff of the plain definition: loss, dq, dE, dβ, with and without biases, for
// shapes whose B, N and d are not multiples of the tiles, several runs of rows and groups; one thread and two give
// the same bits, and repeated two-thread runs too.
import os from 'node:os';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { loadKernels, type Kernels } from '../../src/kernels/kernels.js';
import { KernelMemory } from '../../src/kernels/kernel-memory.js';
import { denseEntityLoss, softmaxChunkRows, type DenseEntityLossSizes } from '../../src/kernels/dense-threads.js';
import { allEntityBinaryCrossEntropy, softmaxCrossEntropy } from '../../src/core/losses.js';
import { expectClose, f32, i32, rng, uniform } from './helpers.js';

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

interface Problem { B: number; N: number; d: number; q: number[]; table: number[]; bias: number[] | null; gold: number[] }

function problem(B: number, N: number, d: number, withBias: boolean, seed: number): Problem {
  const r = rng(seed);
  return { B, N, d, q: uniform(r, B * d, -1.5, 1.5), table: uniform(r, N * d, -1, 1), bias: withBias ? uniform(r, N, -2, 2) : null,
    gold: Array.from({ length: B }, () => Math.floor(r() * N)) };
}

type RowLoss = 'softmax' | 'bce';

/** softplus(x) = log(1 + eˣ) in float64, without overflow. */
const softplus = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));

/** The mean's factor of dL/ds: 1/B for the softmax, 1/(B·N) for BCE's mean over every score. */
const scaleOf = (p: Problem, loss: RowLoss): number => (loss === 'bce' ? 1 / (p.B * p.N) : 1 / p.B);

/**
 * With s = q·Eᵀ + β, in float64: softmax L = mean_b (log Σ_j exp s_bj − s_{b,g_b}); bce L = mean_{b,j} (softplus(s_bj)
 * − [j = g_b]·s_bj); and the gradients.
 */
function reference(p: Problem, kind: RowLoss = 'softmax'): { loss: number; dq: Float64Array; dE: Float64Array; db: Float64Array } {
  const { B, N, d, q, table, bias, gold } = p;
  const dq = new Float64Array(B * d), dE = new Float64Array(N * d), db = new Float64Array(N);
  const s = new Float64Array(N);
  let loss = 0;
  for (let b = 0; b < B; b++) {
    let m = -Infinity;
    for (let j = 0; j < N; j++) {
      let v = bias ? bias[j]! : 0;
      for (let k = 0; k < d; k++) v += q[b * d + k]! * table[j * d + k]!;
      s[j] = v;
      m = Math.max(m, v);
    }
    let Z = 0;
    for (let j = 0; j < N; j++) Z += kind === 'bce' ? softplus(s[j]!) : Math.exp(s[j]! - m);
    loss += ((kind === 'bce' ? Z : m + Math.log(Z)) - s[gold[b]!]!) * scaleOf(p, kind);
    for (let j = 0; j < N; j++) {
      const probability = kind === 'bce' ? 1 / (1 + Math.exp(-s[j]!)) : Math.exp(s[j]! - m) / Z;
      const g = (probability - (j === gold[b] ? 1 : 0)) * scaleOf(p, kind);
      for (let k = 0; k < d; k++) {
        dq[b * d + k] += g * table[j * d + k]!;
        dE[j * d + k] += g * q[b * d + k]!;
      }
      db[j] += g;
    }
  }
  return { loss, dq, dE, db };
}

/** The kernel's loss (mean) and gradients on a fresh memory; `threads` is read when its worker is first asked for. */
async function kernel(p: Problem, threads: 1 | 2, sizes: DenseEntityLossSizes = {}, repeats = 1, loss: RowLoss = 'softmax'): Promise<{ loss: number; dq: Float32Array; dE: Float32Array; db: Float32Array; twoThreads: boolean }[]> {
  const previous = process.env.KGDISTILL_THREADS;
  process.env.KGDISTILL_THREADS = String(threads);
  try {
    const k: Kernels = await loadKernels({ memory: new KernelMemory() });
    const { B, N, d } = p;
    const inputs = { B, N, d, table: f32(k, p.table), bias: p.bias ? f32(k, p.bias) : null, q: f32(k, p.q), gold: i32(k, p.gold),
      dq: k.memory.allocF32(B * d), gTable: k.memory.allocF32(N * d), gBias: p.bias ? k.memory.allocF32(N) : null, scale: scaleOf(p, loss), loss };
    const runs = [];
    for (let r = 0; r < repeats; r++) {
      inputs.gTable.array.fill(0);
      inputs.gBias?.array.fill(0);
      runs.push({ loss: denseEntityLoss(k, inputs, sizes) * inputs.scale, dq: inputs.dq.array.slice(), dE: inputs.gTable.array.slice(), db: inputs.gBias?.array.slice() ?? new Float32Array(0),
        twoThreads: k.worker() !== null });
    }
    return runs;
  } finally {
    if (previous === undefined) delete process.env.KGDISTILL_THREADS;
    else process.env.KGDISTILL_THREADS = previous;
  }
}

describe.each(['softmax', 'bce'] as const)('denseEntityLoss (1-N %s cross-entropy in one pass)', (loss) => {
  it.each([
    [1, 1, 4, true], [3, 5, 4, false], [7, 9, 12, true], [13, 37, 8, false], [37, 101, 12, true], [64, 250, 32, true], [45, 1003, 20, false],
  ])('matches float64 for B=%i N=%i d=%i (bias: %s)', async (B, N, d, withBias) => {
    const p = problem(B, N, d, withBias, B * 7919 + N);
    const ref = reference(p, loss);
    // small runs (4 rows), several groups of 12 rows: the last run and group partial
    const rowBytes = 4 * Math.ceil(N / 8) * 8;
    const [got] = await kernel(p, 1, { chunkBytes: 4 * rowBytes, groupBytes: 12 * rowBytes }, 1, loss);
    expect(Math.abs(got!.loss - ref.loss)).toBeLessThan(1e-5 * Math.max(1, ref.loss));
    const scale = (a: Float64Array): number => a.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    expectClose(got!.dq, ref.dq, 1e-4, 1e-6 * scale(ref.dq) + 1e-9, 'dq');
    expectClose(got!.dE, ref.dE, 1e-4, 1e-6 * scale(ref.dE) + 1e-9, 'dE');
    if (withBias) expectClose(got!.db, ref.db, 1e-4, 1e-6 * scale(ref.db) + 1e-9, 'db');
  });

  it('is finite and exact for extreme scores (large logits, the gold far below the max)', async () => {
    const p = problem(9, 17, 8, true, 5);
    p.q = p.q.map((x) => Math.fround(40 * x));
    const ref = reference(p, loss);
    const [got] = await kernel(p, 1, {}, 1, loss);
    expect(Number.isFinite(got!.loss)).toBe(true);
    expect(Math.abs(got!.loss - ref.loss)).toBeLessThan(1e-5 * Math.max(1, ref.loss));
    expectClose(got!.dq, ref.dq, 1e-4, 1e-6, 'dq');
    expectClose(got!.dE, ref.dE, 1e-4, 1e-6, 'dE');
  });

  it.each([true, false])('matches tfjs autodiff of the plain definition (bias: %s)', async (withBias) => {
    const p = problem(21, 53, 12, withBias, 11);
    const [got] = await kernel(p, 1, {}, 1, loss);
    tf.tidy(() => {
      const inputs = [tf.tensor2d(p.q, [p.B, p.d]), tf.tensor2d(p.table, [p.N, p.d]), ...(p.bias ? [tf.tensor2d(p.bias, [1, p.N])] : [])];
      const { value, grads } = tf.valueAndGrads((...xs: tf.Tensor[]) => {
        let s: tf.Tensor2D = tf.matMul(xs[0] as tf.Tensor2D, xs[1] as tf.Tensor2D, false, true);
        if (xs[2]) s = tf.add(s, xs[2]);
        return (loss === 'bce' ? allEntityBinaryCrossEntropy : softmaxCrossEntropy)(s, Int32Array.from(p.gold));
      })(inputs);
      expect(Math.abs(got!.loss - value.dataSync()[0]!)).toBeLessThan(1e-5);
      expectClose(got!.dq, grads[0]!.dataSync(), 1e-3, 1e-6, 'dq');
      expectClose(got!.dE, grads[1]!.dataSync(), 1e-3, 1e-6, 'dE');
      if (withBias) expectClose(got!.db, grads[2]!.dataSync(), 1e-3, 1e-6, 'db');
    });
  });

  it.each([false, true])('gives the same bits on one thread and two, and on repeated two-thread runs (groups: %s)', async (groups) => {
    const p = problem(203, 517, 16, true, 3);
    const rowBytes = 4 * Math.ceil(517 / 8) * 8;
    const sizes = { chunkBytes: 8 * rowBytes, groupBytes: groups ? 64 * rowBytes : undefined }; // runs of 8 rows
    expect(softmaxChunkRows(517, sizes.chunkBytes)).toBe(8);
    const [one] = await kernel(p, 1, sizes, 1, loss);
    const two = await kernel(p, 2, sizes, 3, loss);
    expect(one!.twoThreads).toBe(false);
    expect(two[0]!.twoThreads).toBe(os.availableParallelism() >= 2);
    for (const run of two) {
      expect(run.loss).toBe(one!.loss);
      expect(run.dq).toEqual(one!.dq);
      expect(run.dE).toEqual(one!.dE);
      expect(run.db).toEqual(one!.db);
    }
    const ref = reference(p, loss);
    expect(Math.abs(one!.loss - ref.loss)).toBeLessThan(1e-5 * ref.loss);
  });

  it('accumulates dE and dβ onto what the accumulators hold', async () => {
    const p = problem(10, 30, 8, true, 17);
    const k = await loadKernels({ memory: new KernelMemory() });
    const { B, N, d } = p;
    const start = uniform(rng(2), N * d, -1, 1), startBias = uniform(rng(3), N, -1, 1);
    const inputs = { B, N, d, table: f32(k, p.table), bias: f32(k, p.bias!), q: f32(k, p.q), gold: i32(k, p.gold),
      dq: k.memory.allocF32(B * d), gTable: f32(k, start), gBias: f32(k, startBias), scale: scaleOf(p, loss), loss };
    denseEntityLoss(k, inputs);
    const ref = reference(p, loss);
    expectClose(inputs.gTable.array, ref.dE.map((x, i) => x + start[i]!), 1e-4, 1e-6, 'dE');
    expectClose(inputs.gBias.array, ref.db.map((x, i) => x + startBias[i]!), 1e-4, 1e-6, 'db');
  });
});
