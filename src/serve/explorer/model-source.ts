/**
 * What the explore view asks of a model, whoever answers: the server (server-source.ts, one of the checkpoints it
 * serves) or the worker holding a model trained in this page (worker-source.ts). Failures are QueryErrors.
 */
import type { CompareArgs, Comparison, ModelSummary, NeighborsResult, PredictArgs, PredictResult, ProjectionResult, ScoreArgs, SuggestResult, TripleScore } from './protocol.js';

/** The queries of one model. */
export interface ModelSource {
  /** Name shown in the model picker. */
  readonly name: string;
  /** True once an in-page model is replaced by a later training or a stop (it answers nothing any more). */
  readonly gone?: boolean;
  /** Facts, test metrics, curves and teachers. */
  summary(): Promise<ModelSummary>;
  /** Entities whose key or name is close to what was typed. */
  suggest(q: string, signal?: AbortSignal): Promise<SuggestResult>;
  /** The k nearest entities of an entity (name, key or id). */
  neighbors(entity: string, k: number): Promise<NeighborsResult>;
  /** Top-k answers of (head, relation, ?) or (?, relation, tail). */
  predict(args: PredictArgs): Promise<PredictResult>;
  /** The score of (head, relation, tail) and the tail's raw (and filtered) rank among all entities. */
  score(args: ScoreArgs): Promise<TripleScore>;
  /** The picture's coordinates of an entity and the entities `ids`. */
  projection(entity: string, ids: number[]): Promise<ProjectionResult>;
  /** A distilled student beside its teachers (absent for other models and for in-page models). */
  compare?(args: CompareArgs): Promise<Comparison>;
}
