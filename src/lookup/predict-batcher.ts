/**
 * Micro-batching of link predictions: the predictions asked within one turn of the event loop (the requests a
 * service parsed from its sockets in one poll) are answered from one sweep of the entity table
 * (`KernelSearch.withPrefetched`, a batched top-K on both threads) instead of one sweep each. Every answer is the
 * one the query gets alone: a query's list does not depend on the others in its batch.
 */
import type { KernelSearch } from './kernel-search.js';

/** Queries swept together at most (larger gatherings are split into batches of this size). */
export const MAX_PREDICT_BATCH = 64;

/** One waiting query: what to sweep, and the answer to build from the sweep. */
interface Waiting {
  entity: number;
  queryRelation: number;
  K: number;
  answer: () => void;
  fail: (error: unknown) => void;
}

/** Gathers concurrent predictions of one opened run into batched sweeps. */
export class PredictBatcher {
  private waiting: Waiting[] = [];

  constructor(private readonly search: KernelSearch, private readonly maxBatch = MAX_PREDICT_BATCH) {}

  /**
   * Resolves with `answer()`, run in the next batch with the K best answers of (entity, queryRelation) already
   * swept: the `search.predict` calls of `answer` for this query with at most K answers read that sweep.
   */
  submit<T>(entity: number, queryRelation: number, K: number, answer: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({
        entity, queryRelation, K, fail: reject,
        answer: () => {
          try {
            resolve(answer());
          } catch (error) {
            reject(error);
          }
        },
      });
      if (this.waiting.length === 1) setImmediate(() => this.flush());
    });
  }

  /**
   * Sweeps the first maxBatch queries waiting and answers them; what is left (and what arrives meanwhile) waits
   * for the next turn, so that these replies are written, and their clients can ask again, before the next sweep.
   */
  private flush(): void {
    const batch = this.waiting.splice(0, this.maxBatch);
    if (this.waiting.length > 0) setImmediate(() => this.flush());
    const K = Math.max(...batch.map((w) => w.K));
    try {
      this.search.withPrefetched(Int32Array.from(batch, (w) => w.entity), Int32Array.from(batch, (w) => w.queryRelation), K,
        () => batch.forEach((w) => w.answer()));
    } catch (error) {
      batch.forEach((w) => w.fail(error));
    }
  }
}
