/**
 * The learning rate on plateaus: after `patience` validations in a row without a new best validation MRR, the rate
 * is multiplied by `factor` and the count starts again (PyTorch's ReduceLROnPlateau in mode 'max', threshold 0, no
 * cooldown, as LibKGE's `lr_scheduler: ReduceLROnPlateau` and PyKEEN's `lr_scheduler` offer it; PyTorch lowers the
 * rate after patience + 1 such validations, kgdistill after `patience`, as its early stopping counts). factor = 1
 * keeps the rate constant.
 */

/** Where the schedule stands; saved with a run's `last` checkpoint so that a resumed run goes on at the same rate. */
export interface PlateauState {
  /** The learning rate in force. */
  learningRate: number;
  /** Validations since the last new best or the last lowering of the rate. */
  stale: number;
}

/** The schedule's state after one validation (`improved`: it set a new best). */
export function afterValidation(state: PlateauState, improved: boolean, factor: number, patience: number): PlateauState {
  if (improved) return { learningRate: state.learningRate, stale: 0 };
  const stale = state.stale + 1;
  if (factor < 1 && stale >= patience) return { learningRate: state.learningRate * factor, stale: 0 };
  return { learningRate: state.learningRate, stale };
}
