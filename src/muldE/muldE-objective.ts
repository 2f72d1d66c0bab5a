/**
 * MulDE's training objective (Wang et al., WWW 2021, §3; as in the authors' `source/Trainer.py`), one batch:
 * 1. Junior hard loss: binary cross-entropy with logits over [gold + `negatives` uniform entities] (the core's
 *    negative-sampling step).
 * 2. The Junior scores all entities (no gradient) and keeps its top-K per query; the gold answer is not inserted,
 *    its label is 1 only if it is among the K.
 * 3. The frozen teachers score exactly those K candidates.
 * 4. The Senior turns them into soft labels s_T (relation-specific scaling, contrastive attention), and is trained
 *    by binary cross-entropy of s_T against the top-K labels (L_Senior).
 * 5. The Junior re-scores the K candidates with gradient, s_J, and learns from L_KD = T²·KL(softmax(s_T/T) ‖
 *    softmax(s_J/T)).
 * Total: L_Junior + L_Senior + λ·L_KD. The Senior's table g has its own Adam optimiser and is checkpointed.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelRuntime } from '../core/model-runtime.js';
import type { TrainingObjective, ScoringPathUsed } from '../core/training-objective.js';
import type { QueryBatch } from '../core/negative-sampling-step.js';
import { negativeSamplingGradients } from '../core/negative-sampling-step.js';
import type { CandidateScorer } from '../core/candidate-scoring.js';
import { gatherQueryRows, rowsByName, scatterQueryGradients } from '../core/query-rows.js';
import { ParameterStore } from '../core/parameter-store.js';
import { TableOptimizer } from '../core/optimizers.js';
import { binaryCrossEntropyWithLogits } from '../core/losses.js';
import { temperatureKdLoss } from '../core/distillation-loss.js';
import { SeededRandom } from '../core/random.js';
import { seniorSoftLabels, type SeniorMechanisms } from './senior.js';
import { topKPerRow } from './top-k.js';
import { CandidateCache } from './candidate-cache.js';
import type { TeacherEnsemble } from './teacher-ensemble.js';

/** Settings of the MulDE objective (defaults from the authors' code in the CLI). */
export interface MuldeSettings {
  topK: number;
  negatives: number;
  /** λ, the weight of L_KD (0.01 on WN18RR, 0.5 on FB15k-237 in the authors' runs). */
  kdWeight: number;
  temperature: number;
  seniorLearningRate: number;
  mechanisms: SeniorMechanisms;
  /** Recompute a query's candidates when they are this many epochs old (0: every iteration, no cache). */
  refreshEvery?: number;
  /** Number of training queries (needed by the cache, i.e. when refreshEvery > 0). */
  numTrainingQueries?: number;
}

/** Loss terms of the last batches, for logs. */
export interface MuldeLossTerms { junior: number; senior: number; kd: number; batches: number }

/** The Junior/Senior objective over a Junior runtime and frozen teachers. */
export class MuldeObjective implements TrainingObjective {
  readonly scoringPath: ScoringPathUsed;
  private readonly scorer: CandidateScorer;
  private readonly senior: ParameterStore;
  private readonly seniorOptimizer: TableOptimizer;
  readonly terms: MuldeLossTerms = { junior: 0, senior: 0, kd: 0, batches: 0 };
  private readonly cache?: CandidateCache;

  constructor(private readonly junior: ModelRuntime, private readonly teachers: TeacherEnsemble, private readonly settings: MuldeSettings, backend: string) {
    const { numEntities, numRelations } = junior.model.config;
    if (!Number.isInteger(settings.topK) || settings.topK < 1 || settings.topK > numEntities) {
      throw new Error(`--top-k must be between 1 and the number of entities (${numEntities}); got ${settings.topK}`);
    }
    this.scorer = junior.candidateScorer('auto', backend);
    this.scoringPath = this.scorer.path;
    this.senior = new ParameterStore(
      [{ name: 'gate', indexedBy: 'relation', dim: teachers.size, init: { kind: 'constant', value: 1 }, regularize: false }],
      numEntities, numRelations, junior.kernels.memory);
    this.senior.initialise(new SeededRandom(0)); // constant init: the stream is not used
    this.seniorOptimizer = new TableOptimizer('adam', settings.seniorLearningRate, this.senior, junior.kernels);
    const refreshEvery = settings.refreshEvery ?? 0;
    if (refreshEvery > 0) {
      if (!settings.numTrainingQueries) throw new Error('MulDE: the candidate cache (refreshEvery > 0) needs the number of training queries');
      this.cache = new CandidateCache(settings.numTrainingQueries, settings.topK, teachers.size, refreshEvery);
    }
  }

  /** One batch: hard loss, top-K, teachers, Senior, KD; gradients into the Junior's and the Senior's tables. */
  gradients(batch: QueryBatch, epoch: number, rng: SeededRandom): number {
    const { model, store } = this.junior;
    const juniorLoss = negativeSamplingGradients(model, store, this.scorer, batch,
      { negatives: this.settings.negatives, doubleNegatives: false, regularizer: 'none', regularizerWeight: 0 }, rng);
    const B = batch.entities.length;
    const K = this.settings.topK;
    const picked = this.candidatesFor(batch, epoch);
    const candidates = { ids: picked.ids, perQuery: K };
    const teacherScores = picked.teacherScores;
    const labels = new Float32Array(B * K);
    for (let b = 0; b < B; b++) for (let j = 0; j < K; j++) labels[b * K + j] = candidates.ids[b * K + j] === batch.answers[b] ? 1 : 0;
    const gate = this.senior.table('gate');
    const [seniorLoss, kdLoss] = tf.tidy(() => {
      const gathered = gatherQueryRows(model, store, batch.entities, batch.relations);
      const gateRows = tf.tensor2d(gate.gather(batch.relations), [B, gate.dim]);
      const teachers = teacherScores.map((s) => tf.tensor2d(s, [B, K]));
      const labelTensor = tf.tensor2d(labels, [B, K]);
      const inputs = [...gathered.tensors, gateRows];
      let termValues: [number, number] = [0, 0];
      const f = (...xs: tf.Tensor[]): tf.Scalar => {
        const out = model.query(rowsByName(gathered.names, xs.slice(0, gathered.tensors.length)));
        const juniorScores = this.scorer.score(out, candidates, this.scorer.inputs(candidates, B));
        const { softLabels } = seniorSoftLabels(teachers, xs[xs.length - 1] as tf.Tensor2D, juniorScores, epoch, this.settings.mechanisms);
        const senior = binaryCrossEntropyWithLogits(softLabels, labelTensor);
        const kd = temperatureKdLoss(juniorScores, softLabels, this.settings.temperature);
        termValues = [senior.dataSync()[0]!, kd.dataSync()[0]!];
        return tf.add(senior, tf.mul(this.settings.kdWeight, kd)) as tf.Scalar;
      };
      const { grads } = tf.valueAndGrads(f)(inputs);
      scatterQueryGradients(store, gathered, grads.slice(0, gathered.tensors.length));
      gate.scatterAddGrad(batch.relations, grads[grads.length - 1]!.dataSync() as Float32Array);
      return termValues;
    });
    this.terms.junior += juniorLoss;
    this.terms.senior += seniorLoss;
    this.terms.kd += kdLoss;
    this.terms.batches++;
    return juniorLoss + seniorLoss + this.settings.kdWeight * kdLoss;
  }

  /** The Senior's optimiser step, after the Junior's. */
  afterStep(): void {
    this.seniorOptimizer.step();
  }

  /** The Senior's gate table and optimiser state. */
  checkpointArrays(): Record<string, Float32Array> {
    const state = this.seniorOptimizer.state();
    const arrays: Record<string, Float32Array> = { 'senior:gate': this.senior.table('gate').data.array };
    for (const [name, values] of Object.entries(state.slots)) arrays[`senior-opt:${name}`] = values;
    arrays['senior-opt-step'] = Float32Array.of(state.step);
    return arrays;
  }

  /** Restores the Senior from a checkpoint. */
  restoreArrays(arrays: Record<string, Float32Array>, source: string): void {
    const gate = arrays['senior:gate'];
    if (!gate || gate.length !== this.senior.table('gate').data.length) throw new Error(`${source}: the Senior's gate table is missing or was trained with another number of teachers`);
    this.senior.table('gate').data.array.set(gate);
    const slots: Record<string, Float32Array> = {};
    for (const [name, values] of Object.entries(arrays)) if (name.startsWith('senior-opt:')) slots[name.slice('senior-opt:'.length)] = values;
    this.seniorOptimizer.restore({ name: 'adam', step: arrays['senior-opt-step']?.[0] ?? 0, slots });
  }

  /** The Senior's scaling gates σ(g) per relation row, for inspection. */
  gates(): Float32Array {
    return this.senior.table('gate').data.array.map((g) => 1 / (1 + Math.exp(-g)));
  }

  /** The top-K candidates and the teachers' scores on them: fresh, or from the cache where still recent enough. */
  private candidatesFor(batch: QueryBatch, epoch: number): { ids: Int32Array; teacherScores: Float32Array[] } {
    const K = this.settings.topK;
    if (!this.cache || !batch.indices) {
      const ids = this.juniorTopK(batch, K);
      return { ids, teacherScores: this.teachers.score(batch.entities, batch.relations, { ids, perQuery: K }) };
    }
    const stale = this.cache.stale(batch.indices, epoch);
    if (stale.length > 0) {
      const sub: QueryBatch = {
        entities: Int32Array.from(stale, (i) => batch.entities[i]!),
        relations: Int32Array.from(stale, (i) => batch.relations[i]!),
        answers: Int32Array.from(stale, (i) => batch.answers[i]!),
      };
      const ids = this.juniorTopK(sub, K);
      const scores = this.teachers.score(sub.entities, sub.relations, { ids, perQuery: K });
      this.cache.store(stale.map((i) => batch.indices![i]!), ids, scores, epoch);
    }
    return this.cache.read(batch.indices);
  }

  /** The Junior's K best entities for each query of the batch (no gradient). */
  private juniorTopK(batch: QueryBatch, K: number): Int32Array {
    const scorer = this.junior.entityScorer();
    try {
      const scores = scorer.scoreAllSync(batch.entities, batch.relations);
      const out = new Int32Array(batch.entities.length * K);
      topKPerRow(scores, batch.entities.length, scorer.numEntities, K, out);
      return out;
    } finally {
      scorer.dispose();
    }
  }
}
