/**
 * Training in the page with the engine of `kgdistill train`: the same option schema and defaults
 * (pipeline/option-schemas.ts, pipeline/run-job.ts's trainer config and loss), the same model registry, the same seeded
 * Trainer with the filtered-MRR validator and early stopping, and the same test evaluation of the best
 * checkpoint — only the checkpoints stay in memory (core/memory-sink.ts) instead of a run directory.
 */
import type { KgDataset } from '../../../kg/dataset.js';
import type { BytesDataset } from '../../../kg/bytes-dataset.js';
import { initBackend } from '../../../core/backend.js';
import { MemoryRunSink } from '../../../core/memory-sink.js';
import { ModelRuntime } from '../../../core/model-runtime.js';
import { Trainer, type TrainerEvents } from '../../../core/trainer.js';
import { runDataFromDataset } from '../../../core/training-data.js';
import { evaluateSplit, filteredValidator } from '../../../eval/evaluate-run.js';
import { parseOptions, trainOptionsSchema } from '../../../pipeline/option-schemas.js';
import { checkLossSettings, checkRunSettings, trainingConfigOf } from '../../../pipeline/run-settings.js';
import { checkModelOptions, COUNTS_BEFORE_LOADING, createRunModel } from '../../../pipeline/run-model.js';
import { OptionsError } from '../../../pipeline/options-error.js';
import { modelNames } from '../../../registry/models.js';
import { requireRunMemory, runKernelBytesOf } from '../../../pipeline/run-memory.js';
import { neighborMetric } from '../../../lookup/kernel-search.js';
import type { CurvePoint, NormChoice, TrainChoice, TrainOutcome, TrainSettings } from '../protocol.js';
import { InPageModel } from './in-page-model.js';

/** What the training reports as it goes. */
export interface TrainingReporter {
  progress(phase: 'training' | 'validating' | 'testing', epoch: number, epochs: number, step: number, steps: number): void;
  epoch(point: CurvePoint): void;
}

/** The page's settings as `kgdistill train`'s options, checked as train checks them (a bad one is refused here). */
export type InPageSettings = ReturnType<typeof inPageSettings>;

/** How kgdistill/browser's API names an option in its refusals: by its key (`oneToN`, `neg`, `norm`). */
const byKey = (key: string): string => key;

/** How the explorer's form names an option in its refusals: by its field's label (`labels`: key → label, quoted), a key without a field by the key. */
export function formNaming(labels: Readonly<Record<string, string>>): (key: string) => string {
  return (key) => (Object.hasOwn(labels, key) ? `'${labels[key]}'` : key);
}

/**
 * Reads and checks the page's settings for `dataset` (the explorer's form, or kgdistill/browser's `train` options), before
 * anything is let go of or trained; `kgdistill train`'s defaults for the rest, and its refusals of a new run's settings
 * that contradict each other (`neg` 0 without `oneToN`, `oneToN` with a ranking loss or weighted queries, …), naming
 * each option as `name` does (by key, or the form's label: formNaming). 1-N training (`oneToN`) runs here as
 * `kgdistill train` runs it on one kernel thread (KGDISTILL_THREADS=1).
 */
export function inPageSettings(dataset: KgDataset, given: TrainSettings | Readonly<Record<string, unknown>>, name: (key: string) => string = byKey) {
  return checkedSettings(dataset.name, given, name);
}

/** inPageSettings for a dataset of that name (the checks read no data). */
function checkedSettings(datasetName: string, given: TrainSettings | Readonly<Record<string, unknown>>, name: (key: string) => string) {
  const settings = parseOptions(trainOptionsSchema, { dataset: datasetName, patience: 10, ...given, backend: 'wasm' }, name);
  checkRunSettings(settings, name); // train's checks of a new run's settings, in its order
  checkModelOptions(settings.model, settings, name); // a model-specific option given for another model (norm for DistMult)
  checkLossSettings(settings, name);
  // the model's own refusals (e.g. oneToN with an L1 distance), before the page lets go of the model trained before
  createRunModel(settings.model, settings, COUNTS_BEFORE_LOADING, { label: name });
  return settings;
}

/** The norms the form offers: the model's own (''), L1 and L2. */
const NORM_CHOICES: readonly NormChoice[] = ['', '1', '2'];

/**
 * What the form may choose, model by model, as inPageSettings refuses it (the engine's checks, not a list of models):
 * whether the model takes a norm, and for each norm it takes whether 1-N training can run, each with the refusal's
 * words, options named as `name` does.
 */
export function trainChoices(name: (key: string) => string = byKey): TrainChoice[] {
  return modelNames().map((model) => {
    const norm = refusalOf(() => checkedSettings('page', { model, norm: 2 }, name));
    const oneToN: Partial<Record<NormChoice, string | null>> = {};
    for (const choice of norm === null ? NORM_CHOICES : NORM_CHOICES.slice(0, 1)) {
      oneToN[choice] = refusalOf(() => checkedSettings('page', { model, oneToN: true, ...(choice === '' ? {} : { norm: Number(choice) }) }, name));
    }
    return { model, norm, oneToN };
  });
}

/** The message of the OptionsError `check` throws, or null when it throws none (any other error is thrown on). */
function refusalOf(check: () => void): string | null {
  try {
    check();
    return null;
  } catch (error) {
    if (error instanceof OptionsError) return error.message;
    throw error;
  }
}

/** Trains a model on `dataset` with checked `settings` (refusals name options as `name` does); returns the outcome and the model, ready for queries. */
export async function trainInPage(dataset: BytesDataset, settings: InPageSettings, report: TrainingReporter, name: (key: string) => string = byKey): Promise<{ outcome: TrainOutcome; model: InPageModel }> {
  const backend = await initBackend('wasm');
  const data = runDataFromDataset(dataset);
  const config = trainingConfigOf(settings, settings.model);
  // the model and the memory check of `kgdistill train` (norm, entityConstraint and their refusals; one step's scratch)
  const model = createRunModel(settings.model, settings, data, { label: name });
  requireRunMemory(model, config, data, settings, backend, name);
  const runtime = await ModelRuntime.create(model, config.seed);
  const sink = new MemoryRunSink();
  const validator = data.valid.length > 0 ? filteredValidator(data, config.evalBatchSize) : null;
  const runKernelBytes = runKernelBytesOf(model, config, data, settings, backend); // kept free beside the optimiser state, as train's
  const trainer = new Trainer(runtime, data, config, 'in-page', backend, { validator, sink, runKernelBytes });
  let epochs = config.epochs;
  let current = 0;
  const events: TrainerEvents = {
    onRunStart: (_first, last) => { epochs = last; },
    onEpochStart: (epoch, steps) => { current = epoch; report.progress('training', epoch, epochs, 0, steps); },
    onStep: (step, steps) => report.progress('training', current, epochs, step, steps),
    onValidationStart: (epoch) => report.progress('validating', epoch, epochs, 0, 1),
    onEpochEnd: (record) => report.epoch({ epoch: record.epoch, loss: record.loss, ...(record.valid ? { validMrr: record.valid.mrr } : {}) }),
  };
  const training = await trainer.run(events);
  const best = sink.checkpoint('best');
  if (best) runtime.loadParameterArrays(best.arrays, 'the best in-page checkpoint');
  report.progress('testing', training.epochs, epochs, 0, 1);
  const test = data.test.length > 0 ? await evaluateSplit(runtime, data, 'test') : undefined;
  const metrics = test?.filtered;
  const summary = {
    name: `${dataset.name} · ${model.config.model} d=${model.config.dim} (in this page)`,
    origin: 'page' as const,
    model: model.config.model, dim: model.config.dim, entities: data.numEntities, relations: [...data.relationNames], dataset: dataset.name,
    metric: neighborMetric(model.similarity), knownTriples: true,
    ...(metrics ? { test: { mrr: metrics.mrr, 'hits@1': metrics['hits@1'], 'hits@3': metrics['hits@3'], 'hits@10': metrics['hits@10'], mr: metrics.mr } } : {}),
    curves: sink.metrics.map((r) => ({ epoch: r.epoch, loss: r.loss, ...(r.valid ? { validMrr: r.valid.mrr } : {}) })),
    teachers: [],
    settings: { ...(settings.norm !== undefined ? { norm: settings.norm } : {}), epochs: settings.epochs, lr: settings.lr, optimizer: settings.optimizer, batchSize: settings.batchSize, ...(settings.oneToN ? { oneToN: true } : { neg: settings.neg }), seed: settings.seed, bestEpoch: training.bestEpoch },
    ...(test ? {} : { note: 'no test triples: no test metrics' }),
  };
  const outcome: TrainOutcome = {
    summary, triples: { train: data.train.length / 3, valid: data.valid.length / 3, test: data.test.length / 3 },
    epochs: training.epochs, seconds: training.seconds, backend, warnings: training.warnings,
    data: dataset.readNotes,
  };
  return { outcome, model: new InPageModel(runtime, data, summary) };
}
