// The kernels in a browser (or any host without a file system): fetch build/kernels.wasm from a URL, compile it,
// and hand the module to kernel-host.ts (`useKernelModule`), after which loadKernels() and kernelsForMemory() use it
// instead of reading the file. The file imports a shared memory; a page that is not cross-origin isolated cannot
// make one, so there the module is compiled to import an unshared memory (shared-memory.ts), as KernelMemory then
// makes it: the page need not be isolated, and the kernels compute the same either way. They run on one thread: a
// browser has no kernel worker (kernelThreads).
import { useKernelModule } from './kernel-host.js';
import { sharedMemoryAvailable, unshareMemoryImport } from './shared-memory.js';

/** Fetches and compiles the kernel module at `url` (importing an unshared memory where shared ones cannot be made), and makes it the one every later kernel load uses. */
export async function loadKernelsFromUrl(url: string | URL, fetcher: typeof fetch = fetch): Promise<WebAssembly.Module> {
  let response: Response;
  try {
    response = await fetcher(url);
  } catch (error) {
    throw new Error(`kernels: cannot fetch ${String(url)} (${(error as Error).message})`);
  }
  if (!response.ok) {
    throw new Error(`kernels: ${String(url)} answered ${response.status} ${response.statusText}: copy kgdistill's build/kernels.wasm (the package export ` +
      "'kgdistill/kernels.wasm') to your site and give its URL (initEngine({ kernels: '/kernels.wasm' })); a bundler that copies assets, such as Vite, does this itself");
  }
  const bytes = await response.arrayBuffer();
  if (!isWasm(bytes)) { // a single-page app's server answers an unknown path with its index.html
    const start = new TextDecoder().decode(new Uint8Array(bytes, 0, Math.min(16, bytes.byteLength))).replace(/\s+/g, ' ');
    throw new Error(`kernels: ${String(url)} is not a WebAssembly module (it begins ${JSON.stringify(start)}: a page served in its place?); give the URL of kgdistill's build/kernels.wasm`);
  }
  // not cross-origin isolated: the memory KernelMemory makes is unshared, and the module must import it so
  const module = await WebAssembly.compile(sharedMemoryAvailable() ? bytes : unshareMemoryImport(new Uint8Array(bytes), String(url)));
  useKernelModule(module);
  return module;
}

/** Whether `bytes` begin with WebAssembly's magic word, `\0asm`. */
function isWasm(bytes: ArrayBuffer): boolean {
  const head = new Uint8Array(bytes, 0, Math.min(4, bytes.byteLength));
  return head.length === 4 && head[0] === 0x00 && head[1] === 0x61 && head[2] === 0x73 && head[3] === 0x6d;
}
