// The dense Poincaré softmax (assembly/dense-poincare.ts through dense-threads.ts `densePoincareLoss`) against a
// float64 reference — scores from similarityRef (−d_c(q, exp₀(v))², Chami et al. 2020, eq. (3)), gradients from
// similarityPartialsRef, and central finite differences of the float64 loss — for shapes whose B, N and d are not
// multiples of the tiles, with and without biases, over several runs of rows and groups; one thread and two give the
// same bits.
import { describe, expect, it } from 'vitest';
import { loadKernels, type Kernels } from '../../src/kernels/kernels.js';
import { KernelMemory } from '../../src/kernels/kernel-memory.js';
import { densePoincareLoss, type DenseEntityLossSizes } from '../../src/kernels/dense-threads.js';
import { similarityPartialsRef, similarityRef } from '../../src/kernels/reference.js';
import { SimilarityKind } from '../../src/kernels/kernel-host.js';
import { expectClose, f32, i32, rng, uniform } from './helpers.js';
import { withKernelThreads } from '../helpers/kernel-threads.js';

interface Problem { B: number; N: number; d: number; q: number[]; c: number[]; table: number[]; bias: number[] | null; gold: number[]; offset?: number[] }

type RowLoss = 'softmax' | 'bce';

/** softplus(x) = log(1 + eˣ) in float64, without overflow. */
const softplus = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));

/** The factor of dL/ds: 1/B for the softmax's batch mean, 1/(B·N) for the BCE's mean over every score. */
const scaleOf = (p: Problem, loss: RowLoss): number => (loss === 'bce' ? 1 / (p.B * p.N) : 1 / p.B);

/** Query points well inside their balls (‖q‖ < 0.5/√c), tangent rows of norm up to about 1.5, curvatures in [0.5, 1.5]. */
function problem(B: number, N: number, d: number, withBias: boolean, seed: number): Problem {
  const r = rng(seed);
  const span = 0.5 / Math.sqrt(d * 1.5);
  return { B, N, d, q: uniform(r, B * d, -span, span), c: uniform(r, B, 0.5, 1.5), table: uniform(r, N * d, -1.5 / Math.sqrt(d), 1.5 / Math.sqrt(d)),
    bias: withBias ? uniform(r, N, -1, 1) : null, gold: Array.from({ length: B }, () => Math.floor(r() * N)) };
}

const row = (a: ArrayLike<number>, i: number, d: number): number[] => Array.from({ length: d }, (_, k) => a[i * d + k]!);
const dotOf = (a: number[], b: number[]): number => a.reduce((s, x, k) => s + x * b[k]!, 0);

/**
 * The float64 loss: softmax, mean_b (log Σ_j exp s_bj − s_{b,g_b}); bce, mean_{b,j} (softplus(s_bj) − [j = g_b]·s_bj);
 * s = −d_c(q_b, exp₀(v_j))² + β_j (+ o_b, bce).
 */
function lossRef(p: Problem, kind: RowLoss = 'softmax'): number {
  let loss = 0;
  for (let b = 0; b < p.B; b++) {
    const q = row(p.q, b, p.d);
    const s = Array.from({ length: p.N }, (_, j) => similarityRef(SimilarityKind.NegSqPoincare, q, row(p.table, j, p.d), p.c[b]!) + (p.bias?.[j] ?? 0) + (kind === 'bce' ? p.offset?.[b] ?? 0 : 0));
    const m = Math.max(...s);
    loss += (kind === 'bce' ? s.reduce((z, x) => z + softplus(x), 0) : m + Math.log(s.reduce((z, x) => z + Math.exp(x - m), 0))) - s[p.gold[b]!]!;
  }
  return loss * scaleOf(p, kind);
}

/**
 * The float64 gradients from the partials: dq = Σ_j G(2s_X q + s_P v), dv = Σ_b G(2s_V v + s_P q), dc = Σ_j G s_c,
 * dβ = Σ_b G, do = Σ_j G (bce).
 */
function gradientsRef(p: Problem, kind: RowLoss = 'softmax'): { dq: Float64Array; dc: Float64Array; dcTerms: Float64Array; dE: Float64Array; db: Float64Array; doff: Float64Array } {
  const { B, N, d } = p;
  const dq = new Float64Array(B * d), dc = new Float64Array(B), dE = new Float64Array(N * d), db = new Float64Array(N), doff = new Float64Array(B);
  const dcTerms = new Float64Array(B); // Σ_j |G s_c|: the size of the terms dc_b sums, which cancel
  for (let b = 0; b < B; b++) {
    const q = row(p.q, b, d), X = dotOf(q, q), c = p.c[b]!;
    const parts = Array.from({ length: N }, (_, j) => {
      const v = row(p.table, j, d);
      return similarityPartialsRef(SimilarityKind.NegSqPoincare, X, dotOf(v, v), dotOf(q, v), c);
    });
    const s = parts.map((x, j) => x.s + (p.bias?.[j] ?? 0) + (kind === 'bce' ? p.offset?.[b] ?? 0 : 0));
    const m = Math.max(...s);
    const Z = s.reduce((z, x) => z + Math.exp(x - m), 0);
    for (let j = 0; j < N; j++) {
      const probability = kind === 'bce' ? 1 / (1 + Math.exp(-s[j]!)) : Math.exp(s[j]! - m) / Z;
      const G = (probability - (j === p.gold[b] ? 1 : 0)) * scaleOf(p, kind);
      const { sX, sV, sP, sc } = parts[j]!;
      for (let k = 0; k < d; k++) {
        dq[b * d + k] += G * (2 * sX * q[k]! + sP * p.table[j * d + k]!);
        dE[j * d + k] += G * (2 * sV * p.table[j * d + k]! + sP * q[k]!);
      }
      dc[b] += G * sc;
      dcTerms[b] += Math.abs(G * sc);
      db[j] += G;
      doff[b] += G;
    }
  }
  return { dq, dc, dcTerms, dE, db, doff };
}

type KernelResult = { loss: number; dq: Float32Array; dc: Float32Array; dE: Float32Array; db: Float32Array; doff: Float32Array };

/** The kernel's mean loss and gradients on a fresh memory; `threads` is read when its worker is first asked for. */
/** How `kernel` calls the loss: the factor of dL/ds (1/B), whether the biases take a gradient, a kernel set to reuse. */
interface KernelCall { sizes?: DenseEntityLossSizes; scale?: number; biasGradient?: boolean; kernels?: Kernels; loss?: RowLoss }

async function kernel(p: Problem, threads: 1 | 2, call: KernelCall = {}): Promise<KernelResult> {
  const kind = call.loss ?? 'softmax';
  const withOffset = kind === 'bce' && p.offset !== undefined;
  return withKernelThreads(threads, async () => {
    const k: Kernels = call.kernels ?? await loadKernels({ memory: new KernelMemory() });
    const { B, N, d } = p;
    const withGradient = call.biasGradient ?? p.bias !== null;
    const inputs = { B, N, d, table: f32(k, p.table), bias: p.bias ? f32(k, p.bias) : null, q: f32(k, p.q), c: f32(k, p.c),
      gold: i32(k, p.gold), dq: k.memory.allocF32(B * d), dc: k.memory.allocF32(B), gTable: k.memory.allocF32(N * d),
      gBias: withGradient ? k.memory.allocF32(N) : null, scale: call.scale ?? scaleOf(p, kind), loss: kind,
      offset: withOffset ? f32(k, p.offset!) : null, doffset: withOffset ? k.memory.allocF32(B) : null };
    const loss = densePoincareLoss(k, inputs, call.sizes ?? {}) * scaleOf(p, kind);
    if (threads === 2 && B > 4) expect(k.worker()).not.toBeNull();
    return { loss, dq: inputs.dq.array.slice(), dc: inputs.dc.array.slice(), dE: inputs.gTable.array.slice(), db: inputs.gBias?.array.slice() ?? new Float32Array(0),
      doff: inputs.doffset?.array.slice() ?? new Float32Array(0) };
  });
}

const largest = (a: ArrayLike<number>): number => Array.from(a).reduce((m, x) => Math.max(m, Math.abs(x)), 0);

describe('densePoincareLoss (1-N softmax of Poincaré scores in one pass)', () => {
  it.each([
    [1, 1, 4, true], [3, 5, 4, false], [7, 9, 12, true], [13, 37, 8, false], [37, 101, 12, true], [45, 203, 20, true],
  ])('matches float64 for B=%i N=%i d=%i (bias: %s)', async (B, N, d, withBias) => {
    const p = problem(B, N, d, withBias, B * 7919 + N);
    const ref = gradientsRef(p);
    const rowBytes = 4 * Math.ceil(N / 8) * 8; // runs of 4 rows, groups of 12 (the last run and group partial)
    const got = await kernel(p, 1, { sizes: { chunkBytes: 4 * rowBytes, groupBytes: 12 * 3 * rowBytes } });
    expect(Math.abs(got.loss - lossRef(p))).toBeLessThan(1e-5 * Math.max(1, lossRef(p)));
    expectClose(got.dq, ref.dq, 1e-3, 1e-5 * largest(ref.dq) + 1e-9, 'dq');
    ref.dc.forEach((x, b) => expect(Math.abs(got.dc[b]! - x), `dc[${b}]`).toBeLessThanOrEqual(1e-3 * Math.abs(x) + 1e-5 * ref.dcTerms[b]!));
    expectClose(got.dE, ref.dE, 1e-3, 1e-5 * largest(ref.dE) + 1e-9, 'dE');
    if (withBias) expectClose(got.db, ref.db, 1e-3, 1e-5 * largest(ref.db) + 1e-9, 'db');
    if (N > 1) expect(largest(ref.dE)).toBeGreaterThan(1e-4);
  });

  it.each([
    [1, 1, 4, true], [7, 9, 12, true], [13, 37, 8, false], [37, 101, 12, true],
  ])("matches float64 with the binary cross-entropy for B=%i N=%i d=%i (bias: %s), the rows' offsets and their gradient", async (B, N, d, withBias) => {
    const p = problem(B, N, d, withBias, B * 104729 + N);
    p.offset = uniform(rng(B), B, -2, 2);
    const ref = gradientsRef(p, 'bce');
    const rowBytes = 4 * Math.ceil(N / 8) * 8; // runs of 4 rows, groups of 12
    const got = await kernel(p, 1, { sizes: { chunkBytes: 3 * 4 * rowBytes, groupBytes: 12 * 3 * rowBytes }, loss: 'bce' });
    expect(Math.abs(got.loss - lossRef(p, 'bce'))).toBeLessThan(1e-5 * lossRef(p, 'bce'));
    expectClose(got.dq, ref.dq, 1e-3, 1e-5 * largest(ref.dq) + 1e-12, 'dq');
    ref.dc.forEach((x, b) => expect(Math.abs(got.dc[b]! - x), `dc[${b}]`).toBeLessThanOrEqual(1e-3 * Math.abs(x) + 1e-5 * ref.dcTerms[b]!));
    expectClose(got.dE, ref.dE, 1e-3, 1e-5 * largest(ref.dE) + 1e-12, 'dE');
    expectClose(got.doff, ref.doff, 1e-3, 1e-5 * largest(ref.doff) + 1e-12, 'doffset');
    if (withBias) expectClose(got.db, ref.db, 1e-3, 1e-5 * largest(ref.db) + 1e-12, 'db');
    expect(largest(ref.doff)).toBeGreaterThan(1e-4); // the offsets take a real gradient
  });

  it('refuses row offsets with the softmax, which they leave unchanged, and offsets without their gradient', async () => {
    const p = problem(5, 9, 4, true, 3);
    p.offset = [1, 2, 3, 4, 5];
    const k = await loadKernels({ memory: new KernelMemory() });
    const inputs = { B: 5, N: 9, d: 4, table: f32(k, p.table), bias: f32(k, p.bias!), q: f32(k, p.q), c: f32(k, p.c), gold: i32(k, p.gold),
      dq: k.memory.allocF32(20), dc: k.memory.allocF32(5), gTable: k.memory.allocF32(36), gBias: k.memory.allocF32(9), scale: 0.2,
      offset: f32(k, p.offset), doffset: k.memory.allocF32(5) };
    expect(() => densePoincareLoss(k, inputs)).toThrow('densePoincareRows: a softmax takes no row offsets (they leave it unchanged)');
    expect(() => densePoincareLoss(k, { ...inputs, loss: 'bce', doffset: null })).toThrow(
      'densePoincareRows: row offsets and their gradient go together (offset given, doffset missing)');
  });

  it('has the gradient of the float64 loss by central finite differences (every q, c, v and β)', async () => {
    const p = problem(6, 11, 8, true, 17);
    const got = await kernel(p, 1);
    const h = 1e-6;
    const fd = (values: number[], i: number): number => {
      const x = values[i]!;
      values[i] = x + h;
      const up = lossRef(p);
      values[i] = x - h;
      const down = lossRef(p);
      values[i] = x;
      return (up - down) / (2 * h);
    };
    const check = (values: number[], grad: Float32Array, what: string): void => {
      const numeric = values.map((_, i) => fd(values, i));
      expectClose(grad, numeric, 2e-3, 2e-6, what);
    };
    check(p.q, got.dq, 'dq');
    check(p.c, got.dc, 'dc');
    check(p.table, got.dE, 'dE');
    check(p.bias!, got.db, 'db');
  });

  it('holds near the boundary: √c‖q‖ up to 0.98, c up to 5, ‖v‖ up to 4 (finite, and float64 within 1e-4 of the largest)', async () => {
    const r = rng(41);
    const B = 19, N = 53, d = 12;
    const c = uniform(r, B, 0.2, 5);
    const q: number[] = [];
    for (let b = 0; b < B; b++) { // a random direction at radius ρ/√c, ρ up to 0.98
      const u = uniform(r, d, -1, 1), norm = Math.hypot(...u), rho = 0.3 + 0.68 * r();
      q.push(...u.map((x) => (x / norm) * rho / Math.sqrt(c[b]!)));
    }
    const p: Problem = { B, N, d, q, c, table: uniform(r, N * d, -4 / Math.sqrt(d), 4 / Math.sqrt(d)), bias: uniform(r, N, -3, 3),
      gold: Array.from({ length: B }, () => Math.floor(r() * N)) };
    const got = await kernel(p, 1);
    const ref = gradientsRef(p);
    for (const a of [got.dq, got.dc, got.dE, got.db]) expect(a.every(Number.isFinite)).toBe(true);
    expect(Math.abs(got.loss - lossRef(p))).toBeLessThan(1e-5 * lossRef(p));
    expectClose(got.dq, ref.dq, 1e-3, 1e-4 * largest(ref.dq), 'dq');
    expectClose(got.dE, ref.dE, 1e-3, 1e-4 * largest(ref.dE), 'dE');
    expectClose(got.db, ref.db, 1e-3, 1e-4 * largest(ref.db), 'db');
    // dL/dc sums terms that cancel, and so does each s_c (poincare.ts: its float32 error is ~1e-7 of its largest term, up
    // to (4/c)·artanh² ≈ 10³ at c = 0.2 out here): measured up to 1.6e-2 of Σ_j |G s_c| (one row), most rows under 1e-3
    ref.dc.forEach((x, b) => expect(Math.abs(got.dc[b]! - x), `dc[${b}]`).toBeLessThanOrEqual(1e-2 * Math.abs(x) + 2e-2 * ref.dcTerms[b]!));
    const relativeToTerms = Array.from(ref.dc).map((x, b) => Math.abs(got.dc[b]! - x) / ref.dcTerms[b]!).sort((a, b) => a - b);
    expect(relativeToTerms[Math.floor(B / 2)]).toBeLessThan(1e-3); // the median row
  });

  it('scales every gradient by the factor of dL/ds; frozen biases score without a gradient; a zero-bias gradient needs no bias', async () => {
    const p = problem(9, 29, 8, true, 23);
    const base = await kernel(p, 1);
    const scaled = await kernel(p, 1, { scale: 2.5 / p.B });
    expect(scaled.loss).toBe(base.loss); // the returned sum of row losses does not depend on the factor
    for (const key of ['dq', 'dc', 'dE', 'db'] as const) expectClose(scaled[key], base[key].map((x) => 2.5 * x), 1e-5, 1e-7 * largest(base[key]), key); // float32 rounding
    const frozen = await kernel(p, 1, { biasGradient: false });
    expect(frozen.loss).toBe(base.loss);
    expect(frozen.dq).toEqual(base.dq);
    expect(frozen.dE).toEqual(base.dE);
    expect(frozen.db.length).toBe(0);
    const noBias = { ...p, bias: null };
    const zeroBias = { ...p, bias: new Array<number>(p.N).fill(0) };
    const gradientWithout = await kernel(noBias, 1, { biasGradient: true });
    const gradientWith = await kernel(zeroBias, 1);
    expect(gradientWithout.db).toEqual(gradientWith.db);
    expectClose(gradientWithout.db, gradientsRef(zeroBias).db, 1e-3, 1e-6, 'db without a bias');
  });

  it("gives a fresh memory's bits when its scratch was used before by a larger batch and table", async () => {
    const big = problem(41, 157, 16, true, 5), small = problem(7, 45, 16, true, 6);
    const k = await loadKernels({ memory: new KernelMemory() });
    await kernel(big, 1, { kernels: k });
    const reused = await kernel(small, 1, { kernels: k });
    const fresh = await kernel(small, 1);
    expect(reused.loss).toBe(fresh.loss);
    for (const key of ['dq', 'dc', 'dE', 'db'] as const) expect(reused[key]).toEqual(fresh[key]);
  });

  it.each(['softmax', 'bce'] as const)('gives the same bits on one thread and two, and rows the same bits in groups and runs of any size (%s)', async (loss) => {
    const p = problem(61, 203, 16, true, 3);
    if (loss === 'bce') p.offset = Array.from({ length: 61 }, (_, b) => (b % 3 === 0 ? 100 : b % 3 === 1 ? -30 : 0.5)); // |s| far past 17
    const rowBytes = 4 * Math.ceil(203 / 8) * 8;
    const sizes = { chunkBytes: 3 * 8 * rowBytes }; // runs of 8 rows
    const one = await kernel(p, 1, { sizes, loss }), two = await kernel(p, 2, { sizes, loss }), again = await kernel(p, 2, { sizes, loss });
    expect(Number.isFinite(one.loss)).toBe(true);
    for (const other of [two, again]) {
      expect(other.loss).toBe(one.loss);
      for (const key of ['dq', 'dc', 'dE', 'db', 'doff'] as const) expect(other[key]).toEqual(one[key]);
    }
    for (const runRows of [8, 4]) { // groups of 16 rows, in runs of 8 (as above) or 4
      const grouped = await kernel(p, 2, { sizes: { chunkBytes: 3 * runRows * rowBytes, groupBytes: 16 * 3 * rowBytes }, loss });
      expect(grouped.loss).toBeCloseTo(one.loss, 10); // row losses summed group by group (f64)
      expect(grouped.dq).toEqual(one.dq); // rows depend neither on the grouping nor on the runs
      expect(grouped.dc).toEqual(one.dc);
      expect(grouped.doff).toEqual(one.doff);
      expectClose(grouped.dE, one.dE, 1e-5, 1e-8, 'dE in groups'); // column sums added group by group
      expectClose(grouped.db, one.db, 1e-5, 1e-8, 'db in groups');
    }
  });

  it('sums the binary cross-entropy of many entities without offsets or biases (N = 3001, scores near 0: 751 blocks of factors)', async () => {
    const r = rng(77);
    const B = 5, N = 3001, d = 4;
    const p: Problem = { B, N, d, q: uniform(r, B * d, -1e-3, 1e-3), c: uniform(r, B, 0.5, 1.5), table: uniform(r, N * d, -1e-3, 1e-3), bias: null,
      gold: [0, 7, 3000, 1500, 2] };
    const got = await kernel(p, 1, { loss: 'bce' });
    const ref = gradientsRef(p, 'bce');
    expect(got.doff.length).toBe(0);
    expect(Math.abs(got.loss - Math.LN2)).toBeLessThan(1e-4); // every score ≈ 0: softplus(0) = log 2
    expect(Math.abs(got.loss - lossRef(p, 'bce'))).toBeLessThan(1e-6);
    expectClose(got.dq, ref.dq, 2e-3, 1e-5 * largest(ref.dq), 'dq');
    expectClose(got.dE, ref.dE, 2e-3, 1e-5 * largest(ref.dE), 'dE');
  });
});
