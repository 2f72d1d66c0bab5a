/**
 * What the explorer page shows and what it says to its training worker: the answers of a model source (the
 * server's routes, or the model trained in the page — the same shapes, so one view shows both) and the messages
 * between the page and worker/train-worker.ts.
 */
import type { NeighborsResult, PredictResult, EntityRef, TripleScore } from '../../lookup/checkpoint-lookup.js';
import type { NeighborMetric } from '../../lookup/kernel-search.js';
import type { Comparison } from '../teacher-comparison.js';
import type { CurvePoint, TestMetrics, TestSkipped } from '../run-facts.js';

export type { NeighborsResult, PredictResult, EntityRef, TripleScore, Comparison, CurvePoint, TestMetrics, TestSkipped };

/** A run's facts as the page shows them: test metrics, curves, (for a student) its teachers and settings (GET /models/:model/run's answer). */
export interface PageRunFacts {
  test?: TestMetrics;
  /** Why the run has no test figures (a served run whose finish skipped its test). */
  testSkipped?: TestSkipped;
  /** Why a served run shows no test figures although it has a result.json (unreadable, or another format or version). */
  testNote?: string;
  curves: CurvePoint[];
  /** Why a served run shows no curves although it has a metrics.jsonl (unreadable). */
  curvesNote?: string;
  teachers: Array<{ name: string; found: boolean }>;
  settings: Record<string, string | number | boolean>;
}

/** A model as the page shows it: facts, and its run's metrics, curves and (for a student) teachers. */
export interface ModelSummary extends PageRunFacts {
  name: string;
  origin: 'server' | 'page';
  model: string;
  dim: number;
  entities: number;
  relations: string[];
  dataset: string;
  metric: NeighborMetric;
  knownTriples: boolean;
  note?: string;
}

/** Entities close to what was typed (the resolver's match first when there is one). */
export interface SuggestResult {
  query: string;
  exact: boolean;
  suggestions: EntityRef[];
}

/** The neighbourhood picture's coordinates (lookup/projection.ts) with the entities' names. */
export interface ProjectionResult {
  geometry: 'poincare-disk' | 'plane';
  method: string;
  /** What each point's `distance` is: 'hyperbolic distance', 'Euclidean distance', 'L1 distance', … */
  distanceName: string;
  explained: number;
  metric: NeighborMetric;
  entity: EntityRef;
  points: Array<EntityRef & { x: number; y: number; distance: number }>;
}

/** A prediction request. */
export interface PredictArgs {
  head?: string;
  tail?: string;
  relation: string;
  /** How many answers (default: lookup/answer-count.ts's). */
  k?: number;
  filtered: boolean;
}

/** One triple to score (its score, and the tail's rank among all entities). */
export interface ScoreArgs {
  head: string;
  relation: string;
  tail: string;
}

/** A comparison request (student and teachers). */
export interface CompareArgs {
  head?: string;
  tail?: string;
  relation: string;
  gold?: string;
  k: number;
}

/** A failed query as the page shows it: HTTP-like status, a code, the message and close names. */
export interface QueryFailure {
  status: number;
  error: string;
  message: string;
  suggestions?: string[];
  /** The key of each suggestion, to send back (a key may itself hold " ("). */
  suggestionKeys?: string[];
}

/** The options of in-page training (validated in the worker by the same schema as `kgdistill train`). */
export interface TrainSettings {
  model: string;
  dim: number;
  epochs: number;
  lr: number;
  optimizer: string;
  batchSize: number;
  /** Sampled negatives per query (left out with `oneToN`). */
  neg?: number;
  /** 1-N training: every query scored against all entities (`kgdistill train --one-to-n`). */
  oneToN?: boolean;
  /** TransE's and RotatE's distance norm, 1 or 2 (left out: the model's own). */
  norm?: number;
  validEvery: number;
  seed: number;
}

/** A norm the train form offers: the model's own (''), L1 or L2. */
export type NormChoice = '' | '1' | '2';

/** What the train form may choose for a model, as the engine refuses it (worker/in-page-training.ts trainChoices). */
export interface TrainChoice {
  model: string;
  /** Why the model takes no norm (the refusal's words), or null when it takes one. */
  norm: string | null;
  /** For each norm the model takes, why 1-N training cannot run with it (the refusal's words), or null when it can. */
  oneToN: Partial<Record<NormChoice, string | null>>;
}

/** The train form's labels of its fields by option key (`neg` → `Negatives`): the page's refusals name options by them. */
export type FormLabels = Record<string, string>;

/** A dropped file: its name (for file:line messages) and bytes. */
export interface DroppedFile {
  name: string;
  bytes: ArrayBuffer;
}

/** The queries a model source answers. */
export type QueryMethod = 'models' | 'trainChoices' | 'summary' | 'suggest' | 'neighbors' | 'predict' | 'score' | 'projection';

/** Page → worker. */
export type ToWorker =
  | { id: number; type: 'train'; files: DroppedFile[]; settings: TrainSettings; labels?: FormLabels }
  | { id: number; type: 'query'; method: QueryMethod; args: unknown[] };

/** What a finished in-page training reports. */
export interface TrainOutcome {
  summary: ModelSummary;
  triples: { train: number; valid: number; test: number };
  epochs: number;
  seconds: number;
  backend: string;
  warnings: string[];
  /** What reading the files did, per split (lines read, duplicates kept once, comments and a header skipped) and the triples two splits share. */
  data: string[];
}

/** Worker → page. */
export type FromWorker =
  | { type: 'progress'; phase: 'loading' | 'training' | 'validating' | 'testing'; epoch: number; epochs: number; step: number; steps: number; message?: string }
  | { type: 'epoch'; point: CurvePoint }
  | { id: number; type: 'result'; value: unknown }
  | { id: number; type: 'failure'; failure: QueryFailure };
