// The kernels on an unshared memory (a page that is not cross-origin isolated): the one home of "shared memory is
// available here" (true in Node), the patch of the module's memory import (one flag byte of build/kernels.wasm, the
// module then linking to an unshared memory and computing the same bits as on a shared one, its atomic row counter
// included, after the memory grew under the blocks), the URL loader adapting the module, and malformed modules.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { instantiate, loadKernels, SimilarityKind, useKernelModule, type Kernels } from '../../src/kernels/kernels.js';
import { hostKernelModule } from '../../src/kernels/kernel-host.js';
import { KernelMemory, type F32Block } from '../../src/kernels/kernel-memory.js';
import { loadKernelsFromUrl } from '../../src/kernels/kernel-loader-browser.js';
import { sharedMemoryAvailable, unshareMemoryImport } from '../../src/kernels/shared-memory.js';
import { denseKernels, denseScoreTable } from '../../src/kernels/dense-threads.js';
import { f32, i32, rng, uniform } from './helpers.js';

const WASM = path.resolve(import.meta.dirname, '..', '..', 'build', 'kernels.wasm');
const bytes = new Uint8Array(readFileSync(WASM));
const URL_ = 'https://site.example/kernels.wasm';
/** The import `env.memory` as the binary spells it (name lengths, names, kind 2 = memory): its limits flag follows. */
const MEMORY_IMPORT = [3, ...new TextEncoder().encode('env'), 6, ...new TextEncoder().encode('memory'), 2];

/** Where the limits flag of the `env.memory` import is (found by its bytes, not by the function under test). */
function memoryFlagAt(b: Uint8Array): number {
  for (let i = 0; i + MEMORY_IMPORT.length < b.length; i++) if (MEMORY_IMPORT.every((x, k) => b[i + k] === x)) return i + MEMORY_IMPORT.length;
  throw new Error('no env.memory import');
}

/** Runs `body` with globalThis' `name` set to `value` (restored after). */
async function withGlobal<T>(name: string, value: unknown, body: () => T | Promise<T>): Promise<T> {
  const g = globalThis as Record<string, unknown>;
  const had = Object.hasOwn(g, name), saved = g[name];
  g[name] = value;
  try {
    return await body();
  } finally {
    if (had) g[name] = saved;
    else delete g[name];
  }
}

const unsharedModule = (): Promise<WebAssembly.Module> => WebAssembly.compile(unshareMemoryImport(bytes, WASM));

/** similarityForward of every kind and denseScores with its atomic row counter, on kernels `k`; the memory grows under the inputs first. */
function scores(k: Kernels): Float32Array[] {
  const r = rng(7);
  const B = 5, M = 6, N = 11, d = 8;
  const q = f32(k, uniform(r, B * d, -0.3, 0.3)), table = f32(k, uniform(r, N * d, -0.3, 0.3));
  const cand = i32(k, Array.from({ length: B * M }, () => Math.floor(r() * N))), c = f32(k, uniform(r, B, 0.5, 1.5));
  const before = k.memory.byteLength;
  k.memory.allocF32(2 * before); // grows the memory: an unshared one detaches the buffer the views above were made on
  expect(k.memory.byteLength).toBeGreaterThan(before);
  const out: Float32Array[] = [];
  for (const kind of Object.values(SimilarityKind)) {
    const o = k.memory.allocF32(B * M);
    k.similarityForward(kind, B, M, d, q, cand, table, kind === SimilarityKind.NegSqPoincare ? c : null, o);
    out.push(o.array.slice());
  }
  const x2 = f32(k, Array.from({ length: B }, (_, b) => q.array.subarray(b * d, b * d + d).reduce((s, v) => s + v * v, 0)));
  const v2 = Float32Array.from({ length: N }, (_, j) => table.array.subarray(j * d, j * d + d).reduce((s, v) => s + v * v, 0));
  const dense = denseKernels(k);
  const side = denseScoreTable(k, table, N, d, v2, undefined);
  const all: F32Block = k.memory.allocF32(B * N), counter = k.memory.allocI32(1);
  dense.run('denseScores', dense.denseScoresArgs(SimilarityKind.NegSqEuclidean, B, { q, x2, c: null, rowBias: null }, side, k.memory.allocF32(32), all, counter, 2));
  expect(counter.array[0]).toBeGreaterThanOrEqual(B); // the rows were taken through the atomic counter
  out.push(all.array.slice());
  return out;
}

describe('shared memory on this host', () => {
  it('is available in Node (so Node keeps its shared memory and kernel worker), not where the page is not isolated or has no SharedArrayBuffer', async () => {
    expect(sharedMemoryAvailable()).toBe(true);
    expect(new KernelMemory().shared).toBe(true);
    await withGlobal('crossOriginIsolated', true, () => expect(sharedMemoryAvailable()).toBe(true));
    await withGlobal('crossOriginIsolated', false, () => {
      expect(sharedMemoryAvailable()).toBe(false);
      expect(new KernelMemory().shared).toBe(false); // KernelMemory follows it
    });
    await withGlobal('SharedArrayBuffer', undefined, () => expect(sharedMemoryAvailable()).toBe(false));
  });
});

describe('unshareMemoryImport', () => {
  it("clears the shared bit of build/kernels.wasm's memory import: one byte, 0x03 → 0x01, nothing else", () => {
    const at = memoryFlagAt(bytes);
    expect(bytes[at]).toBe(0x03); // shared, with a maximum
    const patched = unshareMemoryImport(bytes, WASM);
    expect(patched.length).toBe(bytes.length);
    expect(patched[at]).toBe(0x01);
    expect(patched.findIndex((b, i) => b !== bytes[i] && i !== at)).toBe(-1);
    expect(bytes[at]).toBe(0x03); // the input is left as it was
    expect(unshareMemoryImport(patched, WASM)).toEqual(patched); // an unshared import stays so
  });

  it('gives a module that links to an unshared memory (the file as built does not) and computes the same bits as on a shared one', async () => {
    const original = await WebAssembly.compile(bytes);
    const unsharedMemory = new KernelMemory({ shared: false });
    expect(unsharedMemory.shared).toBe(false);
    expect(() => instantiate(original, WASM, unsharedMemory)).toThrow(`kernels: ${WASM} imports a shared memory, which this host cannot make`);
    const unshared = instantiate(await unsharedModule(), WASM, new KernelMemory({ shared: false, initialBytes: 1 }));
    const shared = await loadKernels({ wasmPath: WASM, memory: new KernelMemory({ initialBytes: 1 }) });
    expect(shared.memory.shared).toBe(true);
    expect(unshared.memory.shared).toBe(false);
    const [a, b] = [scores(shared), scores(unshared)];
    expect(b).toHaveLength(Object.keys(SimilarityKind).length + 1);
    for (const x of b) expect(x.every(Number.isFinite) && x.some((v) => v !== 0)).toBe(true);
    expect(b).toEqual(a);
  });

  it('names the URL of a module that is malformed or imports no memory', () => {
    const cut = bytes.slice(0, memoryFlagAt(bytes) - 3);
    expect(() => unshareMemoryImport(cut, URL_)).toThrow(new RegExp(`^kernels: ${URL_} is not a well-formed WebAssembly module \\(section 2 of \\d+ bytes runs past the end at byte \\d+\\)`));
    expect(() => unshareMemoryImport(new TextEncoder().encode('<!doctype html>'), URL_)).toThrow(`kernels: ${URL_} is not a well-formed WebAssembly module (no \\0asm version 1 header at byte 0)`);
    const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    const noImports = new Uint8Array(header);
    const noMemory = new Uint8Array([...header, 2, 7, 1, 1, 0x6d, 1, 0x66, 0, 0]); // one import: m.f, a function of type 0
    expect(WebAssembly.validate(noImports)).toBe(true);
    for (const m of [noImports, noMemory]) expect(() => unshareMemoryImport(m, URL_)).toThrow(`kernels: ${URL_} imports no memory, so it is not kgdistill's kernels`);
    const badKind = new Uint8Array([...header, 2, 7, 1, 1, 0x6d, 1, 0x66, 9, 0]);
    expect(() => unshareMemoryImport(badKind, URL_)).toThrow('(import 0 has the unknown kind 9 at byte 15)');
    const longSize = new Uint8Array([...header, 2, 8, 1, 1, 0x6d, 1, 0x66, 0, 0]); // declares a byte more than it holds
    expect(() => unshareMemoryImport(longSize, URL_)).toThrow(/section 2 of 8 bytes runs past the end/);
    const shortSize = new Uint8Array([...header, 2, 6, 1, 1, 0x6d, 1, 0x66, 0, 0, 0]); // its import ends past the declared end
    expect(() => unshareMemoryImport(shortSize, URL_)).toThrow('(the imports do not end where their section says, byte 16, but at byte 17)');
  });
});

describe('loadKernelsFromUrl where shared memory is not available', () => {
  afterEach(() => useKernelModule(undefined as unknown as WebAssembly.Module));

  it('compiles the kernels to import an unshared memory, which KernelMemory then makes: they instantiate and run', async () => {
    const fetcher = (async () => new Response(readFileSync(WASM))) as typeof fetch;
    await withGlobal('crossOriginIsolated', false, async () => {
      const module = await loadKernelsFromUrl(URL_, fetcher);
      expect(hostKernelModule()).toBe(module);
      const k = await loadKernels(); // the host's module, on a new (unshared) KernelMemory
      expect(k.memory.shared).toBe(false);
      expect(scores(k)).toEqual(scores(await loadKernels({ wasmPath: WASM, memory: new KernelMemory({ shared: true }) })));
    });
  });
});
