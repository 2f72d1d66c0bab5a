/**
 * The core's stop when training diverges: a loss (core/epoch-loop.ts) or a saved value (core/trainer.ts) that is
 * not finite. The finding (where and what) and the advice are kept apart, so that a caller with other advice (a KG
 * port of a general method has no run directory to resume) can tell the same finding in its own words.
 */

/** Training diverged: `finding` says where and what (": loss is NaN at epoch 1, step 2"), `advice` what to do. */
export class TrainingDivergedError extends Error {
  /** Creates the error; its message is "training diverged" + finding + advice. */
  constructor(readonly finding: string, readonly advice: string) {
    super(`training diverged${finding}${advice}`);
    this.name = 'TrainingDivergedError';
  }
}
