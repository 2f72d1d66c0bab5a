// A kernel worker thread that has ended without an error (terminated, or gone with its process's exit) is reported
// by the next call, which waited for it for ever before. In a child process, so that a hang cannot stop the suite.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const TSX_LOADER = path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs');

describe('a kernel worker that has exited', () => {
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
});
