/**
 * One training step with sampled negatives in tfjs autodiff (Chami et al. 2020's regime; Bordes et al. 2013 for
 * uniform sampling) — the reference for the fused step (fused-negative-step.ts) and the path of native backends.
 *
 * For a batch of training queries (e, r) with gold answers a, `negatives` entities are drawn uniformly (not
 * filtered, as in the reference code). Without `doubleNegatives` each query scores [a, n₁ … n_N]; with it, as in
 * KGEmb's `--double_neg`, every negative triple has both a random head and a random tail, so the batch is B
 * positive (e, r, a) plus B·N negative (e′ⱼ, r, a′ⱼ) queries. The loss is binary cross-entropy with logits over
 * every positive and negative score (or, without double negatives, the self-adversarial or margin ranking loss of
 * losses.ts; or, with query weights, their weighted mean over the queries), plus the regulariser on the rows used.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KgeModel } from './model.js';
import type { ParameterStore } from './parameter-store.js';
import type { CandidateScorer, CandidateSet } from './candidate-scoring.js';
import type { SeededRandom } from './random.js';
import { drawDoubleNegatives, drawGoldFirst } from './negative-sampler.js';
import { BCE_LOSS, binaryCrossEntropyWithLogitsSum, bySampledLoss, marginRankingLoss, rowRegularizer, selfAdversarialLoss, weightedSampledLoss } from './losses.js';
import { checkSampledLoss, checkWeightedBatch, regularizeGoldAnswers, type NegativeSamplingSettings, type QueryBatch } from './batch.js';
import { runTape, type TapeSide } from './tape.js';

/** A group of queries scored against their candidates, with the candidates' labels (1 = gold). */
interface Group {
  entities: Int32Array;
  relations: Int32Array;
  candidates: CandidateSet;
  labels: Float32Array;
}

/** The scored groups of a batch: one (B queries × [gold + N negatives]), or with double negatives two. */
function drawGroups(batch: QueryBatch, settings: NegativeSamplingSettings, numEntities: number, rng: SeededRandom): Group[] {
  const B = batch.entities.length;
  const N = settings.negatives;
  if (!settings.doubleNegatives) {
    const M = 1 + N;
    const labels = new Float32Array(B * M);
    for (let b = 0; b < B; b++) labels[b * M] = 1;
    return [{ entities: batch.entities, relations: batch.relations, candidates: { ids: drawGoldFirst(batch.answers, N, numEntities, rng, undefined, settings.sharedNegatives), perQuery: M }, labels }];
  }
  const positives: Group = { entities: batch.entities, relations: batch.relations, candidates: { ids: batch.answers.slice(), perQuery: 1 }, labels: new Float32Array(B).fill(1) };
  const negEntities = new Int32Array(B * N);
  const negRelations = new Int32Array(B * N);
  const negAnswers = new Int32Array(B * N);
  drawDoubleNegatives(batch.relations, N, numEntities, rng, negEntities, negAnswers, negRelations);
  return [positives, { entities: negEntities, relations: negRelations, candidates: { ids: negAnswers, perQuery: 1 }, labels: new Float32Array(B * N) }];
}

/** Runs one negative-sampling step in tfjs: accumulates gradients into the tables and returns the loss (no update). */
export function negativeSamplingGradients(model: KgeModel, store: ParameterStore, scorer: CandidateScorer, batch: QueryBatch,
  settings: NegativeSamplingSettings, rng: SeededRandom): number {
  checkSampledLoss(settings);
  checkWeightedBatch(batch, settings);
  const numEntities = store.table(model.candidateTable).rows;
  const B = batch.entities.length;
  const groups = drawGroups(batch, settings, numEntities, rng);
  const ranking = settings.loss && settings.loss.loss !== 'bce' ? settings.loss : undefined;
  const total = groups.reduce((sum, g) => sum + g.labels.length, 0);
  const sides: TapeSide[] = groups.map((g) => ({ model, store, entities: g.entities, relations: g.relations, candidates: { scorer, set: g.candidates } }));
  const loss = runTape(sides, [], (views) => {
    // Σ softplus(s) − y·s over every group, divided by the total count (or a ranking loss of the one group);
    // the regulariser on the positive queries' rows. Weighted queries: Σ w·ℓ / Σ w of the one group (unweighted regulariser).
    const bce = (): tf.Tensor => tf.div(tf.addN(views.map((v, i) => binaryCrossEntropyWithLogitsSum(v.scores!, tf.tensor2d(groups[i]!.labels, v.scores!.shape)))), total);
    const data = batch.weights ? weightedSampledLoss(settings.loss ?? BCE_LOSS, views[0]!.scores!, batch.weights) : bySampledLoss(ranking?.loss ?? 'bce', {
      nssa: () => selfAdversarialLoss(views[0]!.scores!, ranking!.margin, ranking!.adversarialTemperature),
      margin: () => marginRankingLoss(views[0]!.scores!, ranking!.margin),
      bce,
    });
    return tf.add(data, rowRegularizer(settings.regularizer, settings.regularizerWeight, views[0]!.regularizedRows, B)) as tf.Scalar;
  });
  return loss + regularizeGoldAnswers(model, store, batch.answers, settings, B);
}
