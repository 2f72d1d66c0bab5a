/**
 * The training loop: seeded shuffled mini-batches over the reciprocal-doubled training triples, a negative-
 * sampling or 1-N step per batch, a row-sparse optimiser update, validation (filtered MRR) every `validEvery`
 * epochs with early stopping after `patience` validations without improvement, and a checkpoint at every
 * validation (`last`: everything needed to resume; `best`: the parameters of the best validation so far).
 * It reports progress through callbacks and knows nothing of terminals.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { KnownAnswers } from '../eval/ranks.js';
import { evaluateLinkPrediction, type EvaluationReport } from '../eval/evaluate.js';
import type { Triples, UnseenPolicy } from '../kg/types.js';
import type { ModelRuntime } from './model-runtime.js';
import { SeededRandom, type RandomState } from './random.js';
import { TableOptimizer, type OptimizerName, type OptimizerState } from './optimizers.js';
import type { QueryBatch } from './negative-sampling-step.js';
import { kgeObjective, type ScoringPathUsed, type TrainingObjective } from './training-objective.js';
import { saveCheckpoint, loadCheckpoint } from './checkpoint.js';
import type { TrainingConfig } from './training-config.js';

/** The data a run trains and validates on. */
export interface TrainingData {
  datasetName: string;
  datasetDir?: string;
  /** How the dataset was loaded (valid/test triples with unseen entities), so evaluation reloads it the same way. */
  unseen?: UnseenPolicy;
  entityNames: readonly string[];
  relationNames: readonly string[];
  train: Triples;
  valid: Triples;
  known: KnownAnswers;
}

/** One line of metrics.jsonl. */
export interface EpochRecord {
  epoch: number;
  loss: number;
  seconds: number;
  steps: number;
  valid?: { mrr: number; 'hits@1': number; 'hits@3': number; 'hits@10': number; mr: number; seconds: number };
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

/** Training queries (e, r, a) from triples and their reciprocals: (h, r, t) and (t, r + R, h). */
export function trainingQueries(train: Triples, numRelations: number): QueryBatch {
  const n = train.length / 3;
  const entities = new Int32Array(2 * n);
  const relations = new Int32Array(2 * n);
  const answers = new Int32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const h = train[3 * i]!;
    const r = train[3 * i + 1]!;
    const t = train[3 * i + 2]!;
    entities[i] = h; relations[i] = r; answers[i] = t;
    entities[n + i] = t; relations[n + i] = r + numRelations; answers[n + i] = h;
  }
  return { entities, relations, answers };
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

function selectBatch(all: QueryBatch, order: Int32Array, start: number, end: number): QueryBatch {
  const size = end - start;
  const batch: QueryBatch = { entities: new Int32Array(size), relations: new Int32Array(size), answers: new Int32Array(size), indices: order.slice(start, end) };
  for (let i = 0; i < size; i++) {
    const j = order[start + i]!;
    batch.entities[i] = all.entities[j]!;
    batch.relations[i] = all.relations[j]!;
    batch.answers[i] = all.answers[j]!;
  }
  return batch;
}

/** Trains a model runtime on data with a config, writing `runDir/{last,best}.{json,bin}` and `metrics.jsonl`. */
export class Trainer {
  private readonly rng: SeededRandom;
  private readonly optimizer: TableOptimizer;
  private progress: Progress = { epoch: 0, bestMrr: -1, bestEpoch: 0, badValidations: 0, stopped: false };
  private readonly objective: TrainingObjective;

  constructor(
    private readonly runtime: ModelRuntime,
    private readonly data: TrainingData,
    private readonly config: TrainingConfig,
    private readonly runDir: string,
    private readonly backend: string,
    rngState?: RandomState,
    objective?: TrainingObjective,
  ) {
    this.rng = new SeededRandom(`train:${config.seed}`, rngState);
    this.optimizer = new TableOptimizer(config.optimizer as OptimizerName, config.learningRate, runtime.store, runtime.kernels);
    this.objective = objective ?? kgeObjective(runtime, config, backend);
  }

  /** Continues a run from its `last` checkpoint (tables, optimiser, random state, progress). */
  static async resume(runtime: ModelRuntime, data: TrainingData, config: TrainingConfig, runDir: string, backend: string,
    objective?: TrainingObjective): Promise<Trainer> {
    const saved = await loadCheckpoint(runDir, 'last');
    const source = path.join(runDir, 'last.json');
    runtime.loadParameterArrays(saved.arrays, source);
    const progress = saved.header.progress as unknown as Progress & { rng: RandomState; optimizerStep: number; optimizerName: OptimizerName };
    const trainer = new Trainer(runtime, data, config, runDir, backend, progress.rng, objective);
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
    const { numRelations } = this.runtime.model.config;
    const queries = trainingQueries(this.data.train, numRelations);
    const total = queries.entities.length;
    const batchSize = this.config.batchSize;
    const steps = Math.ceil(total / batchSize);
    await fs.mkdir(this.runDir, { recursive: true });
    while (this.progress.epoch < this.config.epochs && !this.progress.stopped) {
      const epoch = this.progress.epoch + 1;
      const epochStart = performance.now();
      events.onEpochStart?.(epoch, steps);
      const order = this.rng.permutation(total);
      let lossSum = 0;
      for (let step = 0; step < steps; step++) {
        const batch = selectBatch(queries, order, step * batchSize, Math.min(total, (step + 1) * batchSize));
        const loss = this.objective.gradients(batch, epoch, this.rng);
        if (!Number.isFinite(loss)) throw new Error(`training diverged: loss is ${loss} at epoch ${epoch}, step ${step + 1} (lower the learning rate?)`);
        this.optimizer.step();
        this.objective.afterStep?.();
        lossSum += loss;
        events.onStep?.(step + 1, steps, loss);
      }
      const record: EpochRecord = { epoch, loss: lossSum / steps, seconds: (performance.now() - epochStart) / 1000, steps };
      this.progress.epoch = epoch;
      if (epoch % this.config.validEvery === 0 || epoch === this.config.epochs) {
        events.onValidationStart?.(epoch);
        const report = await this.validate();
        record.valid = { mrr: report.filtered.mrr, 'hits@1': report.filtered['hits@1'], 'hits@3': report.filtered['hits@3'], 'hits@10': report.filtered['hits@10'], mr: report.filtered.mr, seconds: report.seconds };
        if (report.filtered.mrr > this.progress.bestMrr) {
          this.progress.bestMrr = report.filtered.mrr;
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

  /** Filtered validation metrics of the current parameters. */
  async validate(): Promise<EvaluationReport> {
    const scorer = this.runtime.entityScorer();
    try {
      return await evaluateLinkPrediction(scorer, this.data.valid, this.runtime.model.config.numRelations, this.data.known,
        { batchSize: this.config.evalBatchSize });
    } finally {
      scorer.dispose();
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
