import { describe, expect, it } from 'vitest';
import { pairedGains } from '../../bench/paired-gain.js';

describe('pairedGains', () => {
  it('pairs a student with its twin seed by seed, in seed order', () => {
    const student = [{ seed: 2, mrr: 0.48 }, { seed: 0, mrr: 0.4798 }];
    const twin = [{ seed: 0, mrr: 0.463 }, { seed: 2, mrr: 0.4588 }];
    const gains = pairedGains(student, twin);
    expect(gains.map((g) => g.seed)).toEqual([0, 2]);
    expect(gains.map((g) => g.run)).toEqual([0.4798, 0.48]);
    expect(gains.map((g) => g.against)).toEqual([0.463, 0.4588]);
    expect(gains[0]!.gain).toBeCloseTo(0.0168, 10);
    expect(gains[1]!.gain).toBeCloseTo(0.0212, 10);
  });

  it('leaves out a seed only one of the two has finished', () => {
    const gains = pairedGains([{ seed: 0, mrr: 0.5 }, { seed: 1, mrr: 0.6 }], [{ seed: 1, mrr: 0.4 }, { seed: 2, mrr: 0.3 }]);
    expect(gains).toHaveLength(1);
    expect(gains[0]!.seed).toBe(1);
    expect(gains[0]!.gain).toBeCloseTo(0.2, 10);
  });

  it('gives no pairs when the twin has not run', () => {
    expect(pairedGains([{ seed: 0, mrr: 0.5 }], [])).toEqual([]);
  });
});
