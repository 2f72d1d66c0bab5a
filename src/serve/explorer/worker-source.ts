/** The model trained in this page, queried in its worker: no request leaves the page. */
import { QueryError } from './api-client.js';
import type { ModelSource } from './model-source.js';
import type { ModelSummary, NeighborsResult, PredictArgs, PredictResult, ProjectionResult, ScoreArgs, SuggestResult, TripleScore } from './protocol.js';
import type { WorkerClient } from './worker-client.js';

/** The in-page model of one training (gone when the worker is stopped or trains again). */
export class WorkerSource implements ModelSource {
  private readonly generation: number;

  constructor(private readonly client: WorkerClient, private readonly facts: ModelSummary) {
    this.generation = client.generation;
  }

  get name(): string {
    return this.facts.name;
  }

  /** True once the worker was stopped or trained another model. */
  get gone(): boolean {
    return this.client.generation !== this.generation;
  }

  async summary(): Promise<ModelSummary> {
    return this.facts;
  }

  suggest(q: string): Promise<SuggestResult> {
    return this.ask('suggest', [q, 8]);
  }

  neighbors(entity: string, k: number): Promise<NeighborsResult> {
    return this.ask('neighbors', [entity, k]);
  }

  predict(args: PredictArgs): Promise<PredictResult> {
    return this.ask('predict', [args]);
  }

  score(args: ScoreArgs): Promise<TripleScore> {
    return this.ask('score', [args]);
  }

  projection(entity: string, ids: number[]): Promise<ProjectionResult> {
    return this.ask('projection', [entity, ids]);
  }

  private ask<T>(method: 'suggest' | 'neighbors' | 'predict' | 'score' | 'projection', args: unknown[]): Promise<T> {
    if (this.gone) {
      return Promise.reject(new QueryError({ status: 410, error: 'gone', message: 'this in-page model is gone (the worker was stopped or trained another model): train it again' }));
    }
    return this.client.query<T>(method, args);
  }
}
