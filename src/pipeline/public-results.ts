/**
 * The exact shapes of what the library's functions return (`train`, `distill`, `evaluate`), as the package entry
 * (src/index.ts) exports them: no index signatures, so a misspelt key (`metrics['hits@5']`, `summary.bestEpch`) is a
 * compile error. They describe what eval/evaluate.ts (`evaluationSummary`), eval/sampled-evaluation.ts
 * (`sampledSummary`), pipeline/run-job.ts (the summary) and pipeline/evaluate.ts produce; test/api/public-types.test.ts
 * checks them against the run-time objects key by key.
 */
import type { LinkPredictionMetrics } from '../eval/metrics.js';
import type { EvaluationReport, FilteredAndRawMetrics, TailAndHeadMetrics } from '../eval/evaluate.js';
import type { SampledEvaluationReport } from '../eval/sampled-evaluation.js';
import type { RelationMetrics } from '../eval/relation-breakdown.js';
import type { SeniorMechanisms } from '../muldE/senior.js';
import type { RelationCategory } from '../kg/types.js';
import type { SplitOverlap } from '../kg/dataset-encode.js';
import type { SkippedHeader } from '../kg/tab-triples.js';

/** Filtered metrics over both directions under each tie rule (PyKEEN's names; `realistic` is the headline). */
export interface TieRuleMetrics {
  /** Each gold answer ranked before the candidates it ties with. */
  optimistic: LinkPredictionMetrics;
  /** The mean of the optimistic and the pessimistic rank: the headline figures. */
  realistic: LinkPredictionMetrics;
  /** Each gold answer ranked after the candidates it ties with. */
  pessimistic: LinkPredictionMetrics;
}

/** The headline figures every evaluation has: filtered metrics over the tail and head queries of all triples. */
interface HeadlineMetrics {
  /** Mean reciprocal rank (filtered, realistic ties). */
  mrr: number;
  /** Fraction of queries whose gold answer is ranked first. */
  'hits@1': number;
  /** Fraction of queries whose gold answer is ranked in the top 3. */
  'hits@3': number;
  /** Fraction of queries whose gold answer is ranked in the top 10. */
  'hits@10': number;
  /** Mean rank. */
  mr: number;
  /** Number of ranked queries (two per triple: its tail and its head). */
  queries: number;
  /** Wall-clock seconds of the evaluation (scoring included). */
  evalSeconds: number;
}

/** The flat headline of a full evaluation (against all entities): `evaluate`'s and a tested run's `metrics`. */
export interface FullSummaryMetrics extends HeadlineMetrics {
  /** Raw (unfiltered) metrics over both directions. */
  raw: LinkPredictionMetrics;
  /** Tail queries (h, r) → t and head queries (t, r⁻¹) → h separately, filtered and raw. */
  byDirection: { tail: FilteredAndRawMetrics; head: FilteredAndRawMetrics };
  /** Filtered metrics per relation category (1-1, 1-N, N-1, N-N) of the triple's relation, when categories are known. */
  byCategory?: Record<RelationCategory, TailAndHeadMetrics>;
  /** Queries left out of `byCategory`, their relation having no category (no training triple); present when > 0. */
  uncategorizedQueries?: number;
  /** How tied scores are ranked. */
  ties: 'mean of optimistic and pessimistic rank';
  /** The filtered metrics under each tie rule. */
  tieRules: TieRuleMetrics;
  /** Absent: a full evaluation ranks against every entity (a sampled one says its protocol here). */
  protocol?: never;
}

/** The flat headline of a sampled evaluation (gold + N fixed filtered candidates per query, OGB-style). */
export interface SampledSummaryMetrics extends HeadlineMetrics {
  /** Filtered metrics of the tail queries and of the head queries. */
  byDirection: { tail: LinkPredictionMetrics; head: LinkPredictionMetrics };
  /** How the candidates were sampled (their number and seed): sampled figures are not comparable with full ones. */
  protocol: string;
  /** Absent: a sampled evaluation has no raw metrics. */
  raw?: never;
  /** Absent: a sampled evaluation has no per-tie-rule metrics. */
  tieRules?: never;
}

/** The headline metrics of an evaluation: a full one, or a sampled one (told apart by `protocol`). */
export type SummaryMetrics = FullSummaryMetrics | SampledSummaryMetrics;

/** What valid/test lines loading dropped, what it merged and what lines it skipped, per split. */
export interface DataSummary {
  unseenPolicy: string;
  unseen: { valid: number; test: number };
  duplicates: { train: number; valid: number; test: number };
  /** Triples in two splits at once (see `LoadReport.overlap`). */
  overlap: SplitOverlap;
  /** Comment lines (a first field starting with `#`) skipped per split. */
  comments: { train: number; valid: number; test: number };
  /** The line each split skipped as a header (a recognised header line, or `--header yes`); splits without one left out. */
  headers: { train?: SkippedLine; valid?: SkippedLine; test?: SkippedLine };
  /** The valid/test lines of `headers` that only `--header yes` made headers and that look like triples (see `LoadReport.headerTriples`). */
  headerTriples?: { valid?: SkippedLine; test?: SkippedLine };
}

/** A line skipped as a header: its number and its fields joined by commas (the loader's SkippedHeader). */
export type SkippedLine = Pick<SkippedHeader, 'line' | 'text'>;

/** A run's summary: everything `--json` prints (and result.json keeps) besides the test metrics. */
export interface RunSummary {
  /** The model trained (its registry name, e.g. `RotH`). */
  model: string;
  /** Embedding dimension. */
  dim: number;
  /** The dataset's name. */
  dataset: string;
  /** The tfjs backend that ran (`wasm`, `tensorflow`, …). */
  backend: string;
  /** The kernel build that ran (`fma`, `simd`, … or `portable`). */
  kernels: string;
  /** Kernel worker threads. */
  threads: number;
  /** Seconds of training (validations included, the final test not). */
  seconds: number;
  /** Epochs trained (a resumed run counts its earlier ones). */
  epochs: number;
  /** Epoch of the best validation (the best checkpoint). */
  bestEpoch: number;
  /** The best validation MRR, or null when nothing was validated (an empty valid split: warnings say so). */
  bestValidMrr: number | null;
  /** Whether early stopping ended the run (`patience` validations without a new best). */
  stoppedEarly: boolean;
  /** Whether a stop request (`shouldStop`, a signal) ended the run; its position is saved in `last.json`. */
  interrupted: boolean;
  /** How the training steps were computed (fused kernels or the tfjs reference path). */
  scoringPath: string;
  /** The run directory. */
  runDir: string;
  /** The run's seed. */
  seed: number;
  /** What the run warned about (also given to the `log` hook): an empty valid split, overlapping splits, … */
  warnings: string[];
  /** What loading the dataset dropped, merged or skipped. */
  data: DataSummary;
  /** The checkpoint the test figures are of (`best`); absent when the run was not tested. */
  checkpoint?: string;
  /** Why the finished run has no test figures (testEval false, a stop, an empty test split), and the command that gives them. */
  testSkipped?: { reason: string; evalCommand?: string };
}

/** A distillation's summary: a run's, with the MulDE settings it used. */
export interface DistillSummary extends RunSummary {
  /** The distillation method. */
  method: 'MulDE';
  /** The teacher run directories (absolute). */
  teachers: string[];
  /** Candidates per query the Junior asked the teachers about (clamped to the number of entities). */
  topK: number;
  /** Sampled negatives per query of the Junior's hard loss. */
  negatives: number;
  /** Whether the Junior's negatives corrupt head and tail together. */
  doubleNegatives: boolean;
  /** The Junior's hard loss with its margin γ and temperature α (`--loss auto`: the student's own, as `train`). */
  loss: { loss: 'bce' | 'nssa' | 'margin'; margin: number; adversarialTemperature: number };
  /** λ, the weight of the distillation loss. */
  kdWeight: number;
  /** Temperature of the soft labels. */
  temperature: number;
  /** The Senior's learning rate. */
  seniorLearningRate: number;
  /** Which of the Senior's mechanisms (relation scaling, contrast attention) were on. */
  mechanisms: SeniorMechanisms;
  /** Epochs between re-picks of a query's candidates (0: every iteration). */
  refreshEvery: number;
  /** Scoring path of the Junior's K candidates. */
  path: 'auto' | 'fused' | 'tfjs';
}

/** What every evaluation result says besides its metrics: the model, the split, the backend and the data. */
interface EvaluationFacts {
  /** The model evaluated. */
  model: string;
  /** Its embedding dimension. */
  dim: number;
  /** The dataset evaluated on. */
  dataset: string;
  /** The split evaluated. */
  split: 'valid' | 'test';
  /** The tfjs backend that ran. */
  backend: string;
  /** The checkpoint evaluated (`best` or `last`). */
  checkpoint: string;
  /** What loading the dataset dropped (unseen entities under `unseen: 'drop'`) or merged, as a training reports it. */
  data: DataSummary;
}

/** A full evaluation (against all entities): the flat metrics and the full report. */
export interface FullEvaluateResult extends EvaluationFacts {
  /** The flat headline (`mrr`, `hits@k`, `tieRules`, …). */
  metrics: FullSummaryMetrics;
  /** The full filtered evaluation. */
  report: EvaluationReport;
  /** Absent: the evaluation was not sampled. */
  sampled?: undefined;
  /** Filtered metrics per relation with a triple in the split (vocabulary order); present when asked (`byRelation`). */
  byRelation?: RelationMetrics[];
}

/** A sampled evaluation (with `candidates`): the flat metrics with their `protocol` and the sampled report. */
export interface SampledEvaluateResult extends EvaluationFacts {
  /** The flat headline (`mrr`, `hits@k`, `protocol`, …). */
  metrics: SampledSummaryMetrics;
  /** Absent: a sampled evaluation has no full report. */
  report?: undefined;
  /** The sampled evaluation. */
  sampled: SampledEvaluationReport;
  /** Absent: a sampled evaluation has no per-relation breakdown. */
  byRelation?: undefined;
}

/** What `evaluate` returns: a full or a sampled evaluation (`sampled` or `metrics.protocol` tells which). */
export type EvaluateResult = FullEvaluateResult | SampledEvaluateResult;
