// The kernel worker in hosts that start Node differently: an ESM snippet (`node --input-type=module -e …`, or ESM
// piped on stdin) passes its flag on to the worker, whose CommonJS source then died at its first `require` while the
// main thread waited for it for ever (training stopped at the first validation, at 0 % CPU, no error); the source now
// takes worker_threads either way.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';
import { train } from '../../src/index.js';
import { tempDir } from '../kg/helpers.js';

const REPO_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const TSX_LOADER = path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs');

describe('kernel worker in an ESM host', () => {
  it('trains with two threads from `node --input-type=module -e` and prints the result (was: waited for ever)', async () => {
    const dir = tempDir();
    const graph = path.join(dir, 'g');
    await writeSyntheticDataset(graph, { entities: 60, seed: 1 });
    const entry = path.join(REPO_ROOT, 'src', 'index.ts');
    const snippet = `import { train } from ${JSON.stringify(entry)};
const result = await train({ dataset: ${JSON.stringify(graph)}, model: 'DistMult', dim: 8, epochs: 2, out: ${JSON.stringify(path.join(dir, 'run'))}, backend: 'wasm' });
console.log('mrr', result.metrics.mrr);`;
    // with a Node option the worker may not be given explicitly (a fix that passed execArgv broke this one)
    const { stdout } = await promisify(execFile)(process.execPath, ['--max-old-space-size=2048', '--import', TSX_LOADER, '--input-type=module', '-e', snippet],
      { env: { ...process.env, KGDISTILL_THREADS: '2' }, timeout: 60_000, killSignal: 'SIGKILL' });
    const mrr = Number(/^mrr (\S+)$/m.exec(stdout)?.[1]);
    // the very numbers of the same run here, also on two threads (same seed, backend and thread count: same numbers)
    const threads = process.env.KGDISTILL_THREADS;
    process.env.KGDISTILL_THREADS = '2';
    try {
      const here = await train({ dataset: graph, model: 'DistMult', dim: 8, epochs: 2, out: path.join(dir, 'run-here'), backend: 'wasm' });
      expect(mrr).toBe(here.metrics?.mrr);
    } finally {
      if (threads === undefined) delete process.env.KGDISTILL_THREADS;
      else process.env.KGDISTILL_THREADS = threads;
    }
  }, 90_000);
});
