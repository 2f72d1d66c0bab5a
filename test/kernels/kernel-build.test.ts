// The two kernel builds (kernel-build.ts): the fused one rounds a·b + c once, the portable one twice; both agree
// with the float64 reference; the choice follows KGDISTILL_KERNELS and refuses a value it does not know.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KernelMemory } from '../../src/kernels/kernel-memory.js';
import { findPackageRoot, loadKernels, SimilarityKind, type Kernels } from '../../src/kernels/kernels.js';
import { KERNEL_BUILDS, kernelBuild, kernelsPath, type KernelBuild } from '../../src/kernels/kernel-build.js';
import { similarityForwardRef } from '../../src/kernels/reference.js';
import { expectClose, f32, i32, rng, uniform } from './helpers.js';

const root = findPackageRoot();
/** Whether this CPU has fused multiply-add (V8 lowers relaxed_madd to a multiply and an add without it). */
const cpuHasFma = existsSync('/proc/cpuinfo') && /\bfma\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
const load = (build: KernelBuild): Promise<Kernels> =>
  loadKernels({ wasmPath: path.join(root, 'build', KERNEL_BUILDS[build]), memory: new KernelMemory() });

/** q·e of one query against one row through the Dot similarity kernel. */
function dotScore(k: Kernels, q: number[], e: number[]): number {
  const out = k.memory.allocF32(1);
  k.similarityForward(SimilarityKind.Dot, 1, 1, q.length, f32(k, q), i32(k, [0]), f32(k, e), null, out);
  return out.array[0]!;
}

describe('kernel builds', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('fuses the multiply-add in the fma build only (one rounding against two)', async () => {
    // d = 16: coordinates 0 and 8 meet in the same accumulator lane. Coordinate 0 puts −(1 + 2⁻¹¹) there; coordinate
    // 8 adds (1 + 2⁻¹²)² = 1 + 2⁻¹¹ + 2⁻²⁴, which float32 rounds to 1 + 2⁻¹¹ (a tie, to even): 0 with two roundings,
    // 2⁻²⁴ fused.
    const q = new Array<number>(16).fill(0), e = new Array<number>(16).fill(0);
    q[0] = 1; e[0] = -(1 + 2 ** -11);
    q[8] = 1 + 2 ** -12; e[8] = 1 + 2 ** -12;
    expect(dotScore(await load('portable'), q, e)).toBe(0);
    if (kernelBuild(root) === 'fma' && cpuHasFma) expect(dotScore(await load('fma'), q, e)).toBe(2 ** -24);
  });

  it('both builds match the float64 reference on random rows', async () => {
    const r = rng(3), B = 5, M = 7, N = 11, d = 32;
    const q = uniform(r, B * d, -1, 1), table = uniform(r, N * d, -1, 1);
    const cand = Array.from({ length: B * M }, () => Math.floor(r() * N));
    const builds: KernelBuild[] = kernelBuild(root) === 'fma' ? ['portable', 'fma'] : ['portable'];
    for (const build of builds) {
      const k = await load(build);
      const out = k.memory.allocF32(B * M);
      k.similarityForward(SimilarityKind.Dot, B, M, d, f32(k, q), i32(k, cand), f32(k, table), null, out);
      expectClose(out.array, similarityForwardRef(SimilarityKind.Dot, B, M, d, q, cand, table, null), 1e-5, 1e-5);
    }
  });

  it('follows KGDISTILL_KERNELS and names the variable when its value is unknown', () => {
    vi.stubEnv('KGDISTILL_KERNELS', 'portable');
    expect(kernelBuild(root)).toBe('portable');
    expect(kernelsPath(root)).toBe(path.join(root, 'build', 'kernels.wasm'));
    vi.stubEnv('KGDISTILL_KERNELS', 'avx');
    expect(() => kernelBuild(root)).toThrow("KGDISTILL_KERNELS must be 'fma' or 'portable', not 'avx'");
  });

  it('runs the fused build on this Node (relaxed SIMD, enabled before compiling)', () => {
    vi.stubEnv('KGDISTILL_KERNELS', undefined);
    expect(kernelBuild(root)).toBe('fma');
  });
});
