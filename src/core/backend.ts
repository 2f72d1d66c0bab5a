/**
 * Choice of the TensorFlow.js backend.
 *
 * Order when nothing is requested: `@tensorflow/tfjs-node-gpu`, then `@tensorflow/tfjs-node` (both optional: their
 * install downloads libtensorflow, so they are loaded with a dynamic import and never required), then the wasm
 * backend (SIMD build, single-threaded in Node), then the plain `cpu` backend. `tf.setBackend` quietly returns
 * false when a backend cannot start, so every attempt is checked.
 *
 * The engine imports tfjs-core only (ops, gradients, optimisers), never the union package `@tensorflow/tfjs`, whose
 * layers, converter, data and WebGL backend it does not run. Each backend registers itself on tfjs-core's one engine
 * when its package is imported, and each is imported only on the path that starts it (the native packages import
 * the union package themselves, on the same tfjs-core).
 *
 * The wasm backend's Emscripten module, when it starts in Node, adds process listeners for 'uncaughtException' and
 * 'unhandledRejection' that rethrow: every later uncaught error of the whole program (the library user's too) then
 * exits with code 7 and a stack header pointing into tf-backend-wasm.node.js. Its own `_dispose` means to remove them
 * but never does (a precedence slip in its filter). So `tryWasm` removes exactly the listeners added while the
 * backend started, and Node's default returns: exit code 1 and the error's own stack.
 */
import * as tf from '@tensorflow/tfjs-core';

/** A backend the user may request; `auto` tries them in the order above. */
export type BackendRequest = 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

/** The backends in the order `auto` tries them. */
export const BACKEND_CHOICES: readonly BackendRequest[] = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

const NATIVE_PACKAGES: Record<'tensorflow-gpu' | 'tensorflow', string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

let active: string | undefined;

/** Why the last native backend asked for by name could not start (for the error of an explicit request). */
let nativeFailure: string | undefined;

async function tryNative(which: 'tensorflow-gpu' | 'tensorflow'): Promise<boolean> {
  // The package name is held in a variable so that bundlers and tsc do not require it to be installed.
  const packageName = NATIVE_PACKAGES[which];
  try {
    await import(/* webpackIgnore: true */ /* @vite-ignore */ packageName);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    nativeFailure = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND'
      ? `the package ${packageName} is not installed (npm install ${packageName}; optional: kgdistill runs on wasm without it)`
      : `the package ${packageName} failed to load: ${(error as Error).message.split('\n')[0]}`;
    return false;
  }
  return tf.setBackend('tensorflow');
}

/** The process events whose listeners the wasm backend's Emscripten module adds in Node. */
const EMSCRIPTEN_EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

/**
 * Whether a process listener is one of the Emscripten module's (tf-backend-wasm.node.js: `if (!(ex instanceof
 * ExitStatus)) throw ex` and `function (reason) { throw reason; }`), so that a listener the user adds meanwhile stays.
 */
function isEmscriptenListener(listener: unknown): boolean {
  return typeof listener === 'function' && /instanceof ExitStatus|throw reason/.test(Function.prototype.toString.call(listener));
}

/** Runs `start` and then removes the Emscripten module's 'uncaughtException' and 'unhandledRejection' listeners it added meanwhile. */
async function withoutAddedProcessListeners<T>(start: () => Promise<T>): Promise<T> {
  const proc = (globalThis as { process?: NodeJS.EventEmitter }).process;
  if (typeof proc?.listeners !== 'function') return start(); // a browser (the explorer's worker): nothing to undo
  const before = EMSCRIPTEN_EVENTS.map((event) => new Set(proc.listeners(event)));
  try {
    return await start();
  } finally {
    EMSCRIPTEN_EVENTS.forEach((event, i) => {
      for (const listener of proc.listeners(event)) {
        if (!before[i]!.has(listener) && isEmscriptenListener(listener)) proc.removeListener(event, listener as (...args: unknown[]) => void);
      }
    });
  }
}

async function tryWasm(): Promise<boolean> {
  try {
    await import('@tensorflow/tfjs-backend-wasm');
  } catch {
    return false;
  }
  return withoutAddedProcessListeners(() => tf.setBackend('wasm'));
}

/**
 * tfjs's plain JavaScript backend, held in a variable as the native packages are: a page starts the wasm backend
 * only (`initEngine`), so no bundler puts this backend into a page's bundle (esbuild without code splitting would
 * inline a literal `import()`). In Node it is an ordinary dependency, found in node_modules when the cpu path runs.
 */
const CPU_PACKAGE = '@tensorflow/tfjs-backend-cpu';

/** Why the cpu backend's package could not be loaded (for the error of an explicit request). */
let cpuFailure: string | undefined;

/**
 * Starts tfjs's plain JavaScript backend without its banner: on its first tensor in Node it prints "install our node
 * backend" (backend_cpu.js, `firstUse`), advice kgdistill's own messages already give where it applies (wasm is the
 * default; tfjs-node is optional and cannot be installed everywhere). Its `firstUse` flag is set as if that had run.
 */
async function startCpu(): Promise<boolean> {
  try {
    await import(/* webpackIgnore: true */ /* @vite-ignore */ CPU_PACKAGE); // registers 'cpu' on tfjs-core's engine
  } catch (error) {
    cpuFailure = `the package ${CPU_PACKAGE} failed to load: ${(error as Error).message.split('\n')[0]}`;
    return false;
  }
  if (!(await tf.setBackend('cpu'))) return false;
  const backend = tf.backend() as { firstUse?: boolean };
  if (backend.firstUse === true) backend.firstUse = false;
  return true;
}

/** Starts the requested backend (or the best available one) and returns the name tfjs reports for it. */
export async function initBackend(request: BackendRequest = 'auto'): Promise<string> {
  const order: BackendRequest[] = request === 'auto' ? ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] : [request];
  for (const candidate of order) {
    let ok = false;
    if (candidate === 'tensorflow-gpu' || candidate === 'tensorflow') ok = await tryNative(candidate);
    else if (candidate === 'wasm') ok = await tryWasm();
    else if (candidate === 'cpu') ok = await startCpu();
    if (ok) {
      await tf.ready();
      active = tf.getBackend();
      return active;
    }
  }
  const failure = request === 'tensorflow' || request === 'tensorflow-gpu' ? nativeFailure : request === 'cpu' ? cpuFailure : undefined;
  const why = failure ?? 'is its package installed?';
  throw new Error(`backend '${request}' could not be started (${why})`);
}

/** The backend running now (starting the default one if none was chosen yet). */
export async function currentBackend(): Promise<string> {
  return active ?? initBackend('auto');
}

/** True when the backend runs tf.gather's gradient natively and fast (the TensorFlow C library). */
export function hasNativeGatherGradient(backend: string): boolean {
  return backend === 'tensorflow';
}
