/**
 * Runs the PyTorch peer (`../shared/peers/torch_step.py`, Debian's python3-torch) in the same window as our own
 * measurement, so figures are compared as a ratio. Returns undefined when PyTorch is not installed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { findPackageRoot } from '../src/kernels/kernels.js';

/** What the peer script prints. */
export interface PeerTiming { torch: string; mode: string; threads: number; median_ms: number; min_ms: number }

/**
 * The BLAS that Debian's python3-torch multiplies with (its build says BLAS_INFO=generic: whatever libblas.so.3
 * the system's alternatives select). The reference BLAS that Debian installs by default runs PyTorch's matrix
 * products several times slower than the MKL of a pip wheel: a peer measured on it is not a fair peer.
 */
export function peerBlas(): { library: string; fair: boolean } {
  for (const dir of existsSync('/usr/lib') ? readdirSync('/usr/lib') : []) {
    const link = path.join('/usr/lib', dir, 'libblas.so.3');
    if (!existsSync(link)) continue;
    const target = realpathSync(link);
    const fair = /openblas|blis|mkl|atlas/i.test(target);
    return { library: target, fair };
  }
  return { library: 'unknown', fair: false };
}

/**
 * Times PyTorch's RotH 1-N step (all entities, softmax; this repository's bench/peers/torch_poincare_step.py) on
 * `threads` threads, the peer of the fused Poincaré 1-N step.
 */
export function torchPoincareStep(threads = 2): PeerTiming | undefined {
  return runPeer(path.join(findPackageRoot(), 'bench', 'peers', 'torch_poincare_step.py'), [String(threads)]);
}

/** Times PyTorch's DistMult step ('neg': 50 negatives, '1N': all entities) on `threads` threads. */
export function torchStep(mode: 'neg' | '1N', threads = 2): PeerTiming | undefined {
  return runPeer(path.join(findPackageRoot(), '..', 'shared', 'peers', 'torch_step.py'), [mode, String(threads)]);
}

/** Runs a peer script with Debian's python3 and reads its last line, or undefined when it or PyTorch is missing. */
function runPeer(script: string, args: string[]): PeerTiming | undefined {
  if (!existsSync(script) || !existsSync('/usr/bin/python3')) return undefined;
  try {
    const out = execFileSync('/usr/bin/python3', [script, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const line = out.trim().split('\n').pop() ?? '';
    return JSON.parse(line.replace(/'/g, '"')) as PeerTiming;
  } catch {
    return undefined;
  }
}
