// A kernel worker thread that has ended without an error (terminated, or gone with its process's exit) is reported
// by the next call, which waited for it for ever before (in a child process, so that a hang cannot stop the suite);
// when both parts of a call beside the worker fail, the main thread's error is the one reported.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadKernels } from '../../src/kernels/kernels.js';
import { KernelWorker } from '../../src/kernels/kernel-worker.js';

const REPO_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const TSX_LOADER = path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs');

afterEach(() => vi.unstubAllEnvs());

describe('a kernel worker that has exited, or failed', () => {
  it('makes the next call fail with a clear error instead of waiting for ever', async () => {
    const kernels = path.join(REPO_ROOT, 'src', 'kernels', 'kernels.ts');
    const snippet = `import { loadKernels } from ${JSON.stringify(kernels)};
const worker = (await loadKernels()).worker();
const call = () => { worker.start('addRowsAndClear', [0, 1, 0, 0, 0]); return worker.wait(); }; // no rows: touches nothing
console.log('first call', call());
await new Promise((resolve) => { worker.worker.once('exit', resolve); void worker.worker.terminate(); });
try { call(); console.log('answered'); } catch (error) { console.log('error:', error.message); }`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', TSX_LOADER, '--input-type=module', '-e', snippet],
      { env: { ...process.env, KGDISTILL_THREADS: '2' }, timeout: 30_000, killSignal: 'SIGKILL' });
    expect(stdout).toMatch(/^first call 0$/m);
    expect(stdout).toMatch(/^error: kernel worker: the worker thread died: it exited \(code 1\)/m);
  }, 40_000);

  it('beside: when both parts fail, the main thread\'s error is reported, after the worker has finished', async () => {
    vi.stubEnv('KGDISTILL_THREADS', '2');
    const worker = (await loadKernels()).worker()!;
    expect(worker).not.toBeNull();
    const outside = 0x7fff_fff0; // past the end of the kernel memory: the worker's call traps
    expect(() => KernelWorker.beside(worker, 'addRowsAndClear', [1, 4, outside, outside, outside], () => {
      throw new Error('the main part failed');
    })).toThrow('the main part failed');
    expect(() => KernelWorker.beside(worker, 'addRowsAndClear', [1, 4, outside, outside, outside], () => 1)).toThrow(/kernel worker: the call failed/);
    expect(KernelWorker.beside(worker, 'addRowsAndClear', [0, 1, 0, 0, 0], () => 7)).toBe(7); // and it still works
  });
});
