/**
 * One training step with sampled negatives (Chami et al. 2020's regime; Bordes et al. 2013 for uniform sampling).
 *
 * For a batch of training queries (e, r) with gold answers a, `negatives` entities are drawn uniformly (not
 * filtered, as in the reference code). Without `doubleNegatives` each query scores [a, n₁ … n_N]; with it, as in
 * KGEmb's `--double_neg`, every negative triple has both a random head and a random tail, so the batch is B
 * positive (e, r, a) plus B·N negative (e′ⱼ, r, a′ⱼ) queries. The loss is binary cross-entropy with logits over
 * every positive and negative score, plus the regulariser on the rows used.
 */
import * as tf from '@tensorflow/tfjs';
import type { KgeModel } from './model.js';
import type { ParameterStore } from './parameter-store.js';
import type { CandidateScorer, CandidateSet } from './candidate-scoring.js';
import type { SeededRandom } from './random.js';
import { drawDoubleNegatives, drawGoldFirst } from './negative-sampler.js';
import { gatherQueryRows, regularizedRows, rowsByName, scatterQueryGradients, type GatheredRows } from './query-rows.js';
import { addRowRegularizerGradient, rowRegularizer, type RegularizerName } from './losses.js';
import { fusedNegativeSamplingGradients, fusedStepSupports } from './fused-negative-step.js';

/** Settings of the negative-sampling step. */
export interface NegativeSamplingSettings {
  negatives: number;
  doubleNegatives: boolean;
  regularizer: RegularizerName;
  regularizerWeight: number;
}

/** A batch of training queries: entity, query relation (in [0, 2R)), gold answer. */
export interface QueryBatch {
  entities: Int32Array;
  relations: Int32Array;
  answers: Int32Array;
  /** Positions of the queries in the run's list of training queries (set by the trainer; objectives may cache by them). */
  indices?: Int32Array;
}

interface Group {
  gathered: GatheredRows;
  candidates: CandidateSet;
  labels: Float32Array;
}

function makeGroups(batch: QueryBatch, settings: NegativeSamplingSettings, numEntities: number, rng: SeededRandom,
  model: KgeModel, store: ParameterStore): Group[] {
  const B = batch.entities.length;
  const N = settings.negatives;
  if (!settings.doubleNegatives) {
    const M = 1 + N;
    const ids = drawGoldFirst(batch.answers, N, numEntities, rng);
    const labels = new Float32Array(B * M);
    for (let b = 0; b < B; b++) labels[b * M] = 1;
    return [{ gathered: gatherQueryRows(model, store, batch.entities, batch.relations), candidates: { ids, perQuery: M }, labels }];
  }
  const positives: Group = {
    gathered: gatherQueryRows(model, store, batch.entities, batch.relations),
    candidates: { ids: batch.answers.slice(), perQuery: 1 },
    labels: new Float32Array(B).fill(1),
  };
  const negEntities = new Int32Array(B * N);
  const negRelations = new Int32Array(B * N);
  const negAnswers = new Int32Array(B * N);
  drawDoubleNegatives(batch.relations, N, numEntities, rng, negEntities, negAnswers, negRelations);
  const negatives: Group = {
    gathered: gatherQueryRows(model, store, negEntities, negRelations),
    candidates: { ids: negAnswers, perQuery: 1 },
    labels: new Float32Array(B * N),
  };
  return [positives, negatives];
}

/** Runs one negative-sampling step: accumulates gradients into the tables and returns the loss (no update). */
export function negativeSamplingGradients(model: KgeModel, store: ParameterStore, scorer: CandidateScorer, batch: QueryBatch,
  settings: NegativeSamplingSettings, rng: SeededRandom): number {
  // Models with a fused query program skip tfjs altogether on the fused path (same draws, loss and gradients).
  if (scorer.path === 'fused' && fusedStepSupports(model, store)) return fusedNegativeSamplingGradients(model, store, batch, settings, rng);
  const numEntities = store.table(model.candidateTable).rows;
  const B = batch.entities.length;
  const loss = tf.tidy(() => {
    const groups = makeGroups(batch, settings, numEntities, rng, model, store);
    const total = groups.reduce((sum, g) => sum + g.labels.length, 0);
    const candidateInputs = groups.map((g) => scorer.inputs(g.candidates, g.labels.length / g.candidates.perQuery));
    const inputs: tf.Tensor[] = [];
    for (let i = 0; i < groups.length; i++) inputs.push(...groups[i]!.gathered.tensors, ...candidateInputs[i]!);
    const labels = groups.map((g) => tf.tensor2d(g.labels, [g.labels.length / g.candidates.perQuery, g.candidates.perQuery]));
    const f = (...xs: tf.Tensor[]): tf.Scalar => {
      let offset = 0;
      const terms: tf.Scalar[] = [];
      const regRows: tf.Tensor[] = [];
      groups.forEach((g, i) => {
        const queryTensors = xs.slice(offset, offset + g.gathered.tensors.length);
        offset += g.gathered.tensors.length;
        const candTensors = xs.slice(offset, offset + candidateInputs[i]!.length);
        offset += candidateInputs[i]!.length;
        const out = model.query(rowsByName(g.gathered.names, queryTensors));
        const scores = scorer.score(out, g.candidates, candTensors);
        // Σ softplus(s) − y·s over the group; divided by the total count below.
        terms.push(tf.sum(tf.sub(tf.softplus(scores), tf.mul(labels[i]!, scores))) as tf.Scalar);
        if (i === 0) regRows.push(...regularizedRows(store, g.gathered.names, queryTensors));
      });
      const data = tf.div(tf.addN(terms), total) as tf.Scalar;
      return tf.add(data, rowRegularizer(settings.regularizer, settings.regularizerWeight, regRows, B)) as tf.Scalar;
    };
    const { value, grads } = tf.valueAndGrads(f)(inputs);
    let offset = 0;
    groups.forEach((g, i) => {
      scatterQueryGradients(store, g.gathered, grads.slice(offset, offset + g.gathered.tensors.length));
      offset += g.gathered.tensors.length;
      scorer.applyGradients(g.candidates, grads.slice(offset, offset + candidateInputs[i]!.length));
      offset += candidateInputs[i]!.length;
    });
    return value.dataSync()[0]!;
  });
  return loss + regularizeGoldAnswers(model, store, batch.answers, settings, B);
}

/** The regulariser on the gold answers' candidate rows, which the fused path keeps off the tape. */
export function regularizeGoldAnswers(model: KgeModel, store: ParameterStore, answers: Int32Array, settings: NegativeSamplingSettings | { regularizer: RegularizerName; regularizerWeight: number }, batchSize: number): number {
  if (settings.regularizer === 'none' || settings.regularizerWeight === 0) return 0;
  const table = store.table(model.candidateTable);
  if (!table.spec.regularize) return 0;
  const rows = table.gather(answers);
  const grad = new Float32Array(rows.length);
  const value = addRowRegularizerGradient(settings.regularizer, settings.regularizerWeight, rows, grad, batchSize);
  table.scatterAddGrad(answers, grad);
  return value;
}
