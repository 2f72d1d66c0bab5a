// The text tables of `predict` and `neighbors`: ids are printed as `--entity id:<n>` takes them (no thousands
// separators), and heads are labelled as the answers of the reciprocal query they are scored by.
import { describe, expect, it } from 'vitest';
import { formatNeighbors, formatPredictions, formatScore } from '../../src/cli/lookup-format.js';
import type { NeighborsResult, PredictResult } from '../../src/lookup/checkpoint-lookup.js';

describe('lookup tables', () => {
  it('show small scores in exponent notation, not as 0.0000 or -0.0000', () => {
    expect([formatScore(1.23456), formatScore(-0.0125), formatScore(0.00012346), formatScore(-4e-9), formatScore(0)]).toEqual(['1.2346', '-0.0125', '1.235e-4', '-4.000e-9', '0']);
    const small = { direction: 'tails', given: { id: 2, key: 'e2' }, relation: { id: 0, key: 'next' }, method: 'exact', scored: 3, filtered: false,
      answers: [{ rank: 1, id: 1, key: 'e1', score: 3.2e-6 }, { rank: 2, id: 0, key: 'e0', score: -1.5e-6 }] } as unknown as PredictResult;
    expect(formatPredictions(small)).toMatch(/e1\s+3\.200e-6/);
    expect(formatPredictions(small)).toMatch(/e0\s+-1\.500e-6/);
  });

  it('print ids without separators', () => {
    const neighbors = { entity: { id: 5, key: 'e5' }, metric: 'dot', method: 'exact', neighbors: [{ rank: 1, id: 1334, key: 'e1334', similarity: 0.5 }] } as unknown as NeighborsResult;
    expect(formatNeighbors(neighbors)).toMatch(/\b1334\s*$/m);
    expect(formatNeighbors(neighbors)).not.toContain('1,334');
    const heads = { direction: 'heads', given: { id: 2, key: 'e2' }, relation: { id: 0, key: 'next' }, method: 'exact', scored: 2000, filtered: false,
      answers: [{ rank: 1, id: 1334, key: 'e1334', score: 1.5, known: false }] } as unknown as PredictResult;
    const text = formatPredictions(heads);
    expect(text).toContain('top 1 heads of (?, next, e2) by model score (exact, 2,000 scored, scored as (e2, next⁻¹, ?))');
    expect(text).not.toContain('1,334');
    expect(formatPredictions({ ...heads, direction: 'tails' } as PredictResult)).not.toContain('scored as');
    // known undefined (the run's dataset not loaded): no `known` column; known false: the column, blank
    expect(formatPredictions({ ...heads, answers: [{ ...heads.answers[0]!, known: undefined }] } as PredictResult)).not.toMatch(/known/);
    expect(text).toMatch(/rank\s+entity\s+score\s+known\s+id/);
  });
});
