/**
 * A KGE student learning from frozen reference models over each query's sampled candidates — the objective of the
 * KG ports of FedNTD (the reference is the round's global model) and CBD (the references are the stage-1
 * teachers). For a batch of queries (e, r) with answers a, the candidates are [a, n₁ … n_N] (N uniform negatives,
 * the core's draws) and the candidate entities play the classes:
 * - base loss: the core's binary cross-entropy over the B·(1 + N) scores (mean of softplus(s) − y·s);
 * - `not-true` (FedNTD, Lee et al. 2022, §4 Eq. 4): τ²·KL(q̃ᵍ ‖ q̃ˡ) between the reference's and the student's
 *   softmax over the N negatives only — the gold answer is the true class and is removed (`notTrueKl`);
 * - `temperature-kd` (Hinton et al. 2015): T²·KL over all 1 + N candidates (`temperatureKdLoss`) against the mean
 *   of the references' scores — the CBD port's choice: CBD itself (Iscen et al. 2021 §3, the authors' train.py)
 *   distils the teachers' features by cosine distance, which a KGE query has no counterpart of here.
 * The distillation term is divided by 1 + N, which puts it on the scale of the base loss (a mean over all B·(1 + N)
 * scores) as in the DML port, and mixed as FedNTD does, base + w·distill (Eq. 5, w = β), or as CBD does,
 * (1 − w)·base + w·distill (w = α). Without references or with w = 0 the step is the core's own negative-sampling
 * step (fused kernels where available): the plain FedE / instance- or balanced-sampled baselines.
 */
import * as tf from '@tensorflow/tfjs-core';
import { drawGoldFirst } from '../../core/negative-sampler.js';
import { temperatureKdLoss } from '../../core/distillation-loss.js';
import { binaryCrossEntropyWithLogits, goldFirstLabels } from '../../core/losses.js';
import type { QueryBatch } from '../../core/batch.js';
import { kgeObjective } from '../../core/kge-objective.js';
import { runTape } from '../../core/tape.js';
import type { CandidateScorer, CandidateSet } from '../../core/candidate-scoring.js';
import type { ModelRuntime } from '../../core/model-runtime.js';
import type { SeededRandom } from '../../core/random.js';
import type { ScoringPathUsed, TrainingObjective } from '../../core/training-objective.js';
import { gatherQueryRows, rowsByName } from '../../core/query-rows.js';
import { notTrueKl } from '../losses/not-true.js';
import { stopGradient } from '../../core/stop-gradient.js';

/** Which distillation term compares the student with its references. */
export type CandidateDistillation = 'not-true' | 'temperature-kd';

/** Settings of the objective. */
export interface CandidateDistillSettings {
  negatives: number;
  distillation: CandidateDistillation;
  /** β (FedNTD) or α (CBD). */
  weight: number;
  temperature: number;
  /** `additive`: base + w·distill (FedNTD); `convex`: (1 − w)·base + w·distill (CBD). */
  mixing: 'additive' | 'convex';
}

/** Loss terms accumulated over batches, for logs and tests. */
export interface DistillTerms { base: number; distill: number; batches: number }

interface Scored { runtime: ModelRuntime; scorer: CandidateScorer }

/** The distillation term of student scores [B, 1 + N] (gold first) against reference scores, divided by 1 + N. */
export function candidateDistillTerm(kind: CandidateDistillation, student: tf.Tensor2D, reference: tf.Tensor2D, temperature: number): tf.Scalar {
  return tf.tidy(() => {
    const [B, M] = student.shape;
    const term = kind === 'not-true'
      ? notTrueKl(student, reference, new Int32Array(B), temperature)
      : temperatureKdLoss(student, stopGradient(reference), temperature);
    return tf.div(term, M) as tf.Scalar;
  });
}

/** KGE loss plus distillation from frozen references over sampled candidates. */
export class CandidateDistillObjective implements TrainingObjective {
  readonly scoringPath: ScoringPathUsed;
  readonly terms: DistillTerms = { base: 0, distill: 0, batches: 0 };
  private readonly student: Scored;
  private readonly references: Scored[];
  /** The student's plain KGE objective (the baselines, and the step when not distilling). */
  private readonly plain: TrainingObjective;

  constructor(student: ModelRuntime, references: readonly ModelRuntime[], private readonly settings: CandidateDistillSettings, backend: string) {
    if (!(Number.isInteger(settings.negatives) && settings.negatives >= 1)) throw new Error(`at least one negative per query is needed (got ${settings.negatives})`);
    if (!(settings.temperature > 0)) throw new Error(`temperature must be positive (got ${settings.temperature})`);
    if (!(settings.weight >= 0) || (settings.mixing === 'convex' && settings.weight > 1)) throw new Error(`weight must be ≥ 0 (≤ 1 when mixed convexly; got ${settings.weight})`);
    for (const ref of references) {
      if (ref.model.config.numEntities !== student.model.config.numEntities) throw new Error('the references must be built for the same entities as the student');
    }
    this.student = { runtime: student, scorer: student.candidateScorer('auto', backend) };
    this.references = references.map((runtime) => ({ runtime, scorer: runtime.candidateScorer('auto', backend) }));
    this.plain = kgeObjective(student, { negatives: settings.negatives, doubleNegatives: false, regularizer: 'none', regularizerWeight: 0, path: 'auto' }, backend);
    this.scoringPath = this.distilling ? this.student.scorer.path : this.plain.scoringPath;
  }

  /** Whether the distillation term is active (references given and a positive weight). */
  get distilling(): boolean {
    return this.references.length > 0 && this.settings.weight > 0;
  }

  /** One batch: the base loss (and the distillation term), gradients into the student's tables. */
  gradients(batch: QueryBatch, epoch: number, rng: SeededRandom): number {
    const { runtime, scorer } = this.student;
    if (!this.distilling) {
      const loss = this.plain.gradients(batch, epoch, rng);
      this.terms.base += loss;
      this.terms.batches++;
      return loss;
    }
    const B = batch.entities.length;
    const M = 1 + this.settings.negatives;
    const candidates: CandidateSet = { ids: drawGoldFirst(batch.answers, this.settings.negatives, runtime.model.config.numEntities, rng), perQuery: M };
    const { weight, mixing } = this.settings;
    const baseWeight = mixing === 'convex' ? 1 - weight : 1;
    let values = [0, 0];
    tf.tidy(() => {
      const reference = this.referenceScores(batch, candidates);
      runTape([{ model: runtime.model, store: runtime.store, entities: batch.entities, relations: batch.relations, candidates: { scorer, set: candidates } }], [], ([view]) => {
        const baseLoss = binaryCrossEntropyWithLogits(view!.scores!, goldFirstLabels(B, M));
        const distillLoss = candidateDistillTerm(this.settings.distillation, view!.scores!, reference, this.settings.temperature);
        values = [baseLoss.dataSync()[0]!, distillLoss.dataSync()[0]!];
        return tf.add(tf.mul(baseWeight, baseLoss), tf.mul(weight, distillLoss)) as tf.Scalar;
      });
    });
    const [base, distill] = values;
    this.terms.base += base!;
    this.terms.distill += distill!;
    this.terms.batches++;
    return baseWeight * base! + weight * distill!;
  }

  /** The references' mean scores of the candidates [B, 1 + N] (no gradients). */
  private referenceScores(batch: QueryBatch, candidates: CandidateSet): tf.Tensor2D {
    return tf.tidy(() => {
      const B = batch.entities.length;
      const scores = this.references.map(({ runtime, scorer }) => {
        const gathered = gatherQueryRows(runtime.model, runtime.store, batch.entities, batch.relations);
        return scorer.score(runtime.model.query(rowsByName(gathered.names, gathered.tensors)), candidates, scorer.inputs(candidates, B));
      });
      return (scores.length === 1 ? scores[0]! : tf.div(tf.addN(scores), scores.length)) as tf.Tensor2D;
    });
  }
}
