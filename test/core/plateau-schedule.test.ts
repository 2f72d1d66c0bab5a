// The plateau schedule of the learning rate, step by step: a new best resets the count, `patience` validations
// without one lower the rate by `factor` and start the count again, factor 1 never moves it.
import { describe, expect, it } from 'vitest';
import { afterValidation, type PlateauState } from '../../src/core/plateau-schedule.js';

/** The rates after each validation of a sequence of (improved?) outcomes. */
function rates(outcomes: boolean[], factor: number, patience: number): number[] {
  let state: PlateauState = { learningRate: 0.1, stale: 0 };
  return outcomes.map((improved) => {
    state = afterValidation(state, improved, factor, patience);
    return state.learningRate;
  });
}

describe('afterValidation', () => {
  it('lowers the rate after `patience` validations without a new best, then counts again', () => {
    expect(rates([true, false, false, false, false, true, false, false], 0.5, 2)).toEqual([0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125]);
  });

  it('a new best resets the count', () => {
    expect(rates([false, true, false, true, false, false], 0.1, 2).map((r) => +r.toPrecision(6))).toEqual([0.1, 0.1, 0.1, 0.1, 0.1, 0.01]);
    expect(afterValidation({ learningRate: 0.2, stale: 1 }, true, 0.5, 2)).toEqual({ learningRate: 0.2, stale: 0 });
  });

  it('patience 1 lowers the rate at every validation without a new best', () => {
    expect(rates([true, false, false, false], 0.5, 1)).toEqual([0.1, 0.05, 0.025, 0.0125]);
  });

  it('factor 1 keeps the rate and only counts', () => {
    expect(rates([true, false, false, false, false], 1, 2)).toEqual([0.1, 0.1, 0.1, 0.1, 0.1]);
    expect(afterValidation({ learningRate: 0.1, stale: 5 }, false, 1, 2)).toEqual({ learningRate: 0.1, stale: 6 });
  });
});
