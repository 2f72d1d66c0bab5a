// The explorer ships in the package: `npm pack` holds the page, its bundles and the wasm binaries it loads (built by
// `npm run build`, which `npm ci` and `npm install` run through `prepare`).
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

describe('the packed package', () => {
  it('contains the explorer and the kernels it serves to the page', () => {
    const listing = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' })) as Array<{ files: Array<{ path: string; size: number }> }>;
    const files = new Map(listing[0]!.files.map((f) => [f.path, f.size]));
    for (const file of ['dist/explorer/index.html', 'dist/explorer/app.js', 'dist/explorer/app.css', 'dist/explorer/worker.js', 'dist/explorer/tfjs-backend-wasm-simd.wasm', 'build/kernels.wasm']) {
      expect(files.get(file), file).toBeGreaterThan(0);
    }
  }, 60_000);
});
