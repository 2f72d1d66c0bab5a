// Runs a test body with KGDISTILL_THREADS set (read when a runtime's or kernel set's worker is first asked for) and
// restores the variable after, whatever the body does.

/** `run()` with KGDISTILL_THREADS = threads, the variable restored (or removed) afterwards. */
export async function withKernelThreads<T>(threads: number | string, run: () => Promise<T>): Promise<T> {
  const previous = process.env.KGDISTILL_THREADS;
  process.env.KGDISTILL_THREADS = String(threads);
  try {
    return await run();
  } finally {
    if (previous === undefined) delete process.env.KGDISTILL_THREADS;
    else process.env.KGDISTILL_THREADS = previous;
  }
}
