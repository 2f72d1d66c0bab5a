// The comparison helper of the hyperbolic tests fails on what it must: a NaN anywhere (also before a finite entry,
// which once overwrote it), and an entry out of tolerance before a NaN.
import { describe, expect, it } from 'vitest';
import { expectClose } from './helpers.js';

describe('expectClose (hyperbolic helpers)', () => {
  it('passes within tolerance, exact zeros with atol 0 included', () => {
    expect(() => expectClose([[0, 1, 2]], [[0, 1 + 1e-7, 2]], 1e-6, 0)).not.toThrow();
  });

  it('fails on a NaN followed by finite entries, on either side', () => {
    expect(() => expectClose([[Number.NaN, 1]], [[1, 1]], 1e-6, 0)).toThrow(/\[0\]\[0\] actual NaN/);
    expect(() => expectClose([[1, 1]], [[Number.NaN, 1]], 1e-6, 0)).toThrow(/expected NaN/);
  });

  it('fails on an entry out of tolerance whatever follows it', () => {
    expect(() => expectClose([[5, Number.NaN, 1]], [[1, 1, 1]], 1e-6, 0)).toThrow();
    expect(() => expectClose([[1.01, 1]], [[1, 1]], 1e-3, 0)).toThrow(/worst \[0\]\[0\]/);
  });
});
