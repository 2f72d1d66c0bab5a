/**
 * kgdistill as a library: the same runs as the `kgdistill` command, PyKEEN-pipeline style.
 *
 *   import { train, openModel } from 'kgdistill';
 *   const run = await train({ dataset: 'WN18RR', model: 'RotH', dim: 32, optimizer: 'adam', lr: 0.001, out: 'runs/x' });
 *   console.log(run.metrics.mrr, (await run.model.predict({ head: 'dog.n.01', relation: '_hypernym' }, 5)).answers);
 *
 * Options are validated by the same zod schemas as the command line (`trainOptionsSchema`, …): a bad option is the
 * same clear error in code (naming the key) as in the shell (naming the flag). The backend (tfjs-wasm, or
 * tfjs-node when installed) is started inside. Progress is silent unless hooks are given.
 */
import { openModel, type OpenedModel } from './pipeline/open-model.js';
import { runDistill, runTrain, type RunRequest } from './pipeline/train.js';
import type { RunHooks, RunSummary } from './pipeline/run-job.js';
import type { DistillOptions, TrainOptions } from './pipeline/options.js';
import type { SummaryMetrics } from './eval/metrics.js';

export { loadDataset, formatLoadReport, type KgDataset, type LoadOptions, type LoadReport } from './kg/dataset.js';
export { splitTriples, type NamedTriple, type SplitOptions, type TripleSplit } from './kg/split-triples.js';
export { writeSyntheticDataset, syntheticGraph, type SyntheticGraph, type SyntheticGraphOptions } from './kg/synthetic-graph.js';
export { evaluateRun as evaluate, type EvaluateOptions, type EvaluateResult } from './pipeline/evaluate.js';
export type { ReadingOptions } from './pipeline/options.js';
export { openModel, type OpenedModel, type PredictQuery, type PredictOptions, type NeighborsOptions } from './pipeline/open-model.js';
export type { NeighborsResult, PredictResult, TripleScore } from './lookup/checkpoint-lookup.js';
export type { BackendRequest } from './core/backend.js';
export { trainOptionsSchema, distillOptionsSchema, type TrainOptions, type TrainSettings, type DistillOptions, type DistillSettings } from './pipeline/options.js';
export type { RunHooks, RunSummary, DataSummary } from './pipeline/run-job.js';
export type { RunRequest } from './pipeline/train.js';
export type { SummaryMetrics } from './eval/metrics.js';
export { modelNames } from './registry/models.js';
export type { TrainerEvents, EpochRecord } from './core/trainer.js';
// The errors a caller can tell apart (`instanceof`): each names what is at fault (docs/API.md, "Errors").
export { OptionsError, type OptionProblem } from './pipeline/options-error.js';
export { KgInputError } from './kg/errors.js';
export { DatasetFetchError } from './kg/fetch-dataset.js';
export { CheckpointError } from './core/checkpoint.js';
export { LookupError, type LookupErrorKind } from './lookup/errors.js';

/** What `train` and `distill` return: the run directory, its test metrics, its summary, and the model opened for queries. */
export interface TrainResult {
  runDir: string;
  /** Filtered test metrics over both directions (`mrr`, `hits@1|3|10`, `mr`, `queries`, `tieRules`, …; with `evalCandidates` the sampled ones, marked by `protocol`); undefined with `testEval: false`. */
  metrics?: SummaryMetrics;
  /** Epochs, best validation, seconds, backend, what loading dropped, warnings, … */
  summary: RunSummary;
  model: OpenedModel;
}

async function opened(result: Awaited<ReturnType<typeof runTrain>>, backend: unknown): Promise<TrainResult> {
  return {
    runDir: result.runDir,
    metrics: result.test || result.sampledTest ? (result.json as SummaryMetrics) : undefined,
    summary: result.summary,
    model: await openModel(result.runDir, { backend: backend as never }),
  };
}

/** Trains a model (validation, early stopping, checkpoints in `out`) and evaluates it on test; `resume: true` continues `out`. */
export async function train(options: RunRequest<TrainOptions>, hooks: RunHooks = {}): Promise<TrainResult> {
  return opened(await runTrain(options, hooks), options.backend);
}

/** Distils trained teacher runs into a small student with MulDE (Wang et al., WWW 2021) and evaluates it on test. */
export async function distill(options: RunRequest<DistillOptions>, hooks: RunHooks = {}): Promise<TrainResult> {
  return opened(await runDistill(options, hooks), options.backend);
}
