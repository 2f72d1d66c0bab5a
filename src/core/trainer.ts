/**
 * A run: epochs of the one epoch loop (epoch-loop.ts: seeded shuffled mini-batches over the reciprocal-doubled
 * training triples, an objective's step per batch, a row-sparse optimiser update), validation every `validEvery`
 * epochs by the run's validator (src/eval builds the filtered-MRR one) with early stopping after `patience`
 * validations without improvement, and a checkpoint at every validation (`last`: everything needed to resume;
 * `best`: the parameters of the best validation so far). It reports progress through callbacks and knows nothing
 * of terminals, of evaluation protocols or of particular objectives.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Triples, UnseenPolicy } from '../kg/types.js';
import type { ModelRuntime } from './model-runtime.js';
import { SeededRandom, type RandomState } from './random.js';
import { TableOptimizer, type OptimizerName, type OptimizerState } from './optimizers.js';
import { trainingQueries } from './batch.js';
import { trainEpoch, type EpochSetup } from './epoch-loop.js';
import { kgeObjective } from './kge-objective.js';
import type { ScoringPathUsed, TrainingObjective } from './training-objective.js';
import { saveCheckpoint, loadCheckpoint } from './checkpoint.js';
import type { TrainingConfig } from './training-config.js';
import type { RegularizerName } from './losses.js';

/** The data a run trains on (and names it by in its checkpoints). */
export interface TrainingData {
  datasetName: string;
  datasetDir?: string;
  /** How the dataset was loaded (valid/test triples with unseen entities), so evaluation reloads it the same way. */
  unseen?: UnseenPolicy;
  entityNames: readonly string[];
  relationNames: readonly string[];
  train: Triples;
}

/** The headline metrics of a validation. */
export interface ValidationMetrics { mrr: number; 'hits@1': number; 'hits@3': number; 'hits@10': number; mr: number; seconds: number }

/** Validates a model's current parameters (the run's early-stopping criterion is `mrr`). */
export type Validator = (runtime: ModelRuntime) => Promise<ValidationMetrics>;

/** What a Trainer is given besides the model, data and config. */
export interface TrainerOptions {
  validator: Validator;
  /** The objective (default: the KGE objective of the config). */
  objective?: TrainingObjective;
}

/** One line of metrics.jsonl. */
export interface EpochRecord {
  epoch: number;
  loss: number;
  seconds: number;
  steps: number;
  valid?: ValidationMetrics;
  best?: boolean;
}

/** Callbacks the trainer calls as it goes (all optional). */
export interface TrainerEvents {
  onEpochStart?(epoch: number, steps: number): void;
  onStep?(step: number, steps: number, loss: number): void;
  onEpochEnd?(record: EpochRecord): void;
  onValidationStart?(epoch: number): void;
}

/** Progress saved with the `last` checkpoint. */
interface Progress {
  epoch: number;
  bestMrr: number;
  bestEpoch: number;
  badValidations: number;
  stopped: boolean;
}

/** What a finished run returns. */
export interface TrainingResult {
  epochs: number;
  bestEpoch: number;
  bestValidMrr: number;
  seconds: number;
  stoppedEarly: boolean;
  scoringPath: ScoringPathUsed;
}

/** Drops metrics lines of epochs after `lastEpoch` (run after the checkpoint, and about to be run again). */
async function trimMetrics(file: string, lastEpoch: number): Promise<void> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return;
  }
  const kept = text.split('\n').filter((line) => line.trim() !== '' && (JSON.parse(line) as EpochRecord).epoch <= lastEpoch);
  await fs.writeFile(file, kept.map((line) => `${line}\n`).join(''));
}

/** Trains a model runtime on data with a config, writing `runDir/{last,best}.{json,bin}` and `metrics.jsonl`. */
export class Trainer {
  private readonly rng: SeededRandom;
  private readonly optimizer: TableOptimizer;
  private progress: Progress = { epoch: 0, bestMrr: -1, bestEpoch: 0, badValidations: 0, stopped: false };
  private readonly objective: TrainingObjective;
  private readonly validator: Validator;

  constructor(
    private readonly runtime: ModelRuntime,
    private readonly data: TrainingData,
    private readonly config: TrainingConfig,
    private readonly runDir: string,
    private readonly backend: string,
    options: TrainerOptions,
    rngState?: RandomState,
  ) {
    this.rng = new SeededRandom(`train:${config.seed}`, rngState);
    this.optimizer = new TableOptimizer(config.optimizer as OptimizerName, config.learningRate, runtime.store, runtime.kernels);
    this.objective = options.objective ?? kgeObjective(runtime, { ...config, regularizer: config.regularizer as RegularizerName }, backend);
    this.validator = options.validator;
  }

  /** Continues a run from its `last` checkpoint (tables, optimiser, random state, progress). */
  static async resume(runtime: ModelRuntime, data: TrainingData, config: TrainingConfig, runDir: string, backend: string,
    options: TrainerOptions): Promise<Trainer> {
    const saved = await loadCheckpoint(runDir, 'last');
    const source = path.join(runDir, 'last.json');
    runtime.loadParameterArrays(saved.arrays, source);
    const progress = saved.header.progress as unknown as Progress & { rng: RandomState; optimizerStep: number; optimizerName: OptimizerName };
    const trainer = new Trainer(runtime, data, config, runDir, backend, options, progress.rng);
    if (trainer.objective.restoreArrays) {
      const aux: Record<string, Float32Array> = {};
      for (const [name, values] of Object.entries(saved.arrays)) if (name.startsWith('aux:')) aux[name.slice(4)] = values;
      trainer.objective.restoreArrays(aux, source);
    }
    const slots: Record<string, Float32Array> = {};
    for (const [name, values] of Object.entries(saved.arrays)) if (name.startsWith('opt:')) slots[name.slice(4)] = values;
    trainer.optimizer.restore({ name: progress.optimizerName, step: progress.optimizerStep, slots } satisfies OptimizerState);
    trainer.progress = { epoch: progress.epoch, bestMrr: progress.bestMrr, bestEpoch: progress.bestEpoch, badValidations: progress.badValidations, stopped: progress.stopped };
    await trimMetrics(path.join(runDir, 'metrics.jsonl'), progress.epoch);
    return trainer;
  }

  /** Runs epochs until `config.epochs` or early stopping; returns the best validation. */
  async run(events: TrainerEvents = {}): Promise<TrainingResult> {
    const started = performance.now();
    const queries = trainingQueries(this.data.train, this.runtime.model.config.numRelations);
    const setup: EpochSetup = { objective: this.objective, optimizer: this.optimizer, queries, batchSize: this.config.batchSize, sampling: { kind: 'shuffled' } };
    const steps = Math.ceil(queries.entities.length / this.config.batchSize);
    await fs.mkdir(this.runDir, { recursive: true });
    while (this.progress.epoch < this.config.epochs && !this.progress.stopped) {
      const epoch = this.progress.epoch + 1;
      const epochStart = performance.now();
      events.onEpochStart?.(epoch, steps);
      const loss = trainEpoch(setup, epoch, this.rng, events.onStep);
      const record: EpochRecord = { epoch, loss, seconds: (performance.now() - epochStart) / 1000, steps };
      this.progress.epoch = epoch;
      if (epoch % this.config.validEvery === 0 || epoch === this.config.epochs) {
        events.onValidationStart?.(epoch);
        record.valid = await this.validator(this.runtime);
        if (record.valid.mrr > this.progress.bestMrr) {
          this.progress.bestMrr = record.valid.mrr;
          this.progress.bestEpoch = epoch;
          this.progress.badValidations = 0;
          record.best = true;
          await this.save('best', false);
        } else {
          this.progress.badValidations++;
          if (this.progress.badValidations >= this.config.patience && this.config.patience > 0) this.progress.stopped = true;
        }
        await this.save('last', true);
      }
      await fs.appendFile(path.join(this.runDir, 'metrics.jsonl'), `${JSON.stringify(record)}\n`);
      events.onEpochEnd?.(record);
    }
    return {
      epochs: this.progress.epoch,
      bestEpoch: this.progress.bestEpoch,
      bestValidMrr: this.progress.bestMrr,
      seconds: (performance.now() - started) / 1000,
      stoppedEarly: this.progress.stopped,
      scoringPath: this.objective.scoringPath,
    };
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
      for (const [name, values] of Object.entries(this.objective.checkpointArrays?.() ?? {})) arrays[`aux:${name}`] = values;
    }
    await saveCheckpoint(this.runDir, stem, {
      header: {
        model: this.runtime.model.config,
        training: { ...this.config, backend: this.backend },
        dataset: { name: this.data.datasetName, dir: this.data.datasetDir, unseen: this.data.unseen },
        vocab: { entities: [...this.data.entityNames], relations: [...this.data.relationNames] },
        progress,
      },
      arrays,
    });
  }
}
