// A spy on the Trainer's constructor (the real one still runs): what each new Trainer of a run was made with, for
// tests of what the pipeline and the page hand the trainer, stopped before any step (STOP).
import { vi } from 'vitest';
import * as trainerModule from '../../src/core/trainer.js';
import type { ModelRuntime } from '../../src/core/model-runtime.js';
import type { RunData } from '../../src/core/training-data.js';
import type { TrainingConfig } from '../../src/core/training-config.js';

/** The message a test throws to stop a run before its first step: the figures are checked, nothing is trained. */
export const STOP = 'stopped before the first step: the figures are checked, nothing is trained';

/** What the spied Trainer constructor was given for one run: the model, data, config, backend and its options. */
export interface TrainerCall {
  runtime: ModelRuntime;
  data: RunData;
  config: TrainingConfig;
  backend: string;
  options: trainerModule.TrainerOptions;
}

/** Spies on the Trainer constructor (the real one still runs) and gives what each new Trainer was made with; undo with vi.restoreAllMocks. */
export function spyOnTrainers(): () => TrainerCall[] {
  const Trainer = trainerModule.Trainer;
  // the real Trainer, made and returned by the spy (the spy's own instances would lack Trainer's prototype)
  const spy = vi.spyOn(trainerModule, 'Trainer').mockImplementation(function (...args: ConstructorParameters<typeof Trainer>) {
    return new Trainer(...args);
  } as unknown as typeof Trainer);
  return () => spy.mock.calls.map((args) => {
    const [runtime, data, config, , backend, options] = args as unknown as [ModelRuntime, RunData, TrainingConfig, string, string, trainerModule.TrainerOptions];
    return { runtime, data, config, backend, options };
  });
}
