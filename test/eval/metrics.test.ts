import { describe, expect, it } from 'vitest';
import { RankMetrics } from '../../src/eval/metrics.js';

describe('RankMetrics', () => {
  // Hand-made tie-averaged ranks.
  const ranks = [1, 2, 1.5, 4, 10, 10.5, 20];

  it('computes MRR, MR and Hits@k', () => {
    const metrics = new RankMetrics();
    metrics.addAll(ranks);
    const result = metrics.result();
    expect(result.count).toBe(7);
    // MRR = (1 + 1/2 + 1/1.5 + 1/4 + 1/10 + 1/10.5 + 1/20) / 7 = 2.6619047... / 7 = 0.3802721...
    expect(result.mrr).toBeCloseTo((1 + 0.5 + 2 / 3 + 0.25 + 0.1 + 2 / 21 + 0.05) / 7, 12);
    expect(result.mrr).toBeCloseTo(0.380272, 6);
    // MR = (1 + 2 + 1.5 + 4 + 10 + 10.5 + 20) / 7 = 49 / 7 = 7
    expect(result.mr).toBe(7);
    // Hits@1: {1} → 1/7 (1.5 is a tie at the top, not a hit)
    expect(result['hits@1']).toBe(1 / 7);
    // Hits@3: {1, 2, 1.5} → 3/7
    expect(result['hits@3']).toBe(3 / 7);
    // Hits@10: {1, 2, 1.5, 4, 10} → 5/7 (10.5 is not ≤ 10)
    expect(result['hits@10']).toBe(5 / 7);
  });

  it('merging two halves equals adding everything to one', () => {
    const whole = new RankMetrics();
    whole.addAll(ranks);
    const left = new RankMetrics();
    left.addAll(ranks.slice(0, 3));
    const right = new RankMetrics();
    right.addAll(Float64Array.from(ranks.slice(3)));
    left.merge(right);
    expect(left.result()).toEqual(whole.result());
  });

  it('a rank of exactly 3 is a Hits@3 hit (rank ≤ 3), not a Hits@1 one', () => {
    const metrics = new RankMetrics();
    metrics.addAll([3]);
    expect(metrics.result()).toEqual({ count: 1, mrr: 1 / 3, mr: 3, 'hits@1': 0, 'hits@3': 1, 'hits@10': 1 });
  });

  it('reports count 0 and NaN metrics when empty', () => {
    expect(new RankMetrics().result()).toEqual({
      count: 0,
      mrr: NaN,
      mr: NaN,
      'hits@1': NaN,
      'hits@3': NaN,
      'hits@10': NaN,
    });
  });

  it('rejects ranks below 1 and NaN', () => {
    const metrics = new RankMetrics();
    expect(() => metrics.add(0.5)).toThrow(RangeError);
    expect(() => metrics.add(NaN)).toThrow(RangeError);
    expect(metrics.result().count).toBe(0);
  });
});
