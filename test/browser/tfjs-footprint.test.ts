/**
 * A page's bundle carries the tfjs it runs and nothing more: tfjs-core (ops, gradients, optimisers) and the wasm
 * backend. Plain esbuild bundles of the page's entries (platform browser, no plugin) have no input from the union
 * package @tensorflow/tfjs or what it pulls in (tfjs-layers, tfjs-converter, tfjs-data, the WebGL backend), and of
 * the cpu backend only the kernel helpers the wasm backend shares (`dist/shared`), not the backend itself (Node's
 * cpu path loads it, src/core/backend.ts). When src imported the union package, src/browser.ts bundled to
 * 1,882,543 B minified (465,090 B gzip) with all seven tfjs packages; since, about 1.07 MB (tfjs' gradients included).
 */
import { describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');

/** The tfjs packages a plain browser bundle of `entry` takes files from, the cpu backend's files, and its minified size. */
async function tfjsInBundle(entry: string): Promise<{ packages: string[]; cpuFiles: string[]; gradients: boolean; bytes: number }> {
  const result = await build({
    entryPoints: [path.join(root, entry)], bundle: true, minify: true, format: 'esm', platform: 'browser',
    write: false, metafile: true, logLevel: 'silent', absWorkingDir: root,
  });
  const inputs = Object.keys(result.metafile.inputs);
  const packages = [...new Set(inputs.map((file) => /node_modules\/@tensorflow\/([^/]+)\//.exec(file)?.[1]).filter((p) => p !== undefined))];
  const cpuFiles = inputs.filter((file) => file.includes('node_modules/@tensorflow/tfjs-backend-cpu/'));
  const gradients = inputs.includes('node_modules/@tensorflow/tfjs-core/dist/register_all_gradients.js'); // tfjs-core registers none itself
  return { packages: packages.sort(), cpuFiles, gradients, bytes: result.outputFiles[0]!.contents.length };
}

/** The cpu backend's files that start or register it: none belongs in a page. */
const CPU_BACKEND_ITSELF = /tfjs-backend-cpu\/dist\/(index|base|backend_cpu|register_all_kernels)\.js$/;

describe("a page's bundle has tfjs-core and the wasm backend only", () => {
  it('kgdistill/browser (src/browser.ts): no union package, layers, converter, data or WebGL; not the cpu backend itself', async () => {
    const { packages, cpuFiles, gradients, bytes } = await tfjsInBundle('src/browser.ts');
    expect(packages).toEqual(['tfjs-backend-cpu', 'tfjs-backend-wasm', 'tfjs-core']);
    expect(gradients).toBe(true);
    expect(cpuFiles.filter((file) => CPU_BACKEND_ITSELF.test(file))).toEqual([]);
    expect(cpuFiles).toContain('node_modules/@tensorflow/tfjs-backend-cpu/dist/shared.js'); // what the wasm backend borrows
    // 1,882,543 B with the union package; the bound leaves room for the engine's own growth, not for a tfjs package
    expect(bytes).toBeLessThan(1_400_000);
  }, 60_000);

  it("the explorer's worker (src/serve/explorer/worker/train-worker.ts), built without a plugin since", async () => {
    const { packages, cpuFiles, gradients } = await tfjsInBundle('src/serve/explorer/worker/train-worker.ts');
    expect(packages).toEqual(['tfjs-backend-cpu', 'tfjs-backend-wasm', 'tfjs-core']);
    expect(gradients).toBe(true); // the plugin's tfjs-core + cpu left them out: the worker's tfjs tape path had none
    expect(cpuFiles.filter((file) => CPU_BACKEND_ITSELF.test(file))).toEqual([]);
    expect(readFileSync(path.join(root, 'scripts', 'build-explorer.mjs'), 'utf8')).not.toMatch(/plugins:/);
  }, 60_000);

  it('no module under src imports the union package @tensorflow/tfjs (a Node-only one would bring it back through a shared import)', () => {
    const union = /(from|import)\s*\(?\s*'@tensorflow\/tfjs'/;
    const offenders = (readdirSync(path.join(root, 'src'), { recursive: true }) as string[])
      .filter((file) => file.endsWith('.ts') && union.test(readFileSync(path.join(root, 'src', file), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
