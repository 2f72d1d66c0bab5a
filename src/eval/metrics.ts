/**
 * Link-prediction metrics from (tie-averaged) ranks: MRR, MR and Hits@1/3/10.
 *
 * Hits@k counts rank ≤ k on the tie-averaged rank, so a gold answer tied with one other candidate at the
 * top (rank 1.5) is not a Hits@1 hit. With no ranks at all every metric is NaN (and count is 0).
 */

/** Link-prediction metrics over a set of ranks. */
export interface LinkPredictionMetrics {
  /** Number of ranked queries. */
  count: number;
  /** Mean reciprocal rank. */
  mrr: number;
  /** Mean rank. */
  mr: number;
  /** Fraction of queries with rank ≤ 1. */
  'hits@1': number;
  /** Fraction of queries with rank ≤ 3. */
  'hits@3': number;
  /** Fraction of queries with rank ≤ 10. */
  'hits@10': number;
}

/** Running sums of ranks from which {@link LinkPredictionMetrics} are computed. */
export class RankMetrics {
  private count = 0;
  private sumReciprocal = 0;
  private sumRank = 0;
  private hitsAt1 = 0;
  private hitsAt3 = 0;
  private hitsAt10 = 0;

  /** Adds one rank (≥ 1). */
  add(rank: number): void {
    if (!(rank >= 1)) throw new RangeError(`rank must be a number ≥ 1, got ${rank}`);
    this.count++;
    this.sumReciprocal += 1 / rank;
    this.sumRank += rank;
    if (rank <= 1) this.hitsAt1++;
    if (rank <= 3) this.hitsAt3++;
    if (rank <= 10) this.hitsAt10++;
  }

  /** Adds every rank of an array. */
  addAll(ranks: ArrayLike<number>): void {
    for (let i = 0; i < ranks.length; i++) this.add(ranks[i]);
  }

  /** Adds the ranks accumulated by another instance. */
  merge(other: RankMetrics): void {
    this.count += other.count;
    this.sumReciprocal += other.sumReciprocal;
    this.sumRank += other.sumRank;
    this.hitsAt1 += other.hitsAt1;
    this.hitsAt3 += other.hitsAt3;
    this.hitsAt10 += other.hitsAt10;
  }

  /** Metrics of the ranks added so far (NaN when none were added). */
  result(): LinkPredictionMetrics {
    const n = this.count;
    return {
      count: n,
      mrr: n === 0 ? NaN : this.sumReciprocal / n,
      mr: n === 0 ? NaN : this.sumRank / n,
      'hits@1': n === 0 ? NaN : this.hitsAt1 / n,
      'hits@3': n === 0 ? NaN : this.hitsAt3 / n,
      'hits@10': n === 0 ? NaN : this.hitsAt10 / n,
    };
  }
}

/** The headline figures of an evaluation (filtered, realistic ties), typed, beside the rest of its summary. */
export type SummaryMetrics = Record<string, unknown> & { mrr: number; 'hits@1': number; 'hits@3': number; 'hits@10': number; mr: number; queries: number };
