/**
 * Micro-batching of link predictions: the predictions asked within one turn of the event loop (the requests a
 * service parsed from its sockets in one poll) are answered from one sweep of the entity table
 * (`KernelSearch.predictMany`, a batched top-K on both threads) instead of one sweep each. Every list is the one
 * the query gets alone: a query's list does not depend on the others in its batch.
 */
import type { KernelSearch, Ranked } from './kernel-search.js';

/** Queries swept together at most (larger gatherings are split into batches of this size). */
export const MAX_PREDICT_BATCH = 64;

/** One waiting query and its promise. */
interface Waiting {
  entity: number;
  queryRelation: number;
  K: number;
  resolve: (found: Ranked) => void;
  reject: (error: unknown) => void;
}

/** Gathers concurrent predictions of one opened run into batched sweeps. */
export class PredictBatcher {
  private waiting: Waiting[] = [];

  constructor(private readonly search: KernelSearch, private readonly maxBatch = MAX_PREDICT_BATCH) {}

  /** The K best answers of (entity, queryRelation), as `search.predict` gives them, swept in the next batch. */
  predict(entity: number, queryRelation: number, K: number): Promise<Ranked> {
    return new Promise<Ranked>((resolve, reject) => {
      this.waiting.push({ entity, queryRelation, K, resolve, reject });
      if (this.waiting.length === 1) setImmediate(() => this.flush());
    });
  }

  /**
   * Sweeps the first maxBatch queries waiting (each distinct query once, at the largest K asked) and answers them;
   * what is left (and what arrives meanwhile) waits for the next turn, so that these replies are written, and their
   * clients can ask again, before the next sweep.
   */
  private flush(): void {
    const batch = this.waiting.splice(0, this.maxBatch);
    if (this.waiting.length > 0) setImmediate(() => this.flush());
    const keys = batch.map((w) => `${w.entity}:${w.queryRelation}`);
    const first = [...new Map(keys.map((key, i) => [key, i])).values()];
    const K = Math.max(...batch.map((w) => w.K));
    let found: Ranked[];
    try {
      found = this.search.predictMany(Int32Array.from(first, (i) => batch[i]!.entity), Int32Array.from(first, (i) => batch[i]!.queryRelation), K);
    } catch (error) {
      batch.forEach((w) => w.reject(error));
      return;
    }
    const byKey = new Map(first.map((i, u) => [keys[i]!, found[u]!]));
    batch.forEach((w, i) => {
      const { ids, values } = byKey.get(keys[i]!)!;
      w.resolve({ ids: ids.slice(0, w.K), values: values.slice(0, w.K) });
    });
  }
}
