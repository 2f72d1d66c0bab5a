#!/usr/bin/env node
// `npm run build:explorer`: bundles the browser explorer with esbuild into dist/explorer/ (part of the package):
//   app.js     the page (src/serve/explorer/main.ts; vega and vega-lite inside: nothing is loaded from elsewhere)
//   worker.js  the training worker (src/serve/explorer/worker/train-worker.ts): the engine itself — tfjs with the wasm
//              backend, the kernels' loader, the trainer, evaluation and lookups
//   index.html, app.css, and tfjs' wasm binaries (the kernels, build/kernels.wasm, are served from where they are)
//
// The engine's browser paths call no Node function: the kernels run on one thread where there is no Node process
// (kernels/kernel-worker.ts), the trainer writes through an in-memory sink (core/memory-sink.ts), a dropped file is
// read by kg/bytes-dataset.ts with csv-parse's browser build (package.json "imports": #csv-sync). But modules they
// import still import Node built-ins and Node-only packages for their other functions — pipeline/options.ts (its
// run-config and config-file: yaml, and dataset resolution: tar, env-paths), kernels/kernels.ts (the wasm file,
// kernel-file.ts and kernel-build.ts), core/trainer.ts (the file sink, the default), kg/triple-reader.ts and
// kg/line-source.ts (whose pure helpers kg/triple-bytes.ts uses) — so this build maps each of those to a stub whose
// every function throws "<module>.<name> is not available in the browser": a browser path that called one fails the
// explorer's browser tests (test/explorer) instead of working by accident.
// `--watch` rebuilds on changes; `--dev` skips minification; `--out <dir>` writes elsewhere (tests).
import { build, context } from 'esbuild';
import { builtinModules, createRequire } from 'node:module';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const outFlag = process.argv.indexOf('--out');
const out = outFlag > 0 && process.argv[outFlag + 1] ? path.resolve(process.argv[outFlag + 1]) : path.join(root, 'dist', 'explorer');
const source = path.join(root, 'src', 'serve', 'explorer');
const dev = process.argv.includes('--dev');
const require = createRequire(import.meta.url);

/** The stub of one Node function or object: calling, constructing or reading a property says it is unavailable. */
const UNAVAILABLE = `const unavailable = (what) => new Proxy(function () {}, {
  apply() { throw new Error(what + ' is not available in the browser'); },
  construct() { throw new Error(what + ' is not available in the browser'); },
  get(_, key) { return key === 'then' ? undefined : unavailable(what + '.' + String(key)); },
});`;

/** Packages the browser's code paths import but never call (downloads, config files): stubbed like built-ins. */
const NODE_ONLY_PACKAGES = new Set(['tar', 'yaml', 'env-paths']);

/** A stub module for a Node built-in or a Node-only package: every export the real module has, each throwing when used. */
async function stubModule(name) {
  const base = name.replace(/^node:/, '');
  let names = [];
  try {
    names = Object.keys(await import(base)).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && n !== 'default');
  } catch { /* not loadable here: a default export only */ }
  const lines = [
    UNAVAILABLE,
    ...names.map((n) => `export const ${n} = unavailable('${base}.${n}');`),
    `export default unavailable('${base}');`,
  ];
  return lines.join('\n');
}

const nodeBuiltins = {
  name: 'node-builtins',
  setup(b) {
    const builtins = new Set(builtinModules);
    b.onResolve({ filter: /^[a-z0-9_:/]+$/ }, (args) => {
      const bare = args.path.replace(/^node:/, '');
      if (!args.path.startsWith('node:') && !builtins.has(bare)) return undefined;
      return { path: bare, namespace: 'node-stub' };
    });
    b.onResolve({ filter: /^[\w-]+$/ }, (args) => (NODE_ONLY_PACKAGES.has(args.path) ? { path: args.path, namespace: 'node-stub' } : undefined));
    // kg/triple-reader.ts (whose format helpers kg/triple-bytes.ts imports) imports csv-parse's streaming Node build,
    // which makes Buffers when loaded: its browser build instead (no browser path calls that parser); exactly
    // 'csv-parse', so that triple-bytes.ts's own parser comes from package.json "imports" (#csv-sync)
    b.onResolve({ filter: /^csv-parse$/ }, () => ({ path: require.resolve('csv-parse/browser/esm') }));
    b.onResolve({ filter: /^@tensorflow\/tfjs$/ }, () => ({ path: 'tfjs', namespace: 'tfjs-core-only' }));
    b.onLoad({ filter: /.*/, namespace: 'node-stub' }, async (args) => ({ contents: await stubModule(args.path), loader: 'js' }));
    // the engine uses tfjs' ops only: the union package's layers, converter, data and WebGL backend stay out
    b.onLoad({ filter: /.*/, namespace: 'tfjs-core-only' }, () => ({ contents: "export * from '@tensorflow/tfjs-core';\nimport '@tensorflow/tfjs-backend-cpu';\n", loader: 'js', resolveDir: root }));
  },
};

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
  plugins: [nodeBuiltins],
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
