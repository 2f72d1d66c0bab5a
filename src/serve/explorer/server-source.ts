/** A checkpoint served by `kgdistill serve`, queried through its JSON API and the explorer's routes. */
import { api } from './api-client.js';
import type { ModelSource } from './model-source.js';
import type { CompareArgs, Comparison, ModelSummary, NeighborsResult, PredictArgs, PredictResult, ProjectionResult, PageRunFacts, ScoreArgs, SuggestResult, TripleScore } from './protocol.js';

/** GET /models/:model's answer (the fields the page uses). */
interface ModelInfo {
  name: string;
  model: string;
  dim: number;
  entities: number;
  relations: string[];
  dataset: string;
  neighborMetric: ModelSummary['metric'];
  knownTriples: boolean;
  note?: string;
}

/** One served model. */
export class ServerSource implements ModelSource {
  private readonly base: string;

  constructor(readonly name: string) {
    this.base = `/models/${encodeURIComponent(name)}`;
  }

  async summary(): Promise<ModelSummary> {
    const [info, run] = await Promise.all([api<ModelInfo>(this.base), api<PageRunFacts>(`${this.base}/run`)]);
    return {
      name: info.name, origin: 'server', model: info.model, dim: info.dim, entities: info.entities, relations: info.relations, dataset: info.dataset,
      metric: info.neighborMetric, knownTriples: info.knownTriples, curves: run.curves, teachers: run.teachers, settings: run.settings,
      ...(run.test ? { test: run.test } : {}), ...(run.testSkipped ? { testSkipped: run.testSkipped } : {}), ...(info.note ? { note: info.note } : {}),
      ...(run.curvesNote ? { curvesNote: run.curvesNote } : {}), ...(run.testNote ? { testNote: run.testNote } : {}),
    };
  }

  suggest(q: string, signal?: AbortSignal): Promise<SuggestResult> {
    return api<SuggestResult>(`${this.base}/suggest`, { query: { q, k: 8 }, ...(signal ? { signal } : {}) });
  }

  neighbors(entity: string, k: number): Promise<NeighborsResult> {
    return api<NeighborsResult>(`${this.base}/neighbors`, { query: { entity, k } });
  }

  predict(args: PredictArgs): Promise<PredictResult> {
    return api<PredictResult>(`${this.base}/predict`, { query: { head: args.head, tail: args.tail, relation: args.relation, k: args.k, filtered: args.filtered } });
  }

  score(args: ScoreArgs): Promise<TripleScore> {
    return api<TripleScore>(`${this.base}/predict`, { query: { head: args.head, relation: args.relation, tail: args.tail } }); // head and tail: one triple
  }

  projection(entity: string, ids: number[]): Promise<ProjectionResult> {
    return api<ProjectionResult>(`${this.base}/projection`, { body: { entity, ids } });
  }

  compare(args: CompareArgs): Promise<Comparison> {
    return api<Comparison>(`${this.base}/compare`, { query: { head: args.head, tail: args.tail, relation: args.relation, gold: args.gold, k: args.k } });
  }
}
