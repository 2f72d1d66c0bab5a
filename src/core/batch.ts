/**
 * Batches of training queries, and what every step that trains on them shares: the queries of a run (each triple
 * (h, r, t) gives the tail query (h, r) → t and the head query (t, r + R) → h), selecting and drawing batches of
 * them, the negative-sampling settings, and the regulariser on the gold answers' rows.
 */
import type { Triples } from '../kg/types.js';
import { subsamplingWeights } from '../kg/subsampling-weights.js';
import type { KgeModel, TableSpec } from './model.js';
import type { ParameterStore } from './parameter-store.js';
import type { SeededRandom } from './random.js';
import { addRowRegularizerGradient, type RegularizerName, type SampledLoss } from './losses.js';

/** A batch of training queries: entity, query relation (in [0, 2R)), gold answer. */
export interface QueryBatch {
  entities: Int32Array;
  relations: Int32Array;
  answers: Int32Array;
  /** Positions of the queries in the run's list of training queries (objectives may cache by them). */
  indices?: Int32Array;
  /** Per-query loss weights (`queryWeights: 'subsampling'`); absent: every query weighs the same. */
  weights?: Float32Array;
}

/** How training queries weigh in the loss: all alike, or by Sun et al. 2019's subsampling weights. */
export type QueryWeighting = 'uniform' | 'subsampling';

/** The regulariser of a step: its name and weight. */
export interface RegularizerSettings {
  regularizer: RegularizerName;
  regularizerWeight: number;
}

/** Settings of a negative-sampling step. */
export interface NegativeSamplingSettings extends RegularizerSettings {
  negatives: number;
  /** KGEmb's `--double_neg`: every negative triple has a random head and a random tail. */
  doubleNegatives: boolean;
  /** The loss over each query's gold-first scores (default: binary cross-entropy). */
  loss?: SampledLoss;
  /** Consecutive queries sharing one draw of negatives (PyTorch-BigGraph's chunks; default 1: each its own). */
  sharedNegatives?: number;
}

/** Throws unless the loss can run with these settings (the ranking losses need each query's own negatives). */
export function checkSampledLoss(settings: NegativeSamplingSettings): void {
  const loss = settings.loss?.loss ?? 'bce';
  if (loss !== 'bce' && settings.doubleNegatives) throw new Error(`the ${loss} loss compares each query with its own negatives: it cannot be used with double negatives`);
  if (loss !== 'bce' && settings.negatives < 1) throw new Error(`the ${loss} loss needs at least one negative per query`);
  if ((settings.sharedNegatives ?? 1) > 1 && settings.doubleNegatives) throw new Error('shared negatives replace the candidates of a chunk of queries: they cannot be used with double negatives');
}

/** Training queries (e, r, a) from triples and their reciprocals: (h, r, t) and (t, r + R, h), weighted as asked. */
export function trainingQueries(train: Triples, numRelations: number, weighting: QueryWeighting = 'uniform'): QueryBatch {
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
  if (weighting === 'uniform') return { entities, relations, answers };
  const perTriple = subsamplingWeights(train, numRelations); // a triple's tail and head queries weigh the same
  const weights = new Float32Array(2 * n);
  weights.set(perTriple);
  weights.set(perTriple, n);
  return { entities, relations, answers, weights };
}

/** Throws unless the step can carry a weighted batch (not with double negatives, whose negatives are queries of their own). */
export function checkWeightedBatch(batch: QueryBatch, settings: NegativeSamplingSettings): void {
  if (batch.weights && settings.doubleNegatives) throw new Error('query weights apply to gold-first rows: they cannot be used with double negatives');
}

/** The queries at `indices` as a batch (with their positions). */
export function selectQueries(queries: QueryBatch, indices: Int32Array): QueryBatch {
  const n = indices.length;
  const batch: QueryBatch = { entities: new Int32Array(n), relations: new Int32Array(n), answers: new Int32Array(n), indices };
  for (let i = 0; i < n; i++) {
    const j = indices[i]!;
    batch.entities[i] = queries.entities[j]!;
    batch.relations[i] = queries.relations[j]!;
    batch.answers[i] = queries.answers[j]!;
  }
  if (queries.weights) {
    const weights = new Float32Array(n);
    for (let i = 0; i < n; i++) weights[i] = queries.weights[indices[i]!]!;
    batch.weights = weights;
  }
  return batch;
}

/** Draws batches of queries (e.g. with replacement by a weighting); `size` queries from `queries`. */
export interface QuerySampler {
  batch(queries: QueryBatch, size: number, rng: SeededRandom): QueryBatch;
}

/** How an epoch's batches are drawn: a shuffled pass over all queries, or draws from a sampler. */
export type BatchSampling = { kind: 'shuffled' } | { kind: 'sampler'; sampler: QuerySampler };

/** Where an interrupted epoch resumes: its permutation (shuffled sampling) and the number of steps already taken. */
export interface EpochPosition {
  order?: Int32Array;
  step: number;
}

/**
 * The batches of one epoch over `queries`: ⌈Q / batchSize⌉ of them, from one seeded permutation (drawn when the
 * first batch is taken) or from the sampler, one batch at a time. `from` resumes an interrupted epoch (its
 * permutation is reused, not drawn); `position.order` is the permutation in use, for checkpoints.
 */
export function* epochBatches(queries: QueryBatch, batchSize: number, sampling: BatchSampling, rng: SeededRandom,
  from?: EpochPosition, position: EpochPosition = { step: 0 }): Generator<QueryBatch> {
  const total = queries.entities.length;
  const steps = Math.ceil(total / batchSize);
  const order = sampling.kind === 'shuffled' ? from?.order ?? rng.permutation(total) : undefined;
  position.order = order;
  for (let step = from?.step ?? 0; step < steps; step++) {
    position.step = step;
    const start = step * batchSize;
    const size = Math.min(batchSize, total - start);
    if (order) yield selectQueries(queries, order.slice(start, start + size));
    else if (sampling.kind === 'sampler') yield sampling.sampler.batch(queries, size, rng);
  }
}

/** The complex layout of a table's rows for the regulariser, if any. */
const complexLayout = (spec: TableSpec): { dim: number } | undefined => (spec.complexPairs ? { dim: spec.dim } : undefined);

/** The regulariser on the gold answers' candidate rows (kept off the tape by every step); returns its value. */
export function regularizeGoldAnswers(model: KgeModel, store: ParameterStore, answers: Int32Array, settings: RegularizerSettings, batchSize: number): number {
  if (settings.regularizer === 'none' || settings.regularizerWeight === 0) return 0;
  const table = store.table(model.candidateTable);
  if (!table.spec.regularize) return 0;
  const rows = table.gather(answers);
  const grad = new Float32Array(rows.length);
  const value = addRowRegularizerGradient(settings.regularizer, settings.regularizerWeight, rows, grad, batchSize, complexLayout(table.spec));
  table.scatterAddGrad(answers, grad);
  return value;
}

/**
 * The regulariser on the positive queries' rows of the regularised query tables, kept off the tape by the kernel
 * steps (the tfjs steps regularise the same rows on the tape); returns its value.
 */
export function regularizeQueryRows(model: KgeModel, store: ParameterStore, batch: QueryBatch, settings: RegularizerSettings): number {
  if (settings.regularizer === 'none' || settings.regularizerWeight === 0) return 0;
  const B = batch.entities.length;
  let value = 0;
  for (const name of model.queryTables) {
    const table = store.table(name);
    if (!table.spec.regularize) continue;
    const ids = table.spec.indexedBy === 'entity' ? batch.entities : batch.relations;
    const rows = table.gather(ids);
    const grad = new Float32Array(rows.length);
    value += addRowRegularizerGradient(settings.regularizer, settings.regularizerWeight, rows, grad, B, complexLayout(table.spec));
    table.scatterAddGrad(ids, grad);
  }
  return value;
}
