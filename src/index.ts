/**
 * kgdistill as a library: the same runs as the `kgdistill` command, PyKEEN-pipeline style.
 *
 *   import { train, openModel } from 'kgdistill';
 *   const run = await train({ dataset: 'WN18RR', model: 'RotH', dim: 32, optimizer: 'adam', lr: 0.001, out: 'runs/x' });
 *   console.log(run.metrics?.mrr, (await run.model.predict({ head: 'dog.n.01', relation: '_hypernym' }, 5)).answers);
 *
 * Options are validated by the same zod schemas as the command line (`trainOptionsSchema`, …): a bad option is the
 * same clear error in code (naming the key) as in the shell (naming the flag). The backend (tfjs-wasm, or
 * tfjs-node when installed) is started inside. Progress is silent unless hooks are given.
 */
import { runDistill, runTrain, type RunRequest } from './pipeline/train.js';
import type { RunHooks } from './pipeline/run-hooks.js';
import type { DistillOptions as DistillSchemaInput } from './pipeline/options.js';
import { evaluateRun, type EvaluateOptions } from './pipeline/evaluate.js';
import { testMetricsOf } from './pipeline/run-result.js';
import { openModel, type OpenedModel } from './pipeline/public-model.js';
import type { DistillOptions, TrainOptions } from './pipeline/public-options.js';
import type { DistillSummary, EvaluateResult, RunSummary, SummaryMetrics } from './pipeline/public-results.js';

export { loadDataset, formatLoadReport, type KgDataset, type LoadOptions, type LoadReport } from './kg/dataset.js';
export type { Vocabulary } from './kg/vocabulary.js';
export type { RelationCategory } from './kg/types.js';
export type { NamedTriple, SplitOptions, TripleSplit } from './kg/split-triples.js';
export { fetchDataset, splitTriples, type FetchDatasetOptions } from './pipeline/public-data.js';
export type { FetchReport } from './kg/fetch-dataset.js';
export { exportRun, EXPORT_FORMATS, type ExportFormat, type ExportReport } from './pipeline/export.js';
export { writeSyntheticDataset, syntheticGraph, type SyntheticGraph, type SyntheticGraphOptions, type SyntheticTriple } from './kg/synthetic-graph.js';
export type { EvaluateOptions } from './pipeline/evaluate.js';
export type { ReadingOptions, OptionNaming } from './pipeline/options.js';
export { openModel, type OpenedModel, type OpenModelOptions, type PredictQuery, type TailsQuery, type HeadsQuery, type QueryTerm, type ModelInfo, type ModelIndexInfo, type ModelEmbeddings, type EmbeddingTable } from './pipeline/public-model.js';
export type { PredictOptions, NeighborsOptions } from './pipeline/open-model.js';
export type { EntityRef, NeighborsResult, PredictResult, PredictMethod, TripleScore } from './lookup/checkpoint-lookup.js';
export type { NeighborMetric } from './lookup/kernel-search.js';
export type { SimilarityName } from './core/model.js';
export type { BackendRequest } from './core/backend.js';
export type { OptimizerName } from './core/optimizers.js';
export { trainOptionsSchema, distillOptionsSchema, type TrainSettings, type DistillSettings } from './pipeline/options.js';
export type { TrainOptions, DistillOptions, DatasetOptions, TrainingOptions } from './pipeline/public-options.js';
export type { RunHooks } from './pipeline/run-hooks.js';
export type { DataSummary, SkippedLine } from './pipeline/run-job.js';
export type { RunRequest } from './pipeline/train.js';
export type {
  SummaryMetrics, FullSummaryMetrics, SampledSummaryMetrics, TieRuleMetrics, RunSummary, DistillSummary,
  EvaluateResult, FullEvaluateResult, SampledEvaluateResult,
} from './pipeline/public-results.js';
export type { LinkPredictionMetrics } from './eval/metrics.js';
export type { EvaluationReport, FilteredAndRawMetrics, TailAndHeadMetrics } from './eval/evaluate.js';
export type { RelationMetrics } from './eval/relation-breakdown.js';
export type { SampledEvaluationReport } from './eval/sampled-evaluation.js';
export { modelNames } from './registry/models.js';
export type { TrainerEvents, EpochRecord, ValidationMetrics } from './core/trainer.js';
// The errors a caller can tell apart (`instanceof`): each names what is at fault (docs/API.md, "Errors").
export { OptionsError, type OptionProblem } from './pipeline/options-error.js';
export { EntityLimitError, KgInputError } from './kg/errors.js';
export { DatasetFetchError, FetchInterruptedError } from './kg/fetch-dataset.js';
export { CheckpointError } from './core/checkpoint.js';
export { TrainingDivergedError } from './core/training-diverged.js';
export { LookupError, type LookupErrorKind } from './lookup/errors.js';
export { HnswUnavailableError } from './lookup/hnsw.js';

/** What `train` and `distill` return: the run directory, its test metrics, its summary, and the model opened for queries. */
export interface TrainResult<Summary extends RunSummary = RunSummary> {
  /** The run directory (checkpoints, config.json, result.json, metrics.jsonl). */
  runDir: string;
  /** Filtered test metrics over both directions (`mrr`, `hits@1|3|10`, `mr`, `queries`, `tieRules`, …; with `evalCandidates` the sampled ones, marked by `protocol`); undefined when the run was not tested (`testEval: false`, a stop, an empty test split). */
  metrics?: SummaryMetrics;
  /** Epochs, best validation, seconds, backend, what loading dropped, warnings, … */
  summary: Summary;
  /** The best checkpoint opened for queries (`close()` it when done). */
  model: OpenedModel;
}

/** What `distill` returns: a run's result whose summary has the MulDE settings. */
export type DistillResult = TrainResult<DistillSummary>;

/** The test metrics of a finished run, as `evaluate` gives them (only the metrics: the summary is beside them). */
function testMetrics(result: Awaited<ReturnType<typeof runTrain>>): SummaryMetrics | undefined {
  // testMetricsOf is declared with the loose type of eval/metrics.ts; its objects are these (test/api/public-types.test.ts)
  return testMetricsOf(result) as unknown as SummaryMetrics | undefined;
}

async function opened<Summary extends RunSummary>(result: Awaited<ReturnType<typeof runTrain>>, backend: TrainOptions['backend']): Promise<TrainResult<Summary>> {
  return {
    runDir: result.runDir,
    metrics: testMetrics(result),
    summary: result.summary as unknown as Summary, // a generic can't be narrowed to directly; a DistillSummary's facts are among the job's own (run-job.ts's RunSummary)
    model: await openModel(result.runDir, { backend }),
  };
}

/** Trains a model (validation, early stopping, checkpoints in `out`) and evaluates it on test; `resume: true` continues `out`. */
export async function train(options: RunRequest<TrainOptions>, hooks: RunHooks = {}): Promise<TrainResult> {
  return opened<RunSummary>(await runTrain(options, hooks), options.backend);
}

/** Distils trained teacher runs into a small student with MulDE (Wang et al., WWW 2021) and evaluates it on test. */
export async function distill(options: RunRequest<DistillOptions>, hooks: RunHooks = {}): Promise<DistillResult> {
  // `teachers` may be readonly here: the schema copies the array and nothing mutates it
  return opened<DistillSummary>(await runDistill(options as RunRequest<DistillSchemaInput>, hooks), options.backend);
}

/** Evaluates a trained run on a split of its dataset (filtered, both directions, all three tie rules; or sampled with `candidates`). */
export async function evaluate(runDir: string, options: EvaluateOptions = {}): Promise<EvaluateResult> {
  return evaluateRun(runDir, options);
}
