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
  if (!response.ok) {
    throw new Error(`kernels: ${String(url)} answered ${response.status} ${response.statusText}: copy kgdistill's build/kernels.wasm (the package export ` +
      "'kgdistill/kernels.wasm') to your site and give its URL (initEngine({ kernels: '/kernels.wasm' })); a bundler that copies assets, such as Vite, does this itself");
  }
  if (typeof SharedArrayBuffer === 'undefined') {
    throw new Error('kernels: this page is not cross-origin isolated (no SharedArrayBuffer), so the kernels\' shared memory cannot be made; serve it with COOP: same-origin and COEP: require-corp');
  }
  const bytes = await response.arrayBuffer();
  if (!isWasm(bytes)) { // a single-page app's server answers an unknown path with its index.html
    const start = new TextDecoder().decode(new Uint8Array(bytes, 0, Math.min(16, bytes.byteLength))).replace(/\s+/g, ' ');
    throw new Error(`kernels: ${String(url)} is not a WebAssembly module (it begins ${JSON.stringify(start)}: a page served in its place?); give the URL of kgdistill's build/kernels.wasm`);
  }
  const module = await WebAssembly.compile(bytes);
  useKernelModule(module);
  return module;
}

/** Whether `bytes` begin with WebAssembly's magic word, `\0asm`. */
function isWasm(bytes: ArrayBuffer): boolean {
  const head = new Uint8Array(bytes, 0, Math.min(4, bytes.byteLength));
  return head.length === 4 && head[0] === 0x00 && head[1] === 0x61 && head[2] === 0x73 && head[3] === 0x6d;
}
