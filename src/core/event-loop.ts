/**
 * Long computations (an epoch, an evaluation) return to the event loop every SLICE_MS, so that what waits on it — a
 * signal handler such as Ctrl-C's, a worker's messages — runs within a fraction of a second instead of at their end.
 */

/** How long a computation runs before it lets the event loop run. */
export const SLICE_MS = 200;

/** Resolves after the event loop has run once (setTimeout: also in a browser worker, where setImmediate is missing). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise<void>((resolve) => setTimeout(resolve, 0));
}

/** A clock for slices: `due()` is true once `sliceMs` has passed since it was made or last `restart()`ed. */
export class SliceClock {
  private end: number;
  constructor(private readonly sliceMs = SLICE_MS) {
    this.end = performance.now() + sliceMs;
  }

  /** True when the slice is over. */
  due(): boolean {
    return performance.now() >= this.end;
  }

  /** Starts the next slice. */
  restart(): void {
    this.end = performance.now() + this.sliceMs;
  }

  /** Lets the event loop run when the slice is over (and starts the next one); otherwise resolves at once. */
  async yieldIfDue(): Promise<void> {
    if (!this.due()) return;
    await yieldToEventLoop();
    this.restart();
  }
}
