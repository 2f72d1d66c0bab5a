// KGDISTILL_THREADS: 1 runs every kernel on the main thread, 2 or more on two; anything else is an error naming the
// variable (it was read as 1 silently: `KGDISTILL_THREADS=abc` ran on one thread without a word).
import { afterEach, describe, expect, it } from 'vitest';
import os from 'node:os';
import { kernelThreads } from '../../src/kernels/kernel-worker.js';

const saved = process.env.KGDISTILL_THREADS;
afterEach(() => {
  if (saved === undefined) delete process.env.KGDISTILL_THREADS;
  else process.env.KGDISTILL_THREADS = saved;
});

describe('kernelThreads', () => {
  it('reads KGDISTILL_THREADS, and refuses what is not a number of threads', () => {
    for (const [value, threads] of [['1', 1], ['2', 2], ['8', 2], [' 2 ', 2]] as const) {
      process.env.KGDISTILL_THREADS = value;
      expect(kernelThreads(), value).toBe(threads);
    }
    process.env.KGDISTILL_THREADS = '';
    expect(kernelThreads()).toBe(os.availableParallelism() >= 2 ? 2 : 1);
    for (const value of ['abc', '0', '-1', '1.5', 'two']) {
      process.env.KGDISTILL_THREADS = value;
      expect(() => kernelThreads(), value).toThrow(`KGDISTILL_THREADS must be a whole number of threads ≥ 1 (1: everything on the main thread; 2 or more: two), not '${value}'`);
    }
  });
});

describe('kernelThreads without Node', () => {
  it('is 1 where there is no process (a browser), without a bundler defining KGDISTILL_THREADS', () => {
    const own = Object.getOwnPropertyDescriptor(globalThis, 'process')!;
    let threads: number | undefined;
    Object.defineProperty(globalThis, 'process', { value: undefined, configurable: true, writable: true });
    try {
      threads = kernelThreads();
    } finally {
      Object.defineProperty(globalThis, 'process', own);
    }
    expect(threads).toBe(1);
  });
});
