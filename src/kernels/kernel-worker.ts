// A worker thread that runs kernels on the same shared memory as the main thread (threads + shared wasm memory):
// the main thread hands it one export call — or a recorded list of calls — runs its own share of the work, then
// waits for it. Used where work splits into independent halves (the top-K sweep over disjoint queries, half a
// training batch with its own gradient accumulators). Each worker has its own instance of the module (its own
// globals), on the one memory; every buffer it writes belongs to its share.
//
// Calls travel through a shared mailbox, not messages: the main thread writes the calls into a shared Float64Array
// and wakes the worker with Atomics.notify; the worker, blocked in Atomics.wait, runs them and notifies back. A
// message would wait for the worker's event loop (measured here: ~1.5 ms a step, as long as half a step).
import type { MessagePort, Worker } from 'node:worker_threads';
import type { KernelMemory } from './kernel-memory.js';

/** Floats of the call mailbox (a recorded step of a large batch needs ~200k). */
const MAILBOX_FLOATS = 1 << 21;
/**
 * Floats of a row-wise sweep (an optimiser's update, a constraint's projection) above which the second half is worth
 * handing to the worker: below it the hand-over costs more than the half it saves (bench:constraint-step, bench:kernels).
 */
export const MIN_SPLIT_SWEEP_FLOATS = 1 << 16;

/** How long `wait` gives a new worker to start before it gives up (its start takes milliseconds on an idle machine). */
const START_LIMIT_MS = 20_000;
/** What a user can do when the worker thread fails. */
const ONE_THREAD_ADVICE = 'KGDISTILL_THREADS=1 runs every kernel on the main thread';

/**
 * The worker's code, evaluated as CommonJS or, when the host was started with `--input-type=module` (an ESM `-e`
 * snippet, ESM on stdin), which the worker inherits, as ESM — so it takes `worker_threads` either way.
 * Mailbox: ctl[0] = sequence number of the posted call list (the worker waits for it to change), ctl[1] = sequence number done (negative: failed), ctl[2] = the list's length in floats,
 * ctl[3] = 1 once the worker has started (−1: it could not);
 * calls are [export index, collect flag, argument count, arguments…]; out[0] = the sum of the collected results.
 */
const WORKER_SOURCE = `
const { workerData } = typeof require === 'function' ? require('node:worker_threads') : process.getBuiltinModule('node:worker_threads');
const { module, memory, ctlBuffer, mailboxBuffer, names, errors } = workerData;
const ctl = new Int32Array(ctlBuffer, 0, 4);
let exports_;
try {
  exports_ = new WebAssembly.Instance(module, { env: { memory, abort: () => { throw new Error('kernels: wasm abort'); } } }).exports;
} catch (e) {
  errors.postMessage(String(e && e.stack || e));
  Atomics.store(ctl, 3, -1);
  Atomics.notify(ctl, 1);
  process.exit(1); // ends this thread only
}
Atomics.store(ctl, 3, 1);
Atomics.notify(ctl, 1);
const fns = names.map((name) => exports_[name]);
const out = new Float64Array(ctlBuffer, 16, 1);
const p = new Float64Array(mailboxBuffer);
const run = (f, i, n) => {
  switch (n) {
    case 0: return f();
    case 1: return f(p[i]);
    case 2: return f(p[i], p[i + 1]);
    case 3: return f(p[i], p[i + 1], p[i + 2]);
    case 4: return f(p[i], p[i + 1], p[i + 2], p[i + 3]);
    case 5: return f(p[i], p[i + 1], p[i + 2], p[i + 3], p[i + 4]);
    case 6: return f(p[i], p[i + 1], p[i + 2], p[i + 3], p[i + 4], p[i + 5]);
    case 7: return f(p[i], p[i + 1], p[i + 2], p[i + 3], p[i + 4], p[i + 5], p[i + 6]);
    case 8: return f(p[i], p[i + 1], p[i + 2], p[i + 3], p[i + 4], p[i + 5], p[i + 6], p[i + 7]);
    case 9: return f(p[i], p[i + 1], p[i + 2], p[i + 3], p[i + 4], p[i + 5], p[i + 6], p[i + 7], p[i + 8]);
    default: return f(...p.subarray(i, i + n));
  }
};
let seen = 0;
for (;;) {
  Atomics.wait(ctl, 0, seen);
  const seq = Atomics.load(ctl, 0);
  if (seq === seen) continue;
  seen = seq;
  let ok = true;
  try {
    let total = 0;
    for (let i = 0, end = ctl[2]; i < end;) {
      const value = run(fns[p[i]], i + 3, p[i + 2]);
      if (p[i + 1] === 1) total += value;
      i += 3 + p[i + 2];
    }
    out[0] = total;
  } catch (e) { ok = false; errors.postMessage(String(e && e.stack || e)); }
  Atomics.store(ctl, 1, ok ? seq : -seq);
  Atomics.notify(ctl, 1);
}
`;

/** A list of export calls to run in order, written into the worker's mailbox ([index, collect, argc, args…] each). */
export class CallList {
  length = 0;

  constructor(private readonly indexOf: ReadonlyMap<string, number>, readonly floats: Float64Array) {}

  /** Appends a call; `collect` adds its result to the sum `wait` returns. False when the mailbox is full. */
  add(name: string, args: readonly number[], collect = false): boolean {
    const fn = this.indexOf.get(name);
    if (fn === undefined) throw new Error(`kernel worker: no export ${name}`);
    if (this.length + 3 + args.length > this.floats.length) return false;
    const f = this.floats;
    f[this.length++] = fn;
    f[this.length++] = collect ? 1 : 0;
    f[this.length++] = args.length;
    for (const a of args) f[this.length++] = a;
    return true;
  }
}

/** One kernel worker bound to a memory; post calls, do other work, then `wait` for them. */
export class KernelWorker {
  private readonly worker: Worker;
  private readonly ctl: Int32Array;
  private readonly out: Float64Array;
  private readonly mailbox: Float64Array;
  private readonly indexOf: Map<string, number>;
  /** Where the worker posts a failed call's error; read synchronously in `wait` (the event loop is blocked there). */
  private readonly errors: MessagePort;
  private seq = 0;
  private list: CallList;
  /** When the worker was created (performance.now()), for the start limit of `wait`. */
  private readonly created: number;
  /** The error the worker died of, once the event loop has delivered it. */
  private died: Error | undefined;

  private constructor(module: WebAssembly.Module, memory: KernelMemory) {
    const ctlBuffer = new SharedArrayBuffer(24);
    this.ctl = new Int32Array(ctlBuffer, 0, 4);
    this.out = new Float64Array(ctlBuffer, 16, 1);
    const mailboxBuffer = new SharedArrayBuffer(8 * MAILBOX_FLOATS);
    this.mailbox = new Float64Array(mailboxBuffer);
    const names = WebAssembly.Module.exports(module).filter((e) => e.kind === 'function').map((e) => e.name);
    this.indexOf = new Map(names.map((name, i) => [name, i]));
    this.list = new CallList(this.indexOf, this.mailbox);
    const { MessageChannel, Worker } = workerThreads();
    const { port1, port2 } = new MessageChannel();
    this.errors = port1;
    this.errors.unref();
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory: memory.memory, ctlBuffer, mailboxBuffer, names, errors: port2 }, transferList: [port2] });
    this.created = performance.now();
    this.worker.unref(); // an idle worker never keeps the process alive
    // A worker that dies (seen when the event loop turns, between steps) is reported by the next `wait`, not left
    // to crash the process as an unheard 'error' event.
    this.worker.on('error', (error) => { this.died ??= error; });
    // one that ends without an error (terminated, or its process's exit) would leave the next `wait` waiting for ever
    this.worker.on('exit', (code) => { this.died ??= new Error(`it exited (code ${code})`); });
  }

  /** A new, empty call list (over the mailbox: write it, then `post` it; do not post while the worker runs). */
  calls(): CallList {
    this.list = new CallList(this.indexOf, this.mailbox);
    return this.list;
  }

  /** Wakes the worker to run the current call list. */
  post(): void {
    this.seq++;
    this.ctl[2] = this.list.length;
    Atomics.store(this.ctl, 1, 0);
    Atomics.store(this.ctl, 0, this.seq);
    Atomics.notify(this.ctl, 0);
  }

  /** Starts `fn(...args)` (an export of the kernel module) on the worker. */
  start(fn: string, args: readonly number[]): void {
    this.calls().add(fn, args);
    this.post();
  }

  /**
   * Runs `here()` on this thread while the worker runs export `fn(...args)`, and waits for the worker also when
   * `here` throws; without a worker (or without `args`) only `here()` runs.
   */
  static beside<T>(worker: KernelWorker | null, fn: string, args: readonly number[] | null, here: () => T): T {
    if (!worker || !args) return here();
    worker.start(fn, args);
    return worker.alongside(here).result;
  }

  /**
   * Runs `here()` on this thread while the worker runs the calls already posted, and waits for them also when `here`
   * throws (when both fail, `here`'s error is the one thrown); `worker` is the sum `wait` returns.
   */
  alongside<T>(here: () => T): { result: T; worker: number } {
    let result: T;
    try {
      result = here();
    } catch (error) {
      try {
        this.wait(); // the worker's part ends before the caller goes on
      } catch {
        // when both parts fail, the main thread's error is the one reported
      }
      throw error;
    }
    return { result, worker: this.wait() };
  }

  /** Blocks until the posted calls have finished; returns the sum of the collected results; throws if one failed. */
  wait(): number {
    if (this.died) throw new Error(`kernel worker: the worker thread died: ${this.died.message} (${ONE_THREAD_ADVICE})`);
    for (;;) {
      const done = Atomics.load(this.ctl, 1);
      if (done === this.seq) return this.out[0]!;
      if (done === -this.seq) {
        const error = workerThreads().receiveMessageOnPort(this.errors)?.message as string | undefined;
        throw new Error(`kernel worker: the call failed${error ? `: ${error}` : ''}`);
      }
      if (Atomics.load(this.ctl, 3) !== 1) this.requireStarted();
      Atomics.wait(this.ctl, 1, done, 1000);
    }
  }

  /** Throws when the worker could not start, or has not started within START_LIMIT_MS (it would never answer). */
  private requireStarted(): void {
    if (Atomics.load(this.ctl, 3) === -1) {
      const error = workerThreads().receiveMessageOnPort(this.errors)?.message as string | undefined;
      throw new Error(`kernel worker: the worker thread could not start${error ? `: ${error}` : ''} (${ONE_THREAD_ADVICE})`);
    }
    const waited = performance.now() - this.created;
    if (waited > START_LIMIT_MS) throw new Error(`kernel worker: the worker thread has not started after ${Math.round(waited / 1000)} s (${ONE_THREAD_ADVICE})`);
  }

  private static readonly byMemory = new WeakMap<KernelMemory, KernelWorker | null>();
  /** A memory dropped without `release` still ends its worker, once the memory is collected (a safety net). */
  private static readonly collected = new FinalizationRegistry<Worker>((worker) => void worker.terminate());

  /**
   * Ends the worker thread of `memory`, if it has one (a thread holds its memory: tables, optimiser state), once the
   * memory's work is done (a run trained and tested, an evaluation, a closed lookup). Kernels on that memory run on
   * the main thread from then on.
   */
  static release(memory: KernelMemory): void {
    const kernelWorker = KernelWorker.byMemory.get(memory);
    KernelWorker.byMemory.set(memory, null);
    if (!kernelWorker) return;
    KernelWorker.collected.unregister(kernelWorker);
    kernelWorker.errors.close();
    void kernelWorker.worker.terminate();
  }

  /**
   * The kernel worker of a memory, created on first use; null when this machine has a single core or when
   * KGDISTILL_THREADS=1 (one thread: everything on the main thread).
   */
  static forMemory(module: WebAssembly.Module, memory: KernelMemory): KernelWorker | null {
    if (KernelWorker.byMemory.has(memory)) return KernelWorker.byMemory.get(memory)!;
    const worker = kernelThreads() === 2 && memory.shared ? new KernelWorker(module, memory) : null;
    KernelWorker.byMemory.set(memory, worker);
    if (worker) KernelWorker.collected.register(memory, worker.worker, worker);
    return worker;
  }
}

/** Node's worker_threads, taken when a worker is made: a host without it (a browser) runs the kernels on one thread. */
function workerThreads(): typeof import('node:worker_threads') {
  threadsModule ??= globalThis.process?.getBuiltinModule?.('node:worker_threads');
  if (!threadsModule) throw new Error('kernel worker: this host has no node:worker_threads (kernelThreads() is 1 here)');
  return threadsModule;
}
let threadsModule: typeof import('node:worker_threads') | undefined;

/**
 * The threads the kernels run on: 2 (the main thread and one worker) unless KGDISTILL_THREADS=1 or the machine has a
 * single core; always 1 without Node's process (a browser: no kernel worker there, whatever the bundler defines).
 * Float sums split across threads round differently: the same seed gives the same numbers at the same thread count
 * (runs record it).
 */
export function kernelThreads(): 1 | 2 {
  const node = globalThis.process;
  if (node?.getBuiltinModule === undefined) return 1;
  const asked = node.env?.KGDISTILL_THREADS;
  if (asked !== undefined && asked !== '' && !/^[1-9]\d*$/.test(asked.trim())) {
    throw new Error(`KGDISTILL_THREADS must be a whole number of threads ≥ 1 (1: everything on the main thread; 2 or more: two), not '${asked}'`);
  }
  return Number(asked || node.getBuiltinModule('node:os').availableParallelism()) >= 2 ? 2 : 1;
}
