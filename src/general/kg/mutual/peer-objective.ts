/**
 * DML and DoGo ported to knowledge-graph embeddings: two KGE students of the core trained together, as a training
 * objective on student A (the core's Trainer owns batching, A's optimiser, validation and checkpoints) that also
 * computes student B's gradients and steps B's own TableOptimizer in `afterStep`. Without a peer it trains the
 * same base loss alone: the single-student baseline, so a comparison isolates the mutual term.
 *
 * For a batch of queries (e, r) with answers a, both students score the same candidates:
 * - `dml` (Zhang et al. 2018): candidates [a, n₁ … n_N] with N uniform negatives; base loss the core's binary
 *   cross-entropy over them; mutual term λ·T²·KL(softmax(s_peer/T) ‖ softmax(s_self/T)) / (1 + N) over the 1 + N
 *   candidates — the candidate entities play the classes. The division by 1 + N puts the KL on the scale of the
 *   base loss, a mean over all B·(1 + N) scores, so that λ = 1 weighs the two terms per query equally, as DML does.
 * - `dogo` (Bhat et al. 2021): candidates = the batch's answers (in-batch negatives); base loss the contrastive
 *   cross-entropy of each query against its own answer among them (SimCLR's NT-Xent, query → answer); mutual
 *   term λ·T²·KL between the two students' softmaxed rows of the B × B query–answer similarity matrix.
 * The peer's scores are targets (stop-gradient), so one tape gives each student its own gradient.
 */
import { drawGoldFirst } from '../../../core/negative-sampler.js';
import * as tf from '@tensorflow/tfjs-core';
import type { ModelRuntime } from '../../../core/model-runtime.js';
import type { TrainingObjective, ScoringPathUsed } from '../../../core/training-objective.js';
import type { QueryBatch } from '../../../core/batch.js';
import type { CandidateScorer, CandidateSet } from '../../../core/candidate-scoring.js';
import type { SeededRandom } from '../../../core/random.js';
import { runTape, type TapeSide } from '../../../core/tape.js';
import { allEntityBinaryCrossEntropy } from '../../../core/losses.js';
import { TableOptimizer, type OptimizerName } from '../../../core/optimizers.js';
import { temperatureKdLoss } from '../../../core/distillation-loss.js';
import { stopGradient } from '../../../core/stop-gradient.js';
import { crossEntropy } from '../../losses/classification.js';

/** The two ports. */
export type PeerMode = 'dml' | 'dogo';

/** Settings of the peer objective. */
export interface PeerSettings {
  mode: PeerMode;
  /** Uniform negatives per query (`dml`; `dogo` uses the batch's answers). */
  negatives: number;
  /** λ, the weight of the mutual term. */
  weight: number;
  temperature: number;
  /** The peer's optimiser (the same as the Trainer's for A). */
  optimizer: OptimizerName;
  learningRate: number;
}

/** Loss terms accumulated over batches, for logs. */
export interface PeerTerms { baseA: number; baseB: number; mutualA: number; batches: number }

interface Student { runtime: ModelRuntime; scorer: CandidateScorer }

/**
 * The candidates of a batch for a mode, and the column of each query's gold answer among them (`gold`, [B]):
 * column 0 for `dml` (gold first), column b for query b in `dogo` (the diagonal of the B × B answers).
 */
export function peerCandidates(batch: QueryBatch, mode: PeerMode, negatives: number, numEntities: number, rng: SeededRandom): { candidates: CandidateSet; gold: Int32Array } {
  const B = batch.entities.length;
  if (mode === 'dogo') {
    const ids = new Int32Array(B * B);
    const gold = new Int32Array(B);
    for (let b = 0; b < B; b++) {
      ids.set(batch.answers, b * B);
      gold[b] = b;
    }
    return { candidates: { ids, perQuery: B }, gold };
  }
  const ids = drawGoldFirst(batch.answers, negatives, numEntities, rng);
  return { candidates: { ids, perQuery: 1 + negatives }, gold: new Int32Array(B) };
}

/**
 * The base loss of one student's scores [B, M] with gold columns `gold` [B]: the core's BCE with logits against
 * the one-hot labels (`dml`) or the hard-label softmax cross-entropy (`dogo`, the general `crossEntropy`, i.e. the
 * core's `softmaxCrossEntropy`: the same value as the former one-hot log-softmax form, gradients within a few float32
 * ulps).
 */
export function peerBaseLoss(mode: PeerMode, scores: tf.Tensor2D, gold: Int32Array): tf.Scalar {
  if (mode === 'dogo') return crossEntropy(scores, gold);
  return allEntityBinaryCrossEntropy(scores, gold); // BCE against one-hot labels, gold column 0
}

/** Two KGE students trained together (or one alone, without a peer). */
export class PeerKgeObjective implements TrainingObjective {
  readonly scoringPath: ScoringPathUsed;
  readonly terms: PeerTerms = { baseA: 0, baseB: 0, mutualA: 0, batches: 0 };
  private readonly a: Student;
  private readonly b?: Student;
  private readonly peerOptimizer?: TableOptimizer;

  constructor(a: ModelRuntime, peer: ModelRuntime | undefined, private readonly settings: PeerSettings, backend: string) {
    if (settings.mode === 'dml' && !(Number.isInteger(settings.negatives) && settings.negatives >= 1)) throw new Error(`dml needs at least one negative per query (got ${settings.negatives})`);
    if (!(settings.temperature > 0)) throw new Error(`temperature must be positive (got ${settings.temperature})`);
    if (peer && peer.model.config.numEntities !== a.model.config.numEntities) throw new Error('the two students must be built for the same entities');
    this.a = { runtime: a, scorer: a.candidateScorer('auto', backend) };
    this.scoringPath = this.a.scorer.path;
    if (peer) {
      this.b = { runtime: peer, scorer: peer.candidateScorer('auto', backend) };
      this.peerOptimizer = new TableOptimizer(settings.optimizer, settings.learningRate, peer.store, peer.kernels);
    }
  }

  /** One batch: both students' scores on shared candidates, base losses and mutual terms; gradients into both. */
  gradients(batch: QueryBatch, _epoch: number, rng: SeededRandom): number {
    const { candidates, gold } = peerCandidates(batch, this.settings.mode, this.settings.negatives, this.a.runtime.model.config.numEntities, rng);
    const M = candidates.perQuery;
    const students = this.b ? [this.a, this.b] : [this.a];
    const sides: TapeSide[] = students.map((s) => ({ model: s.runtime.model, store: s.runtime.store, entities: batch.entities, relations: batch.relations, candidates: { scorer: s.scorer, set: candidates } }));
    let values: number[] = [];
    runTape(sides, [], (views) => {
      const scores = views.map((v) => v.scores!);
      const base = scores.map((s) => peerBaseLoss(this.settings.mode, s, gold));
      const scale = this.settings.mode === 'dml' ? 1 / M : 1;
      const kl = (self: tf.Tensor2D, peer: tf.Tensor2D): tf.Scalar => tf.mul(scale, temperatureKdLoss(self, stopGradient(peer), this.settings.temperature)) as tf.Scalar;
      const mutual = scores.length === 2 && this.settings.weight > 0 ? [kl(scores[0]!, scores[1]!), kl(scores[1]!, scores[0]!)] : [];
      values = [...base, ...mutual].map((t) => t.dataSync()[0]!);
      return tf.addN([...base, ...mutual.map((m) => tf.mul(this.settings.weight, m) as tf.Scalar)]) as tf.Scalar;
    });
    const baseA = values[0]!;
    const mutualA = this.b && this.settings.weight > 0 ? values[2]! : 0;
    this.terms.baseA += baseA;
    this.terms.baseB += this.b ? values[1]! : 0;
    this.terms.mutualA += mutualA;
    this.terms.batches++;
    return baseA + this.settings.weight * mutualA;
  }

  /** Student B's optimiser step, after A's. */
  afterStep(): void {
    this.peerOptimizer?.step();
  }

  /** Student B's parameters and optimiser state, checkpointed beside A's. */
  checkpointArrays(): Record<string, Float32Array> {
    if (!this.b || !this.peerOptimizer) return {};
    const arrays: Record<string, Float32Array> = {};
    for (const [name, values] of Object.entries(this.b.runtime.parameterArrays())) arrays[`peer:${name}`] = values;
    const state = this.peerOptimizer.state();
    for (const [name, values] of Object.entries(state.slots)) arrays[`peer-opt:${name}`] = values;
    arrays['peer-opt-step'] = Float32Array.of(state.step);
    return arrays;
  }

  /** Restores student B from a checkpoint. */
  restoreArrays(arrays: Record<string, Float32Array>, source: string): void {
    if (!this.b || !this.peerOptimizer) return;
    const params: Record<string, Float32Array> = {};
    const slots: Record<string, Float32Array> = {};
    for (const [name, values] of Object.entries(arrays)) {
      if (name.startsWith('peer:')) params[name.slice('peer:'.length)] = values;
      else if (name.startsWith('peer-opt:')) slots[name.slice('peer-opt:'.length)] = values;
    }
    this.b.runtime.loadParameterArrays(params, `${source} (peer)`);
    this.peerOptimizer.restore({ name: this.settings.optimizer, step: arrays['peer-opt-step']?.[0] ?? 0, slots });
  }
}
