// KernelMemory (growth, alignment, sharing across threads), the loader's errors and the wrappers' bounds checks.
import { mkdtempSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KernelMemory, RESERVED_BYTES, ScratchBlocks } from '../../src/kernels/kernel-memory.js';
import { checkKernelsFile, findPackageRoot, loadKernels, SimilarityKind, type Kernels }
  from '../../src/kernels/kernels.js';
import { similarityForwardRef } from '../../src/kernels/reference.js';
import { expectClose, f32, i32, rng, uniform } from './helpers.js';

let k: Kernels;
beforeAll(async () => { k = await loadKernels(); });
beforeEach(() => k.memory.reset());

describe('KernelMemory', () => {
  it('is shared, 16-byte aligned, zero-filled and starts past the reserved page', () => {
    expect(k.memory.shared).toBe(true);
    expect(k.memory.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    const a = k.memory.allocF32(3), b = k.memory.allocI32(5), c = k.memory.allocF32(1);
    expect(a.offset).toBe(RESERVED_BYTES);
    for (const x of [a, b, c]) expect(x.offset % 16).toBe(0);
    expect(b.offset).toBe(a.offset + 16);
    a.array.set([1, 2, 3]);
    k.memory.reset();
    expect(Array.from(k.memory.allocF32(3).array)).toEqual([0, 0, 0]); // reused memory is zeroed
  });

  it('ScratchBlocks: a name keeps its block while it is long enough, grows by half again at least, and exact views have the asked length', () => {
    const mem = new KernelMemory({ initialBytes: 65536 });
    const scratch = new ScratchBlocks(mem);
    const first = scratch.f32('x', 10);
    expect(scratch.f32('x', 8)).toBe(first);
    const exact = scratch.f32Exact('x', 7);
    expect([exact.offset, exact.length]).toEqual([first.offset, 7]);
    const grown = scratch.f32('x', 11);
    expect(grown.length).toBe(15); // max(11, 1.5 × 10)
    expect(grown.offset).not.toBe(first.offset);
    const ints = scratch.i32Exact('x', 3); // ints and floats are separate names
    expect([ints.length, ints.offset === grown.offset]).toEqual([3, false]);
  });

  it('grows on demand and keeps earlier blocks valid (views re-created)', async () => {
    const mem = new KernelMemory({ initialBytes: 2 * 65536 });
    const kk = await loadKernels({ memory: mem });
    const small = mem.allocF32(4);
    small.array.set([1, 2, 3, 4]);
    const before = mem.byteLength;
    const big = mem.allocF32(3_000_000); // 12 MB: forces growth
    expect(mem.byteLength).toBeGreaterThan(before);
    expect(big.array.length).toBe(3_000_000);
    expect(Array.from(small.array)).toEqual([1, 2, 3, 4]);
    expect(small.array.buffer).toBe(mem.memory.buffer);
    // the kernels see the grown memory too
    const out = mem.allocF32(1);
    big.array.set([1, 1, 1, 1], 2_999_996);
    kk.similarityForward(SimilarityKind.Dot, 1, 1, 4, small, i32(kk, [749_999]), big, null, out);
    expect(out.array[0]).toBe(10);
  });

  it('adopted memory gives views but no allocator; the maximum is enforced', () => {
    const adopted = new KernelMemory({ memory: k.memory.memory });
    const a = k.memory.allocF32(2);
    a.array.set([5, 6]);
    expect(Array.from(adopted.f32At(a.offset, 2).array)).toEqual([5, 6]);
    expect(() => adopted.allocF32(1)).toThrow(/adopted/);
    expect(() => adopted.f32At(8, 1)).toThrow(/reserved/);
    const tiny = new KernelMemory({ maximumPages: 4 });
    expect(() => tiny.allocF32(1_000_000)).toThrow('kernel memory is full: 3.9 MiB needed, more than the 256 KiB this WebAssembly memory may hold (at most 4 GiB in wasm32; 64 KiB in use by tables and scratch): lower the batch size, negatives, dimension or top-K (--batch-size, --neg, --dim, --top-k; batchSize, neg, dim, topK in code), or use fewer entities');
  });

  it('a worker thread runs the kernels on the same shared tables', async () => {
    const r = rng(9), B = 4, M = 6, N = 10, d = 8;
    const q = uniform(r, B * d, -1, 1), table = uniform(r, N * d, -1, 1);
    const cand = Array.from({ length: B * M }, () => Math.floor(r() * N));
    const qb = f32(k, q), cb = i32(k, cand), tb = f32(k, table), out = k.memory.allocF32(B * M);
    const wasmPath = path.join(findPackageRoot(), 'build', 'kernels.wasm');
    const code = `
      const { parentPort, workerData: w } = require('node:worker_threads');
      const m = new WebAssembly.Module(require('node:fs').readFileSync(w.wasmPath));
      const inst = new WebAssembly.Instance(m, { env: { memory: w.memory, abort() { throw new Error('abort'); } } });
      inst.exports.similarityForward(...w.args);
      parentPort.postMessage('done');`;
    const args = [SimilarityKind.NegSqEuclidean, B, M, d, qb.offset, cb.offset, tb.offset, 0, out.offset];
    const worker = new Worker(code, { eval: true, workerData: { memory: k.memory.memory, wasmPath, args } });
    await new Promise<void>((resolve, reject) => {
      worker.on('message', () => resolve());
      worker.on('error', reject);
    });
    await worker.terminate();
    expectClose(out.array, similarityForwardRef(SimilarityKind.NegSqEuclidean, B, M, d, q, cand, table, null),
      1e-5, 1e-5);
  });
});

describe('loader errors', () => {
  it('a missing wasm file names the build command', async () => {
    await expect(loadKernels({ wasmPath: '/nonexistent/kernels.wasm' })).rejects.toThrow(/npm run build:kernels/);
  });

  it('a wasm file older than the kernel sources is reported as stale', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'kgk-'));
    mkdirSync(path.join(root, 'build'));
    mkdirSync(path.join(root, 'src/kernels/assembly'), { recursive: true });
    const wasm = path.join(root, 'build/kernels.wasm'), src = path.join(root, 'src/kernels/assembly/index.ts');
    writeFileSync(wasm, '');
    writeFileSync(src, '');
    utimesSync(wasm, new Date(1_000_000), new Date(1_000_000));
    expect(() => checkKernelsFile(wasm, root)).toThrow(/stale build.*npm run build:kernels/);
    utimesSync(src, new Date(0), new Date(0));
    expect(() => checkKernelsFile(wasm, root)).not.toThrow();
    rmSync(root, { recursive: true, force: true });
  });
});

describe('bounds checks throw instead of corrupting memory', () => {
  const d = 8, B = 2, M = 3, N = 4;
  const blocks = () => ({
    q: k.memory.allocF32(B * d), cand: i32(k, [0, 1, 2, 3, 0, 1]), table: k.memory.allocF32(N * d),
    c: f32(k, [1, 1]), out: k.memory.allocF32(B * M),
  });

  it('similarityForward', () => {
    const { q, cand, table, c, out } = blocks();
    const fwd = (kind: number, b: number, m: number, dd: number, o = out, cc: typeof c | null = c, qq = q,
      cd = cand) => () => k.similarityForward(kind as SimilarityKind, b, m, dd, qq, cd, table, cc, o);
    expect(fwd(0, B, M, d)).not.toThrow();
    expect(fwd(0, B, M, 6)).toThrow(/multiple of 4/);
    expect(fwd(7, B, M, d)).toThrow(/unknown SimilarityKind/);
    expect(fwd(0, B + 1, M, d)).toThrow(/q has 16 elements, needs 24/);
    expect(fwd(0, B, M, d, k.memory.allocF32(5))).toThrow(/out has 5/);
    expect(fwd(3, B, M, d, out, null)).toThrow(/curvature/);
    expect(fwd(3, B, M, d, out, f32(k, [1, 0]))).toThrow(/c\[1\] = 0/);
    expect(fwd(0, B, M, d, out, c, q, i32(k, [0, 1, 2, 4, 0, 1]))).toThrow(/cand\[3\] = 4 is outside \[0, 4\)/);
    expect(fwd(0, B, M, d, out, c, q, i32(k, [0, 1, -1, 3, 0, 1]))).toThrow(/cand\[2\] = -1/);
    expect(fwd(0, B, M, d, k.memory.f32At(q.offset, B * M))).toThrow(/out overlaps q/);
    const other = new KernelMemory().allocF32(B * d);
    expect(fwd(0, B, M, d, out, c, other)).toThrow(/another KernelMemory|not a block/);
  });

  it('similarityBackward and the optimisers', () => {
    const { q, cand, table, c } = blocks();
    const ds = k.memory.allocF32(B * M), dq = k.memory.allocF32(B * d), g = k.memory.allocF32(N * d);
    expect(() => k.similarityBackward(0, B, M, d, q, cand, table, null, ds, dq, k.memory.allocF32(N * d - d), null))
      .toThrow(/gtable/);
    expect(() => k.similarityBackward(3, B, M, d, q, cand, table, c, ds, dq, g, null)).toThrow(/dc/);
    expect(() => k.similarityBackward(0, B, M, d, q, cand, table, null, ds, q, g, null)).toThrow(/dq overlaps q/);
    const rows = i32(k, [0, 5]), acc = k.memory.allocF32(N * d);
    expect(() => k.adagradRows(rows, 2, d, table, g, acc, 0.1)).toThrow(/rows\[1\] = 5/);
    expect(() => k.adagradRows(rows, 1, d, table, g, g, 0.1)).toThrow(/overlaps/);
    expect(() => k.adagradRows(rows, 1, d, table, g, acc, NaN)).toThrow(/lr/);
    expect(() => k.adamRows(rows, 1, d, table, g, acc, k.memory.allocF32(N * d), 0.1, 0.9, 0.999, 1e-8, 0))
      .toThrow(/step/);
    expect(() => k.adamDense(N * d + 1, table, g, acc, k.memory.allocF32(N * d), 0.1, 0.9, 0.999, 1e-8, 1))
      .toThrow(/needs 33/);
    expect(() => k.gatherRows(2, d, rows, table, k.memory.allocF32(2 * d))).toThrow(/rows\[1\] = 5/);
  });
});
