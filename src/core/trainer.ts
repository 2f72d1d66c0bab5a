/**
 * A run: epochs of the one epoch loop (epoch-loop.ts: seeded shuffled mini-batches over the reciprocal-doubled
 * training triples, an objective's step per batch, a row-sparse optimiser update), validation every `validEvery`
 * epochs by the run's validator (src/eval builds the filtered-MRR one) with early stopping after `patience`
 * validations without improvement, and a checkpoint at every validation and after an epoch ten minutes or more
 * since the last (`last`: everything needed to resume; `best`: the parameters of the best validation so far). It reports progress through callbacks and knows nothing
 * of terminals, of evaluation protocols or of particular objectives.
 * Guarantees: one process per run directory (a lock file); leftovers of an interrupted checkpoint write are
 * removed on start; non-finite parameters or optimiser state stop the run with an error before anything is saved
 * (the last checkpoint stays the last finite one); a stop request (Ctrl-C, SIGTERM, SIGHUP) saves the exact position inside the
 * epoch, so that a resumed run gives the same numbers as an uninterrupted one.
 */
import type { SplitName, Triples, UnseenPolicy } from '../kg/types.js';
import type { ModelRuntime } from './model-runtime.js';
import { SeededRandom, type RandomState } from './random.js';
import { TableOptimizer, type OptimizerName, type OptimizerState } from './optimizers.js';
import { trainingQueries, type EpochPosition } from './batch.js';
import { trainEpochInSlices, type EpochSetup } from './epoch-loop.js';
import { kgeObjective } from './kge-objective.js';
import type { ScoringPathUsed, TrainingObjective } from './training-objective.js';
import type { CheckpointContent } from './checkpoint.js';
import { fileSinkModule, RunDirectorySink } from './run-directory-sink.js';
import type { EpochRecord, RunSink, ValidationMetrics } from './run-sink.js';
import { firstNonFinite } from './finite-check.js';
import { kgeSettingsOf, type TrainingConfig } from './training-config.js';
import { afterValidation } from './plateau-schedule.js';
import { nonZeroPadding } from './table-padding.js';
import { parseResumableProgress, type Progress } from './checkpoint-progress.js';
import { learningWarnings } from './learning-warnings.js';
import { TrainingDivergedError } from './training-diverged.js';

export type { EpochRecord, RunSink, ValidationMetrics }; // their home is run-sink.ts

/** The data a run trains on (and names it by in its checkpoints). */
export interface TrainingData {
  datasetName: string;
  datasetDir?: string;
  /** How the dataset was loaded (valid/test triples with unseen entities), so evaluation reloads it the same way. */
  unseen?: UnseenPolicy;
  entityNames: readonly string[];
  relationNames: readonly string[];
  train: Triples;
  /** Fingerprints of the splits' triples (kg/triple-fingerprint.ts), recorded in checkpoints to tell changed files. */
  tripleFingerprints?: Record<SplitName, string>;
}

/** Validates a model's current parameters (the run's early-stopping criterion is `mrr`); may report progress. */
export type Validator = (runtime: ModelRuntime, onProgress?: (done: number, total: number) => void) => Promise<ValidationMetrics>;

/** What a Trainer is given besides the model, data and config. */
export interface TrainerOptions {
  /** The validator; null when there is nothing to validate on: every validation epoch then saves `best` too. */
  validator: Validator | null;
  /** The objective (default: the KGE objective of the config). */
  objective?: TrainingObjective;
  /** Where checkpoints and metrics go (default: files in the run directory, file-sink.ts; in memory: memory-sink.ts). */
  sink?: RunSink;
  /** The run's configuration as its command records it (e.g. config.json's content), kept in every checkpoint header. */
  runConfig?: Record<string, unknown>;
  /**
   * Kernel memory the run's steps and validation need beside the tables (memory-budget.ts runScratchBytesOf): the
   * optimiser state goes to host memory when it would not leave this much free (default: the fixed scratch reserve).
   */
  runKernelBytes?: number;
  /** The caller holds the run directory's lock (`lockRunDir`) for longer than `run` (e.g. through a test evaluation). */
  lockHeld?: boolean;
  /** Hears what a resume found and mended (e.g. a best checkpoint saved after the last one), for the run's log. */
  onNotice?: (message: string) => void;
  /** Seconds after which an epoch's end saves `last` even without a validation (default CHECKPOINT_SECONDS). */
  checkpointSeconds?: number;
  /** What ran the run (e.g. its thread counts and kernel builds, pipeline/run-execution.ts), kept in the training header. */
  execution?: Readonly<Record<string, unknown>>;
}

/** Callbacks the trainer calls as it goes (all optional). */
export interface TrainerEvents {
  /** Once, before the first epoch of this call: the epoch it starts at, the last epoch, steps per epoch. */
  onRunStart?(firstEpoch: number, epochs: number, steps: number): void;
  onEpochStart?(epoch: number, steps: number): void;
  onStep?(step: number, steps: number, loss: number): void;
  onEpochEnd?(record: EpochRecord): void;
  onValidationStart?(epoch: number): void;
  onValidationProgress?(done: number, total: number): void;
  /** Synchronously, just before a new best checkpoint (of `epoch`) replaces the one before. */
  onNewBest?(epoch: number): void;
}

/** What a run returns. */
export interface TrainingResult {
  epochs: number;
  bestEpoch: number;
  bestValidMrr: number;
  seconds: number;
  stoppedEarly: boolean;
  /** True when a stop request ended the run inside an epoch (the position is saved in `last`). */
  interrupted: boolean;
  scoringPath: ScoringPathUsed;
  /** Things the user should know (e.g. a loss that never moved). */
  warnings: string[];
}

/**
 * A run saves `last` at every validation and also at the end of any epoch that ends this long (seconds) after its
 * last save, so that a crash between rare validations loses minutes, not hours (PyKEEN's checkpoint frequency is
 * such a time, 30 minutes by default). Saving reads the state and changes nothing: the numbers stay the run's.
 */
export const CHECKPOINT_SECONDS = 600;

/** Trains a model runtime on data with a config, into its sink (default: `runDir/{last,best}.{json,bin}` and `metrics.jsonl`). */
export class Trainer {
  private readonly rng: SeededRandom;
  private readonly optimizer: TableOptimizer;
  private progress: Progress = { epoch: 0, bestMrr: -1, bestEpoch: 0, badValidations: 0, stopped: false };
  private readonly objective: TrainingObjective;
  private readonly validator: Validator | null;
  /** The permutation of an interrupted epoch (saved with `last`). */
  private partialOrder?: Int32Array;
  private readonly sink: RunSink;
  private readonly runConfig?: Record<string, unknown>;
  private readonly execution: Readonly<Record<string, unknown>>;
  /** How many entities a validation ranks each answer among, when sampled (else all: the chance-level warning's n). */
  private rankedAmong?: number;
  private readonly checkpointMs: number;
  /** When `last` was last saved (performance.now()), or the run started. */
  private lastSavedAt = performance.now();

  constructor(
    private readonly runtime: ModelRuntime,
    private readonly data: TrainingData,
    private readonly config: TrainingConfig,
    runDir: string,
    private readonly backend: string,
    options: TrainerOptions,
    rngState?: RandomState,
  ) {
    this.rng = new SeededRandom(`train:${config.seed}`, rngState);
    this.optimizer = new TableOptimizer(config.optimizer as OptimizerName, config.learningRate, runtime.store, runtime.kernels, options.runKernelBytes);
    this.objective = options.objective ?? kgeObjective(runtime, kgeSettingsOf(config), backend);
    this.validator = options.validator;
    this.sink = options.sink ?? new RunDirectorySink(runDir, options.lockHeld === true);
    this.runConfig = options.runConfig;
    this.execution = options.execution ?? {};
    this.checkpointMs = 1000 * (options.checkpointSeconds ?? CHECKPOINT_SECONDS);
    if (config.lrDecay < 1) this.progress.schedule = { learningRate: config.learningRate, stale: 0 };
  }

  /** Where the optimiser state lives: kernel memory, or host memory when it does not fit beside the tables. */
  get optimizerStateIn(): 'kernel' | 'host' {
    return this.optimizer.stateIn;
  }

  /** Continues a run from its `last` checkpoint (tables, optimiser, random state, progress). */
  static async resume(runtime: ModelRuntime, data: TrainingData, config: TrainingConfig, runDir: string, backend: string,
    options: TrainerOptions): Promise<Trainer> {
    const { FileRunSink, arraysWithPrefix } = await fileSinkModule();
    const files = new FileRunSink(runDir);
    // the best checkpoint is what the run reports: a damaged one is found now, before anything is trained or written
    const { saved, source, bestSource, bestHeader } = await files.resumePoint();
    runtime.loadParameterArrays(saved.arrays, source);
    const progress = parseResumableProgress(saved.header.progress, source);
    const trainer = new Trainer(runtime, data, config, runDir, backend, options, progress.rng);
    trainer.objective.restoreArrays?.(arraysWithPrefix(saved.arrays, 'aux:'), source);
    const slots = arraysWithPrefix(saved.arrays, 'opt:');
    const bad = firstNonFinite(slots);
    if (bad) throw new Error(`${source}: optimiser state '${bad.name}' holds ${bad.value} at index ${bad.index}; the checkpoint cannot be resumed`);
    for (const table of runtime.store.tables()) { // a moment of a column stored only for the kernels must be 0, as the column
      for (const [name, values] of Object.entries(slots)) {
        if (!name.startsWith(`${table.spec.name}.`) || values.length !== table.data.length) continue;
        const moved = nonZeroPadding(table, values);
        if (moved) throw new Error(`${source}: optimiser state '${name}' holds ${moved.value} at row ${moved.row}, column ${moved.column}, a column stored only for the kernels that must be 0 (a damaged checkpoint)`);
      }
    }
    try {
      trainer.optimizer.restore({ name: progress.optimizerName, step: progress.optimizerStep, slots } satisfies OptimizerState);
    } catch (error) {
      throw new Error(`${source}: ${(error as Error).message}; the checkpoint cannot be resumed`, { cause: error });
    }
    const { epoch, partial, loss, schedule } = progress;
    let { bestMrr, bestEpoch, badValidations } = progress;
    // a kill between saving `best` and `last` at a validation leaves best.json an epoch ahead of last.json: the run
    // goes on from last, measured against that best, so a worse model never replaces it (and result.json names it)
    const best = bestHeader?.progress as unknown as Partial<Progress> | undefined;
    let bestAhead = false;
    if (best && typeof best.bestEpoch === 'number' && best.bestEpoch > epoch && typeof best.bestMrr === 'number') {
      const measured = best.bestMrr >= 0 ? ` (validation MRR ${best.bestMrr.toFixed(4)})` : '';
      options.onNotice?.(`${bestSource} is of epoch ${best.bestEpoch}, after ${source}'s epoch ${epoch} (a session ended between the two saves): it stays the best to beat${measured}`);
      ({ bestMrr, bestEpoch } = best as { bestMrr: number; bestEpoch: number });
      badValidations = 0;
      bestAhead = true;
    }
    // early stopping under the patience given now: a run stopped early goes on when its validations have not used it
    // up (0: never stop); a run resumed with a patience it has used up stops at once
    const stopNow = config.patience > 0 && badValidations >= config.patience;
    // a schedule that starts on resume counts the validations since the best, as it would have from the start
    // (a best ahead of last resets the schedule's count with the patience's: both count validations since the best)
    const resumedSchedule = schedule ? (bestAhead ? { ...schedule, stale: 0 } : schedule) : (config.lrDecay < 1 ? { learningRate: config.learningRate, stale: badValidations } : undefined);
    trainer.progress = { epoch, bestMrr, bestEpoch, badValidations, stopped: stopNow, partial, loss, schedule: resumedSchedule };
    if (resumedSchedule) trainer.optimizer.learningRate = resumedSchedule.learningRate; // the rate the run had reached
    if (partial?.terms) trainer.objective.restoreLossTermSums?.(partial.terms, `${source} (progress.partial.terms)`);
    const order = saved.arrays['epoch-order']; // the permutation's int32 bits, stored in a float32 array
    if (partial && order) trainer.partialOrder = new Int32Array(order.buffer.slice(order.byteOffset, order.byteOffset + order.byteLength));
    await files.trimMetrics(progress.epoch);
    return trainer;
  }

  /**
   * Runs epochs until `config.epochs`, early stopping, or `shouldStop()` (checked after every step: the position is
   * saved in `last` and the run returns with `interrupted`); returns the best validation.
   */
  async run(events: TrainerEvents = {}, shouldStop?: () => boolean): Promise<TrainingResult> {
    const started = performance.now();
    try {
      await this.sink.open?.(this.progress.epoch === 0 && !this.progress.partial);
      return await this.runOpen(events, shouldStop, started);
    } finally {
      this.sink.close?.();
    }
  }

  private async runOpen(events: TrainerEvents, shouldStop: (() => boolean) | undefined, started: number): Promise<TrainingResult> {
    const queries = trainingQueries(this.data.train, this.runtime.model.config.numRelations, this.config.queryWeights);
    const setup: EpochSetup = { objective: this.objective, optimizer: this.optimizer, queries, batchSize: this.config.batchSize, sampling: { kind: 'shuffled' } };
    const steps = Math.ceil(queries.entities.length / this.config.batchSize);
    let interrupted = false;
    events.onRunStart?.(this.progress.epoch + 1, this.config.epochs, steps);
    while (this.progress.epoch < this.config.epochs && !this.progress.stopped) {
      const epoch = this.progress.epoch + 1;
      const partial = this.progress.partial;
      const epochStart = performance.now() - 1000 * (partial?.seconds ?? 0);
      events.onEpochStart?.(epoch, steps);
      const from: (EpochPosition & { lossSum: number }) | undefined = partial ? { order: this.partialOrder, step: partial.step, lossSum: partial.lossSum } : undefined;
      const outcome = await trainEpochInSlices(setup, epoch, this.rng, { from, shouldStop, onStep: events.onStep });
      if (outcome.stoppedAt) {
        const terms = this.objective.lossTermSums?.();
        this.progress.partial = { step: outcome.stoppedAt.step, lossSum: outcome.stoppedAt.lossSum, seconds: (performance.now() - epochStart) / 1000, ...(terms ? { terms } : {}) };
        this.partialOrder = outcome.stoppedAt.order;
        this.requireFiniteState(epoch); // as every save: nothing non-finite or off the padding is written
        await this.save('last', true);
        interrupted = true;
        break;
      }
      this.progress.partial = undefined;
      this.partialOrder = undefined;
      this.trackLoss(outcome.loss);
      this.requireFiniteState(epoch); // every epoch: a NaN stops the run where it appeared, before its record is written
      const record: EpochRecord = { epoch, loss: outcome.loss, seconds: (performance.now() - epochStart) / 1000, steps };
      const terms = this.objective.takeLossTerms?.();
      if (terms) record.terms = terms;
      this.progress.epoch = epoch;
      const validated = epoch % this.config.validEvery === 0 || epoch === this.config.epochs;
      if (validated) {
        if (this.validator) {
          events.onValidationStart?.(epoch);
          record.valid = await this.validator(this.runtime, events.onValidationProgress);
          if (record.valid.candidates !== undefined) this.rankedAmong = record.valid.candidates + 1; // sampled: the gold among them
        }
        if (!record.valid) {
          this.progress.bestEpoch = epoch;
          events.onNewBest?.(epoch);
          await this.save('best', false);
        } else if (record.valid.mrr > this.progress.bestMrr || (epoch === this.progress.bestEpoch && record.valid.mrr >= this.progress.bestMrr)) {
          // (the second case: the epoch of a best.json saved ahead of last.json, replayed after a resume)
          this.progress.bestMrr = record.valid.mrr;
          this.progress.bestEpoch = epoch;
          this.progress.badValidations = 0;
          record.best = true;
          events.onNewBest?.(epoch);
          await this.save('best', false);
        } else {
          this.progress.badValidations++;
          if (this.progress.badValidations >= this.config.patience && this.config.patience > 0) this.progress.stopped = true;
        }
        if (record.valid) this.scheduleAfterValidation(record.best === true, record);
      }
      // the epoch's record goes before its `last` checkpoint: a kill between the two leaves a record after last's
      // epoch, which the resume trims, instead of a checkpoint whose epoch has no record
      await this.sink.appendMetrics(record);
      // `last` at a validation, after an epoch CHECKPOINT_SECONDS or more since the last save, and at a stop between
      // epochs (the position is then the end of this epoch); the state was checked at the epoch's end
      const stopping = shouldStop?.() === true && this.progress.epoch < this.config.epochs && !this.progress.stopped;
      const saveLast = validated || stopping || performance.now() - this.lastSavedAt >= this.checkpointMs;
      if (saveLast) await this.save('last', true);
      events.onEpochEnd?.(record);
      if (stopping) {
        interrupted = true;
        break;
      }
    }
    return {
      epochs: this.progress.epoch,
      bestEpoch: this.progress.bestEpoch,
      bestValidMrr: this.progress.bestMrr,
      seconds: (performance.now() - started) / 1000,
      stoppedEarly: this.progress.stopped,
      interrupted,
      scoringPath: this.objective.scoringPath,
      warnings: learningWarnings(this.progress, this.rankedAmong ?? this.data.entityNames.length),
    };
  }

  /** Moves the learning rate by the plateau schedule after a validation; the epoch's record gets the rate in force. */
  private scheduleAfterValidation(improved: boolean, record: EpochRecord): void {
    if (!this.progress.schedule) return;
    this.progress.schedule = afterValidation(this.progress.schedule, improved, this.config.lrDecay, this.config.lrPatience);
    this.optimizer.learningRate = this.progress.schedule.learningRate;
    record.lr = this.optimizer.learningRate;
  }

  /** Remembers the first epoch loss and the range of all of them. */
  private trackLoss(loss: number): void {
    const l = this.progress.loss;
    this.progress.loss = l ? { first: l.first, min: Math.min(l.min, loss), max: Math.max(l.max, loss) } : { first: loss, min: loss, max: loss };
  }


  /**
   * Throws, before anything is saved, when a parameter or optimiser value is not finite, or a column stored only for
   * the kernels (table-padding.ts) left zero: either would be saved as a model it is not.
   */
  private requireFiniteState(epoch: number): void {
    const kept = this.sink.keptNote?.() ?? '';
    const params = firstNonFinite(this.runtime.parameterArrays());
    const bad = params ?? firstNonFinite(this.optimizer.state().slots);
    if (bad) {
      const what = params ? `parameter table '${bad.name.replace(/^param:/, '')}'` : `optimiser state '${bad.name}'`;
      throw new TrainingDivergedError(` at epoch ${epoch}: ${what} holds ${bad.value} (index ${bad.index})`, `; nothing was saved.${kept} Start a new run with a lower learning rate or regulariser weight.`);
    }
    for (const table of this.runtime.store.tables()) {
      const moved = nonZeroPadding(table);
      if (moved) throw new Error(`internal error at epoch ${epoch}: column ${moved.column} of parameter table '${table.spec.name}', stored only for the kernels, holds ${moved.value} at row ${moved.row} (it must stay 0); nothing was saved.${kept} Please report it; a --dim whose tables are a multiple of 4 wide needs no such column.`);
    }
  }

  private async save(stem: 'best' | 'last', withOptimizer: boolean): Promise<void> {
    const arrays = this.runtime.parameterArrays();
    const progress: Record<string, unknown> = { ...this.progress };
    if (withOptimizer) {
      const state = this.optimizer.state();
      for (const [name, values] of Object.entries(state.slots)) arrays[`opt:${name}`] = values;
      progress.optimizerName = state.name;
      progress.optimizerStep = state.step;
      progress.rng = this.rng.state();
      if (this.partialOrder && this.progress.partial) arrays['epoch-order'] = new Float32Array(this.partialOrder.slice().buffer); // int32 bits
      for (const [name, values] of Object.entries(this.objective.checkpointArrays?.() ?? {})) arrays[`aux:${name}`] = values;
    }
    const content: CheckpointContent = {
      header: {
        model: this.runtime.model.config,
        training: { ...this.config, backend: this.backend, ...this.execution },
        dataset: { name: this.data.datasetName, dir: this.data.datasetDir, unseen: this.data.unseen, ...(this.data.tripleFingerprints ? { triples: this.data.tripleFingerprints } : {}) },
        vocab: { entities: [...this.data.entityNames], relations: [...this.data.relationNames] },
        progress,
        ...(this.runConfig ? { runConfig: this.runConfig } : {}),
      },
      arrays,
    };
    await this.sink.saveCheckpoint(stem, content);
    if (stem === 'last') this.lastSavedAt = performance.now();
  }
}
