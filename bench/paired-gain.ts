/**
 * A run beside the run it is compared with, seed by seed: e.g. the gain a student makes over its twin (the same
 * hard loss, optimiser, epochs and seed without the teachers). Used by `npm run bench:mulde-quality -- --report`.
 */

/** One finished run: the seed it was trained with and its test MRR. */
export interface SeedResult { seed: number; mrr: number }

/** One seed both have finished: the two MRRs and the run's gain over the other. */
export interface SeedPair { seed: number; run: number; against: number; gain: number }

/** The run's MRR beside the other's on each seed both have finished, in seed order. */
export function pairedGains(run: readonly SeedResult[], against: readonly SeedResult[]): SeedPair[] {
  const againstBySeed = new Map(against.map((r) => [r.seed, r.mrr]));
  return run
    .filter((r) => againstBySeed.has(r.seed))
    .map((r) => {
      const other = againstBySeed.get(r.seed)!;
      return { seed: r.seed, run: r.mrr, against: other, gain: r.mrr - other };
    })
    .sort((a, b) => a.seed - b.seed);
}
