import { describe, it, expect } from 'vitest';
import { relationCategories, relationCategoryStats, categorize } from '../../src/kg/relation-categories.js';

describe('relation categories (Bordes et al. 2013)', () => {
  // One relation of each category, plus one exactly at the 1.5 threshold and one without triples.
  const triples = Int32Array.of(
    // r0, 1-1: every head one tail, every tail one head (the repeated triple counts once)
    0, 0, 1, 2, 0, 3, 4, 0, 5, 0, 0, 1,
    // r1, 1-N: head 0 has tails 1, 2, 3; head 4 has tail 5 → tph = 4/2 = 2, hpt = 4/4 = 1
    0, 1, 1, 0, 1, 2, 0, 1, 3, 4, 1, 5,
    // r2, N-1: tail 0 has heads 1, 2, 3; tail 4 has head 5 → tph = 1, hpt = 2
    1, 2, 0, 2, 2, 0, 3, 2, 0, 5, 2, 4,
    // r3, N-N: heads {0, 1} × tails {1, 2} → tph = 2, hpt = 2
    0, 3, 1, 0, 3, 2, 1, 3, 1, 1, 3, 2,
    // r4: head 0 → tails 1, 2; head 3 → tail 5 → tph = 3/2 = 1.5 (counts as N), hpt = 1 → 1-N
    0, 4, 1, 0, 4, 2, 3, 4, 5,
  );

  it('classifies each relation of a hand-made graph', () => {
    expect(relationCategories(triples, 6)).toEqual(['1-1', '1-N', 'N-1', 'N-N', '1-N', null]);
  });

  it('reports the numbers behind the categories', () => {
    const stats = relationCategoryStats(triples, 6);
    expect(stats[0]).toEqual({ triples: 3, heads: 3, tails: 3, tailsPerHead: 1, headsPerTail: 1, category: '1-1' });
    expect(stats[1]).toMatchObject({ triples: 4, heads: 2, tails: 4, tailsPerHead: 2, headsPerTail: 1 });
    expect(stats[2]).toMatchObject({ triples: 4, heads: 4, tails: 2, tailsPerHead: 1, headsPerTail: 2 });
    expect(stats[3]).toMatchObject({ triples: 4, heads: 2, tails: 2, tailsPerHead: 2, headsPerTail: 2 });
    expect(stats[4]).toMatchObject({ triples: 3, tailsPerHead: 1.5, headsPerTail: 1 });
    expect(stats[5]).toEqual({ triples: 0, heads: 0, tails: 0, tailsPerHead: 0, headsPerTail: 0, category: null });
  });

  it('uses 1.5 as the threshold on both sides', () => {
    expect(categorize(1.49, 1.49)).toBe('1-1');
    expect(categorize(1.5, 1.49)).toBe('1-N');
    expect(categorize(1.49, 1.5)).toBe('N-1');
    expect(categorize(1.5, 1.5)).toBe('N-N');
  });

  it('rejects relation ids outside the range', () => {
    expect(() => relationCategories(Int32Array.of(0, 2, 1), 2)).toThrow('relation id 2 outside [0, 2)');
  });
});
