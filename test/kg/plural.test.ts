import { describe, expect, it } from 'vitest';
import { plural } from '../../src/kg/plural.js';

describe('plural', () => {
  it('is the word itself for exactly one, with an s for 0, 2 and fractions', () => {
    expect([0, 1, 2, 1_000, 0.5].map((n) => `${n} ${plural(n, 'triple')}`)).toEqual(['0 triples', '1 triple', '2 triples', '1000 triples', '0.5 triples']);
  });
});
