#!/usr/bin/env node
// `npm run build:explorer`: bundles the browser explorer with esbuild into dist/explorer/ (part of the package):
//   app.js     the page (src/serve/explorer/main.ts; vega and vega-lite inside: nothing is loaded from elsewhere)
//   worker.js  the training worker (src/serve/explorer/worker/train-worker.ts): the engine itself — tfjs with the wasm
//              backend, the kernels' loader, the trainer, evaluation and lookups
//   index.html, app.css, and tfjs' wasm binaries (the kernels, build/kernels.wasm, are served from where they are)
//
// Neither bundle has a stub of a Node module: the engine's modules a page runs import none (test/browser checks each
// with plain esbuild), so a Node import creeping into them fails this build instead of being stubbed. No plugin
// either: the engine imports tfjs-core and the wasm backend only (never the union package @tensorflow/tfjs, nor the
// cpu backend, which src/core/backend.ts loads by a name bundlers leave alone when a Node run asks for it).
// `--watch` rebuilds on changes; `--dev` skips minification; `--out <dir>` writes elsewhere (tests).
import { build, context } from 'esbuild';
import { createRequire } from 'node:module';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const outFlag = process.argv.indexOf('--out');
const out = outFlag > 0 && process.argv[outFlag + 1] ? path.resolve(process.argv[outFlag + 1]) : path.join(root, 'dist', 'explorer');
const source = path.join(root, 'src', 'serve', 'explorer');
const dev = process.argv.includes('--dev');
const require = createRequire(import.meta.url);

const shared = {
  bundle: true,
  platform: 'browser',
  target: ['es2022', 'chrome110'],
  format: 'iife',
  minify: !dev,
  sourcemap: dev ? 'inline' : false,
  legalComments: 'none',
  logLevel: 'warning',
  logOverride: { 'empty-import-meta': 'silent' }, // import.meta.url is read only by Node-only functions (package root)
  define: { 'process.env.NODE_ENV': '"production"' },
};

const builds = [
  { ...shared, entryPoints: [path.join(source, 'main.ts')], outfile: path.join(out, 'app.js') },
  { ...shared, entryPoints: [path.join(source, 'worker', 'train-worker.ts')], outfile: path.join(out, 'worker.js') },
];

/** Copies the page, its styles and tfjs' wasm binaries. */
function copyStatic() {
  mkdirSync(out, { recursive: true });
  copyFileSync(path.join(source, 'index.html'), path.join(out, 'index.html'));
  copyFileSync(path.join(source, 'explorer.css'), path.join(out, 'app.css'));
  const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  for (const file of readdirSync(wasmDir)) {
    if (/^tfjs-backend-wasm(-simd)?\.wasm$/.test(file)) copyFileSync(path.join(wasmDir, file), path.join(out, file));
  }
}

const started = performance.now();
copyStatic();
if (process.argv.includes('--watch')) {
  for (const options of builds) await (await context(options)).watch();
  process.stdout.write(`build:explorer: watching ${path.relative(root, source)}\n`);
} else {
  await Promise.all(builds.map((options) => build(options)));
  const sizes = readdirSync(out).map((f) => f).join(', ');
  process.stdout.write(`build:explorer: ${path.relative(root, out)} (${sizes}) in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}
