// Which of the two kernel builds this process runs (scripts/build-kernels.mjs compiles both from the same sources):
//   build/kernels-fma.wasm  relaxed SIMD's fused multiply-add in the dense products and dot products (simd.ts `madd`):
//                           half the arithmetic instructions of a 1-N step, one rounding per multiply-add;
//   build/kernels.wasm      portable: SIMD and threads only, a multiply and an add.
// In Node the core picks the fused build where the host compiles it: Node 22+, and Node 20, whose V8 has relaxed
// SIMD behind --experimental-wasm-relaxed-simd (set here, before the module is compiled); the browser explorer
// loads the portable build (kernel-loader-browser.ts). Numbers differ in the last bits between the builds, so runs
// are reproducible per build; KGDISTILL_KERNELS=portable|fma pins one (e.g. to compare with a run made on a host
// without relaxed SIMD). A run logs the build it used and records it in result.json (`kernels`). Node's fs, path and
// v8 are taken when a function runs (node-modules.ts): a page's bundle holds this file but calls none of it.
import { nodeModule } from './node-modules.js';

/** The two kernel builds by name. */
export const KERNEL_BUILDS = { fma: 'kernels-fma.wasm', portable: 'kernels.wasm' } as const;
export type KernelBuild = keyof typeof KERNEL_BUILDS;

let chosen: { root: string; pinned: string | undefined; build: KernelBuild } | undefined;

/** Whether this host compiles `bytes` (a module using relaxed SIMD), enabling V8's flag first where it is one. */
function compilesRelaxedSimd(bytes: Uint8Array<ArrayBuffer>): boolean {
  if (WebAssembly.validate(bytes)) return true;
  try {
    nodeModule('v8').setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch { /* not a flag of this V8 */ }
  return WebAssembly.validate(bytes);
}

/** The kernel build of this process under package root `root`: KGDISTILL_KERNELS if set, else fma where it compiles. */
export function kernelBuild(root: string): KernelBuild {
  const pinned = process.env.KGDISTILL_KERNELS;
  if (chosen?.root === root && chosen.pinned === pinned) return chosen.build;
  const { existsSync, readFileSync } = nodeModule('fs');
  const path = nodeModule('path');
  let build: KernelBuild;
  if (pinned !== undefined && pinned !== '') {
    if (pinned !== 'fma' && pinned !== 'portable') throw new Error(`KGDISTILL_KERNELS must be 'fma' or 'portable', not '${pinned}'`);
    build = pinned;
    if (build === 'fma' && !compilesRelaxedSimd(new Uint8Array(readFileSync(path.join(root, 'build', KERNEL_BUILDS.fma))))) {
      throw new Error('KGDISTILL_KERNELS=fma: this host does not compile relaxed SIMD (unset it to use the portable kernels)');
    }
  } else {
    const fma = path.join(root, 'build', KERNEL_BUILDS.fma);
    build = existsSync(fma) && compilesRelaxedSimd(new Uint8Array(readFileSync(fma))) ? 'fma' : 'portable';
  }
  chosen = { root, pinned, build };
  return build;
}

/** The path of the kernel build this process runs (see kernelBuild). */
export function kernelsPath(root: string): string {
  return nodeModule('path').join(root, 'build', KERNEL_BUILDS[kernelBuild(root)]);
}

/** The build this process has loaded (undefined before the first kernels are loaded, and in a browser). */
export function loadedKernelBuild(): KernelBuild | undefined {
  return chosen?.build;
}
