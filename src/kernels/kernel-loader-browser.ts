// The kernels in a browser (or any host without a file system): fetch build/kernels.wasm from a URL, compile it,
// and hand the module to kernel-host.ts (`useKernelModule`), after which loadKernels() and kernelsForMemory() use it
// instead of reading the file. The module imports a *shared* memory, so the page must be cross-origin isolated
// (the explorer is served with COOP/COEP headers). Runs on one thread: a browser has no kernel worker (kernelThreads).
import { useKernelModule } from './kernel-host.js';

/** Fetches and compiles the kernel module at `url`, and makes it the one every later kernel load uses. */
export async function loadKernelsFromUrl(url: string | URL, fetcher: typeof fetch = fetch): Promise<WebAssembly.Module> {
  let response: Response;
  try {
    response = await fetcher(url);
  } catch (error) {
    throw new Error(`kernels: cannot fetch ${String(url)} (${(error as Error).message})`);
  }
  if (!response.ok) throw new Error(`kernels: ${String(url)} answered ${response.status} ${response.statusText}`);
  if (typeof SharedArrayBuffer === 'undefined') {
    throw new Error('kernels: this page is not cross-origin isolated (no SharedArrayBuffer), so the kernels\' shared memory cannot be made; serve it with COOP: same-origin and COEP: require-corp');
  }
  const module = await WebAssembly.compile(await response.arrayBuffer());
  useKernelModule(module);
  return module;
}
