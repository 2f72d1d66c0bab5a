// Node's built-in modules for the kernels' file work (kernel-file.ts, kernel-build.ts). They are taken from the
// running Node when first used, not imported: a page's bundle of the engine then has no import of a Node module to
// resolve. A page never calls these functions, because it hands the kernels in (kernel-host.ts's useKernelModule,
// kernel-loader-browser.ts); if one does, it gets this file's error instead of a bundler's stub.
import { REBUILD } from './kernel-host.js';

/** The built-in modules the kernels' file work uses. */
interface NodeModules {
  fs: typeof import('node:fs');
  path: typeof import('node:path');
  url: typeof import('node:url');
  v8: typeof import('node:v8');
}

/** Node's `node:<name>`; throws, naming what to do instead, on a host without Node (a browser). */
export function nodeModule<K extends keyof NodeModules>(name: K): NodeModules[K] {
  const found = globalThis.process?.getBuiltinModule?.(`node:${name}`);
  if (!found) {
    throw new Error(`kernels: this host has no Node to read the kernels' wasm file with: hand the compiled module in first (kgdistill/browser's initEngine, or useKernelModule); in Node, ${REBUILD} if the file is missing`);
  }
  return found as NodeModules[K];
}
