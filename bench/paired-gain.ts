/**
 * Students beside their twins, seed by seed: the gain a student makes over the run that differs from it only by
 * the teachers (same hard loss, optimiser, epochs, seed). Used by `npm run bench:mulde-quality -- --report`.
 */

/** One finished run: the seed it was trained with and its test MRR. */
export interface SeedResult { seed: number; mrr: number }

/** The student's gain over its twin on each seed both have finished, in seed order. */
export function pairedGains(student: readonly SeedResult[], twin: readonly SeedResult[]): { seed: number; gain: number }[] {
  const twinBySeed = new Map(twin.map((r) => [r.seed, r.mrr]));
  return student
    .filter((r) => twinBySeed.has(r.seed))
    .map((r) => ({ seed: r.seed, gain: r.mrr - twinBySeed.get(r.seed)! }))
    .sort((a, b) => a.seed - b.seed);
}
