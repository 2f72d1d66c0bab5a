import { describe, it, expect } from 'vitest';
import { withReciprocals } from '../../src/kg/reciprocal.js';

describe('withReciprocals', () => {
  it('appends (t, r + R, h) for every triple after all originals', () => {
    const triples = Int32Array.of(0, 1, 2, 3, 0, 4);
    expect([...withReciprocals(triples, 3)]).toEqual([0, 1, 2, 3, 0, 4, 2, 4, 0, 4, 3, 3]);
    expect([...triples]).toEqual([0, 1, 2, 3, 0, 4]); // input untouched
  });

  it('handles empty input and rejects a ragged array', () => {
    expect(withReciprocals(new Int32Array(0), 5).length).toBe(0);
    expect(() => withReciprocals(Int32Array.of(1, 2), 5)).toThrow(RangeError);
  });
});
