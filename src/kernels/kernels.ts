// The kernels in Node: the module handed in by the host (kernel-host.ts's `useKernelModule`) or else the wasm file
// (kernel-file.ts), instantiated against one KernelMemory and wrapped in bounds-checked methods taking blocks
// (kernel-host.ts: the Kernels class, its constants and types, re-exported here for the engine's modules).
import { KernelMemory } from './kernel-memory.js';
import { hostKernelModule, instantiate, kernelsOfMemory, type Kernels } from './kernel-host.js';
import { kernelFileModule } from './kernel-file.js';

export * from './kernel-host.js';
export { checkKernelsFile, findPackageRoot } from './kernel-file.js';

/** Options of loadKernels. */
export interface LoadKernelsOptions {
  /** Memory to instantiate against (default: a new KernelMemory). */
  memory?: KernelMemory;
  /** Path of the wasm file (default: the build kernel-build.ts picks under <package root>/build). */
  wasmPath?: string;
}

/** Compiles the kernel build of this host (kernel-build.ts; once per process) and instantiates it against one KernelMemory. */
export async function loadKernels(options: LoadKernelsOptions = {}): Promise<Kernels> {
  const host = hostKernelModule();
  if (host && options.wasmPath === undefined) return instantiate(host, 'kernels.wasm', options.memory ?? new KernelMemory());
  const { module, wasmPath } = await kernelFileModule(options.wasmPath, false);
  return instantiate(module, wasmPath, options.memory ?? new KernelMemory());
}

/**
 * The kernels of an existing memory (e.g. a ParameterStore's), instantiated synchronously on first use (Node
 * compiles and instantiates modules of any size synchronously) and cached per memory.
 */
export function kernelsForMemory(memory: KernelMemory): Kernels {
  const cached = kernelsOfMemory(memory);
  if (cached) return cached;
  const host = hostKernelModule();
  if (host) return instantiate(host, 'kernels.wasm', memory);
  const { module, wasmPath } = kernelFileModule(undefined, true);
  return instantiate(module, wasmPath, memory);
}
