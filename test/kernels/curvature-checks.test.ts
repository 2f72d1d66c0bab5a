// The one curvature check of the kernel wrappers (kernel-checks.ts `curvature`, `curvatures`): a curvature must be
// finite and > 0, and the refusal names the kernel and, per query, the row — the words every wrapper gave before
// they shared it.
import { describe, expect, it } from 'vitest';
import { curvature, curvatures } from '../../src/kernels/kernel-checks.js';

describe('curvature checks', () => {
  it('accept finite positive curvatures', () => {
    expect(() => curvature('poincareTopK', 1e-30)).not.toThrow();
    expect(() => curvatures('denseScores', Float32Array.of(0.5, 2, 1e6), 3)).not.toThrow();
  });

  it.each([0, -1, Infinity, NaN])('refuse %s, naming the kernel, and the row when per query', (bad) => {
    expect(() => curvature('poincareEntityTerms', bad)).toThrow(`kernels.poincareEntityTerms: curvature ${bad} must be finite and > 0`);
    expect(() => curvatures('densePoincareRows', [1, 1, bad, 1], 4)).toThrow(`kernels.densePoincareRows: curvature c[2] = ${bad} must be finite and > 0`);
  });

  it('look at the first B rows only', () => {
    expect(() => curvatures('similarityForward', [1, 2, 0], 2)).not.toThrow();
  });
});
