#!/usr/bin/env node
// `npm run build:explorer`: bundles the browser explorer with esbuild into dist/explorer/ (part of the package):
//   app.js     the page (src/serve/explorer/main.ts; vega and vega-lite inside: nothing is loaded from elsewhere)
//   worker.js  the training worker (src/serve/explorer/worker/train-worker.ts): the engine itself — tfjs with the wasm
//              backend, the kernels' loader, the trainer, evaluation and lookups
//   index.html, app.css, and tfjs' wasm binaries (the kernels, build/kernels.wasm, are served from where they are)
//
// The engine is written for Node in a few places (files, worker threads, process.env). Code paths the browser
// takes never call those, but their modules are imported, so this build maps every Node built-in module to a stub
// whose functions throw "<module>.<name> is not available in the browser" (path and os get small working
// versions), defines KGDISTILL_THREADS as "1" (one thread: no kernel worker), and takes csv-parse's browser build.
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

/** Working browser versions of the few Node functions the bundled code may call. */
const WORKING = {
  path: `
    const norm = (p) => { const abs = p.startsWith('/'); const parts = [];
      for (const s of p.split('/')) { if (s === '' || s === '.') continue; if (s === '..') { if (parts.length && parts[parts.length - 1] !== '..') parts.pop(); else if (!abs) parts.push('..'); } else parts.push(s); }
      return (abs ? '/' : '') + parts.join('/') || (abs ? '/' : '.'); };
    export const sep = '/';
    export const delimiter = ':';
    export const normalize = norm;
    export const isAbsolute = (p) => p.startsWith('/');
    export const join = (...ps) => norm(ps.filter((p) => p !== '').join('/') || '.');
    export const resolve = (...ps) => { let r = ''; for (const p of ps) r = p.startsWith('/') ? p : r + '/' + p; return norm(r.startsWith('/') ? r : '/' + r); };
    export const dirname = (p) => { const n = norm(p); const i = n.lastIndexOf('/'); return i < 0 ? '.' : i === 0 ? '/' : n.slice(0, i); };
    export const basename = (p, ext) => { const b = norm(p).split('/').pop() ?? ''; return ext && b.endsWith(ext) ? b.slice(0, -ext.length) : b; };
    export const extname = (p) => { const b = basename(p); const i = b.lastIndexOf('.'); return i <= 0 ? '' : b.slice(i); };
    export const relative = (a, b) => { const x = resolve(a).split('/').filter(Boolean), y = resolve(b).split('/').filter(Boolean); let i = 0; while (i < x.length && x[i] === y[i]) i++; return [...x.slice(i).map(() => '..'), ...y.slice(i)].join('/'); };
    const api = { sep, delimiter, normalize, isAbsolute, join, resolve, dirname, basename, extname, relative };
    export const posix = api;
    export default api;`,
  os: `
    export const availableParallelism = () => 1;
    export const cpus = () => [];
    export const hostname = () => 'browser';
    export const tmpdir = () => '/tmp';
    export const homedir = () => '/';
    export const platform = () => 'browser';
    export const EOL = '\\n';
    export default { availableParallelism, cpus, hostname, tmpdir, homedir, platform, EOL };`,
  buffer: `
    export const isUtf8 = (bytes) => { try { new TextDecoder('utf-8', { fatal: true }).decode(bytes); return true; } catch { return false; } };
    export const Buffer = globalThis.Buffer;
    export default { isUtf8, Buffer };`,
};

/** The stub of one Node function or object: calling, constructing or reading a property says it is unavailable. */
const UNAVAILABLE = `const unavailable = (what) => new Proxy(function () {}, {
  apply() { throw new Error(what + ' is not available in the browser'); },
  construct() { throw new Error(what + ' is not available in the browser'); },
  get(_, key) { return key === 'then' ? undefined : unavailable(what + '.' + String(key)); },
});`;

/** Packages the browser's code paths never call (file writes, downloads, config files, HNSW): stubbed like built-ins. */
const NODE_ONLY_PACKAGES = new Set(['tar', 'yaml', 'hnswlib-node', 'env-paths']);

/** A stub module for a Node built-in or a Node-only package: every export the real module has, each throwing when used. */
async function stubModule(name) {
  const base = name.replace(/^node:/, '');
  let names = [];
  try {
    names = Object.keys(await import(base)).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && n !== 'default');
  } catch { /* not loadable here: a default export only */ }
  const working = WORKING[base];
  if (working) {
    const defined = new Set([...working.matchAll(/export const (\w+)/g)].map((m) => m[1]));
    const rest = names.filter((n) => !defined.has(n)).map((n) => `export const ${n} = unavailable('${base}.${n}');`);
    return [UNAVAILABLE, working, ...rest].join('\n');
  }
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
  define: { 'process.env.KGDISTILL_THREADS': '"1"', 'process.env.NODE_ENV': '"production"' },
  alias: { 'csv-parse/sync': 'csv-parse/browser/esm/sync', 'csv-parse': 'csv-parse/browser/esm' },
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
