// The kernels' file: build/kernels.wasm (or the build kernel-build.ts picks for this CPU) under the kgdistill package
// root, checked for staleness against the AssemblyScript sources and compiled once per process. Node only: a
// browser hands kernel-host.ts a compiled module instead (kernel-loader-browser.ts). Node's fs, path and url are
// taken when a function runs (node-modules.ts), so that a page's bundle, which holds this file, imports no Node module.
import { kernelsPath } from './kernel-build.js';
import { REBUILD } from './kernel-host.js';
import { nodeModule } from './node-modules.js';

/** The kgdistill package root: the nearest ancestor of `from` whose package.json is named "kgdistill". */
export function findPackageRoot(from?: string): string {
  const { existsSync, readFileSync } = nodeModule('fs');
  const path = nodeModule('path');
  from ??= path.dirname(nodeModule('url').fileURLToPath(import.meta.url));
  for (let dir = from; ; dir = path.dirname(dir)) {
    const pj = path.join(dir, 'package.json');
    if (existsSync(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, 'utf8')) as { name?: unknown }).name === 'kgdistill') return dir;
      } catch { /* not ours: keep walking */ }
    }
    if (path.dirname(dir) === dir) throw new Error(`kernels: no kgdistill package.json above ${from}`);
  }
}

/** Throws a clear error when the wasm file is missing or older than an AssemblyScript source (src/<folder>/assembly). */
export function checkKernelsFile(wasmPath: string, root: string | null): void {
  const { existsSync, readdirSync, statSync } = nodeModule('fs');
  const path = nodeModule('path');
  if (!existsSync(wasmPath)) throw new Error(`kernels: ${wasmPath} is missing; ${REBUILD}`);
  const src = root === null ? null : path.join(root, 'src');
  if (src === null || !existsSync(path.join(src, 'kernels', 'assembly'))) return; // installed package: no sources to compare with
  const wasmTime = statSync(wasmPath).mtimeMs;
  for (const folder of readdirSync(src)) {
    const dir = path.join(src, folder, 'assembly');
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) {
      if (f.endsWith('.ts') && statSync(path.join(dir, f)).mtimeMs > wasmTime) {
        throw new Error(`kernels: ${wasmPath} is older than src/${folder}/assembly/${f} (stale build); ${REBUILD}`);
      }
    }
  }
}

const moduleCache = new Map<string, WebAssembly.Module>();

/**
 * The compiled module of the wasm file at `wasmPath` (default: the kernel build of this host under the package root),
 * checked first and cached per path; `sync` compiles on this thread (Node compiles modules of any size synchronously).
 */
export function kernelFileModule(wasmPath: string | undefined, sync: true): { module: WebAssembly.Module; wasmPath: string };
export function kernelFileModule(wasmPath: string | undefined, sync: false): Promise<{ module: WebAssembly.Module; wasmPath: string }>;
export function kernelFileModule(wasmPath: string | undefined, sync: boolean): { module: WebAssembly.Module; wasmPath: string } | Promise<{ module: WebAssembly.Module; wasmPath: string }> {
  const root = wasmPath === undefined ? findPackageRoot() : null;
  const file = wasmPath ?? kernelsPath(root as string);
  checkKernelsFile(file, root);
  const cached = moduleCache.get(file);
  if (cached) return sync ? { module: cached, wasmPath: file } : Promise.resolve({ module: cached, wasmPath: file });
  const bytes = nodeModule('fs').readFileSync(file);
  if (sync) {
    const module = new WebAssembly.Module(bytes);
    moduleCache.set(file, module);
    return { module, wasmPath: file };
  }
  return WebAssembly.compile(bytes).then((module) => {
    moduleCache.set(file, module);
    return { module, wasmPath: file };
  });
}
