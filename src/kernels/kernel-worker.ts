// A worker thread that runs kernels on the same shared memory as the main thread (threads + shared wasm memory):
// the main thread hands it one export call, runs its own share of the work, then waits for it. Used where a
// kernel call splits into independent halves (e.g. the top-K sweep over disjoint queries). Each worker has its own
// instance of the module (its own globals), on the one memory; every buffer it touches belongs to its call.
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import os from 'node:os';
import type { KernelMemory } from './kernel-memory.js';

/** The worker's code (CommonJS, evaluated): instantiate, then run one export per message and signal completion. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { module, memory, flag, errors } = workerData;
const exports_ = new WebAssembly.Instance(module, { env: { memory, abort: () => { throw new Error('kernels: wasm abort'); } } }).exports;
const done = new Int32Array(flag);
parentPort.on('message', ({ fn, args, seq }) => {
  let ok = true;
  try { exports_[fn](...args); } catch (e) { ok = false; errors.postMessage(String(e && e.stack || e)); }
  Atomics.store(done, 0, ok ? seq : -seq);
  Atomics.notify(done, 0);
});
`;

/** One kernel worker bound to a memory; `start` a call, do other work, then `wait` for it. */
export class KernelWorker {
  private readonly worker: Worker;
  private readonly done: Int32Array;
  /** Where the worker posts a failed call's error; read synchronously in `wait` (the event loop is blocked there). */
  private readonly errors: MessagePort;
  private seq = 0;

  private constructor(module: WebAssembly.Module, memory: KernelMemory) {
    const flag = new SharedArrayBuffer(4);
    this.done = new Int32Array(flag);
    const { port1, port2 } = new MessageChannel();
    this.errors = port1;
    this.errors.unref();
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory: memory.memory, flag, errors: port2 }, transferList: [port2] });
    this.worker.unref(); // an idle worker never keeps the process alive
  }

  /** Starts `fn(...args)` (an export of the kernel module) on the worker. */
  start(fn: string, args: readonly number[]): void {
    this.seq++;
    Atomics.store(this.done, 0, 0);
    this.worker.postMessage({ fn, args, seq: this.seq });
  }

  /** Blocks until the started call has finished; throws if it failed. */
  wait(): void {
    while (Atomics.load(this.done, 0) === 0) Atomics.wait(this.done, 0, 0, 1000);
    if (Atomics.load(this.done, 0) !== this.seq) {
      const error = receiveMessageOnPort(this.errors)?.message as string | undefined;
      throw new Error(`kernel worker: the call failed${error ? `: ${error}` : ''}`);
    }
  }

  private static readonly byMemory = new WeakMap<KernelMemory, KernelWorker | null>();

  /**
   * The kernel worker of a memory, created on first use; null when this machine has a single core or when
   * KGDISTILL_THREADS=1 (one thread: everything on the main thread).
   */
  static forMemory(module: WebAssembly.Module, memory: KernelMemory): KernelWorker | null {
    if (KernelWorker.byMemory.has(memory)) return KernelWorker.byMemory.get(memory)!;
    const threads = Number(process.env.KGDISTILL_THREADS ?? os.availableParallelism());
    const worker = threads >= 2 && memory.shared ? new KernelWorker(module, memory) : null;
    KernelWorker.byMemory.set(memory, worker);
    return worker;
  }
}
