/**
 * MulDE's training objective (Wang et al., WWW 2021, §3; as in the authors' `source/Trainer.py`), one batch:
 * 1. Junior hard loss over [gold + `negatives` uniform entities]: the sampled loss `settings.loss` names (default
 *    binary cross-entropy with logits, which the authors' code uses whatever the student; `distill --loss auto` gives
 *    the student's own, as `train`: self-adversarial for RotatE, …); the core's negative-sampling step, fused in
 *    kernels when the Junior has a query program.
 * 2. The Junior scores all entities (no gradient) and keeps its top-K per query; the gold answer is not inserted,
 *    its label is 1 only if it is among the K.
 * 3. The frozen teachers score exactly those K candidates.
 * 4. The Senior turns them into soft labels s_T (relation-specific scaling, contrastive attention), and is trained
 *    by binary cross-entropy of s_T against the top-K labels (L_Senior).
 * 5. The Junior re-scores the K candidates with gradient, s_J, and learns from L_KD = T²·KL(softmax(s_T/T) ‖
 *    softmax(s_J/T)).
 * Total: L_Junior + L_Senior + λ·L_KD. The Senior's table g has its own Adam optimiser and is checkpointed.
 * Steps 4–5 run in one of two ways, chosen like the core's scoring path: fused (the Junior's K scores and their
 * backward in kernels, the Senior and L_KD per query by the seniorKd kernel with hand-derived gradients, whose
 * float64 reference is test/muldE/senior-kd-head.ts), or in tfjs autodiff (senior.ts, the reference and the path of native
 * backends).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelRuntime } from '../core/model-runtime.js';
import type { TrainingObjective, ScoringPathUsed } from '../core/training-objective.js';
import type { QueryBatch } from '../core/batch.js';
import { kgeObjective } from '../core/kge-objective.js';
import type { CandidateScorer, CandidateSet } from '../core/candidate-scoring.js';
import { fusedCandidateGradients, fusedStepSupports } from '../core/fused-negative-step.js';
import { runTape, type TapeInput } from '../core/tape.js';
import { ParameterStore } from '../core/parameter-store.js';
import { TableOptimizer } from '../core/optimizers.js';
import { BCE_LOSS, binaryCrossEntropyWithLogits, type SampledLoss } from '../core/losses.js';
import { temperatureKdLoss } from '../core/distillation-loss.js';
import { SeededRandom } from '../core/random.js';
import { attentionTemperature, seniorSoftLabels, type SeniorMechanisms } from './senior.js';
import { ScratchBlocks, subF32 } from '../kernels/kernel-memory.js';
import { seniorKdKernels, seniorKdScratchLength } from './senior-kd-kernels.js';
import { arraysWithPrefix } from '../core/checkpoint.js';
import { CandidateCache } from './candidate-cache.js';
import type { TeacherEnsemble } from './teacher-ensemble.js';
import { TOP_K_REFRESH_QUERIES } from '../core/step-memory.js';

/** Copies of named arrays (parameterArrays() returns views into the live tables). */
function copyArrays(arrays: Record<string, Float32Array>): Record<string, Float32Array> {
  return Object.fromEntries(Object.entries(arrays).map(([name, values]) => [name, values.slice()]));
}

/** The Junior's parameters (named as parameterArrays() names them) at the candidate refresh of `epoch`. */
interface JuniorSnapshot {
  epoch: number;
  params: Record<string, Float32Array>;
}

/** Queries per top-K call of a bulk refresh (its home is core/step-memory.ts, which sizes a refresh's memory by it). */
const REFRESH_CHUNK = TOP_K_REFRESH_QUERIES;

/** Settings of the MulDE objective (defaults from the authors' code in the CLI). */
export interface MuldeSettings {
  topK: number;
  negatives: number;
  /** The Junior's hard-loss negatives corrupt head and tail together (Chami et al. 2020's --double_neg); MulDE's code: tail only. */
  doubleNegatives?: boolean;
  /** The Junior's hard loss on its sampled candidates (default binary cross-entropy, MulDE's). */
  loss?: SampledLoss;
  /** λ, the weight of L_KD (0.01 on WN18RR, 0.5 on FB15k-237 in the authors' runs). */
  kdWeight: number;
  temperature: number;
  seniorLearningRate: number;
  mechanisms: SeniorMechanisms;
  /** Scoring path of the Junior's K candidates (default 'auto': fused when the Junior has a kernel program). */
  path?: 'auto' | 'fused' | 'tfjs';
  /** Recompute a query's candidates when they are this many epochs old (0: every iteration, no cache). */
  refreshEvery?: number;
  /** The run's training queries, in the trainer's order (needed by the cache, i.e. when refreshEvery > 0). */
  trainingQueries?: QueryBatch;
}

/** The checkpoint array that records the Junior's hard loss: [loss code (LOSS_CODES), margin γ, temperature α]. */
const JUNIOR_LOSS_ARRAY = 'junior-loss';
const LOSS_CODES: readonly SampledLoss['loss'][] = ['bce', 'nssa', 'margin'];

/** The Junior's hard loss as its checkpoint array. */
function juniorLossArray(loss: SampledLoss): Float32Array {
  return Float32Array.of(LOSS_CODES.indexOf(loss.loss), loss.margin, loss.adversarialTemperature);
}

/** The hard loss a checkpoint array records; throws naming `source` when it is not one. */
function juniorLossOf(array: Float32Array, source: string): SampledLoss {
  const name = LOSS_CODES[array[0] ?? -1];
  if (array.length !== 3 || name === undefined || !(array[1]! >= 0) || !(array[2]! >= 0)) {
    throw new Error(`${source}: the array ${JUNIOR_LOSS_ARRAY} does not record a Junior loss (got ${Array.from(array).join(', ')})`);
  }
  return { loss: name, margin: array[1]!, adversarialTemperature: array[2]! };
}

/**
 * The Junior's hard loss a MulDE checkpoint's objective arrays record; BCE for a checkpoint from before it was
 * recorded (its Junior trained with BCE whatever the student: its header's loss is the student's own, unused).
 */
export function recordedJuniorLoss(arrays: Readonly<Record<string, Float32Array>>, source: string): SampledLoss {
  const recorded = arrays[JUNIOR_LOSS_ARRAY];
  return recorded === undefined ? BCE_LOSS : juniorLossOf(recorded, source);
}

/** "nssa (γ = 3, α = 1)". */
function describeLoss(loss: SampledLoss): string {
  return loss.loss === 'bce' ? 'bce' : `${loss.loss} (γ = ${loss.margin}${loss.loss === 'nssa' ? `, α = ${loss.adversarialTemperature}` : ''})`;
}

/** Whether two losses are the same to float32 (a checkpoint keeps γ and α as float32). */
function sameLoss(a: SampledLoss, b: SampledLoss): boolean {
  return a.loss === b.loss && Math.fround(a.margin) === Math.fround(b.margin) && Math.fround(a.adversarialTemperature) === Math.fround(b.adversarialTemperature);
}

/** Loss terms of the last batches, for logs. */
export interface MuldeLossTerms { junior: number; senior: number; kd: number; batches: number }

/** The Junior/Senior objective over a Junior runtime and frozen teachers. */
export class MuldeObjective implements TrainingObjective {
  readonly scoringPath: ScoringPathUsed;
  private readonly scorer: CandidateScorer;
  /** The Junior's hard loss: the core's KGE objective (fused in kernels where the Junior has a program). */
  private readonly hardLoss: TrainingObjective;
  /** The loss `hardLoss` computes. */
  private readonly juniorLoss: SampledLoss;
  private readonly senior: ParameterStore;
  private readonly seniorOptimizer: TableOptimizer;
  readonly terms: MuldeLossTerms = { junior: 0, senior: 0, kd: 0, batches: 0 };
  private readonly cache?: CandidateCache;
  private readonly fusedKd: boolean;
  private readonly scratch: ScratchBlocks;
  /** Bulk refreshes of the candidate cache so far (for logs and tests). */
  refreshes = 0;
  /** The Junior's parameters at the cache's last refresh, and its epoch: checkpointed, so that a resumed run rebuilds the same cache. */
  private refreshSnapshot?: JuniorSnapshot;
  /** A snapshot read from a checkpoint, used once to rebuild the cache when the run resumes between two refreshes. */
  private restoredSnapshot?: JuniorSnapshot;

  constructor(private readonly junior: ModelRuntime, private readonly teachers: TeacherEnsemble, private readonly settings: MuldeSettings, backend: string) {
    const { numEntities, numRelations } = junior.model.config;
    if (!Number.isInteger(settings.topK) || settings.topK < 1 || settings.topK > numEntities) {
      throw new Error(`--top-k must be between 1 and the number of entities (${numEntities}); got ${settings.topK}`);
    }
    this.scorer = junior.candidateScorer(settings.path ?? 'auto', backend);
    this.juniorLoss = settings.loss ?? BCE_LOSS;
    this.hardLoss = kgeObjective(junior, { negatives: settings.negatives, doubleNegatives: settings.doubleNegatives ?? false, loss: this.juniorLoss,
      regularizer: 'none', regularizerWeight: 0, path: settings.path ?? 'auto' }, backend); // no regulariser: MulDE's Junior has none
    this.scoringPath = this.scorer.path;
    this.senior = new ParameterStore(
      [{ name: 'gate', indexedBy: 'relation', dim: teachers.size, init: { kind: 'constant', value: 1 }, regularize: false }],
      numEntities, numRelations, junior.kernels.memory);
    this.senior.initialise(new SeededRandom(0)); // constant init: the stream is not used
    this.seniorOptimizer = new TableOptimizer('adam', settings.seniorLearningRate, this.senior, junior.kernels);
    const refreshEvery = settings.refreshEvery ?? 0;
    if (refreshEvery > 0) {
      if (!settings.trainingQueries) throw new Error('MulDE: the candidate cache (refreshEvery > 0) needs the training queries');
      this.cache = new CandidateCache(settings.trainingQueries, settings.topK, teachers.size, refreshEvery);
    }
    this.fusedKd = this.scorer.path === 'fused' && fusedStepSupports(junior.model, junior.store);
    this.scratch = new ScratchBlocks(junior.kernels.memory);
  }

  /** One batch: hard loss, top-K, teachers, Senior, KD; gradients into the Junior's and the Senior's tables. */
  gradients(batch: QueryBatch, epoch: number, rng: SeededRandom): number {
    const juniorLoss = this.hardLoss.gradients(batch, epoch, rng);
    const B = batch.entities.length;
    const K = this.settings.topK;
    const picked = this.candidatesFor(batch, epoch);
    const candidates = { ids: picked.ids, perQuery: K };
    const teacherScores = picked.teacherScores;
    const labels = new Float32Array(B * K);
    for (let b = 0; b < B; b++) for (let j = 0; j < K; j++) labels[b * K + j] = candidates.ids[b * K + j] === batch.answers[b] ? 1 : 0;
    const [seniorLoss, kdLoss] = this.fusedKd
      ? this.fusedSeniorKd(batch, candidates, teacherScores, labels, epoch)
      : this.tfjsSeniorKd(batch, candidates, teacherScores, labels, epoch);
    this.terms.junior += juniorLoss;
    this.terms.senior += seniorLoss;
    this.terms.kd += kdLoss;
    this.terms.batches++;
    return juniorLoss + seniorLoss + this.settings.kdWeight * kdLoss;
  }

  /** The mean Junior, Senior and KD (before λ) losses of the batches since the last call; the loss is junior + senior + λ·kd. */
  takeLossTerms(): Record<string, number> | undefined {
    const { junior, senior, kd, batches } = this.terms;
    if (batches === 0) return undefined;
    Object.assign(this.terms, { junior: 0, senior: 0, kd: 0, batches: 0 });
    return { junior: junior / batches, senior: senior / batches, kd: kd / batches };
  }

  /** The running sums of the terms and their batch count (saved with an interrupted epoch). */
  lossTermSums(): Record<string, number> {
    return { ...this.terms };
  }

  /** Restores sums saved by `lossTermSums`: junior, senior and kd finite, batches a count; else throws naming `source`. */
  restoreLossTermSums(sums: Readonly<Record<string, number>>, source: string): void {
    const { junior, senior, kd, batches } = sums;
    const finite = [junior, senior, kd].every((value) => typeof value === 'number' && Number.isFinite(value));
    if (!finite || !(Number.isInteger(batches) && batches! >= 0)) {
      throw new Error(`${source}: the MulDE loss terms need finite junior, senior and kd sums and a batch count (got ${JSON.stringify(sums)}); the checkpoint cannot be resumed`);
    }
    Object.assign(this.terms, { junior, senior, kd, batches });
  }

  /** Steps 4–5 through tfjs autodiff (the reference): returns [L_Senior, L_KD]. */
  private tfjsSeniorKd(batch: QueryBatch, candidates: CandidateSet, teacherScores: Float32Array[], labels: Float32Array, epoch: number): [number, number] {
    const { model, store } = this.junior;
    const B = batch.entities.length;
    const K = candidates.perQuery;
    const gate = this.senior.table('gate');
    const scaling = this.settings.mechanisms.scaling;
    // the candidates' inputs (their gathered rows on the tfjs path) and, with scaling, the gates are on the tape
    const gates: TapeInput[] = scaling
      ? [{ tensor: tf.tensor2d(gate.gather(batch.relations), [B, gate.dim]), applyGradient: (g) => gate.scatterAddGrad(batch.relations, g.dataSync() as Float32Array) }]
      : [];
    let termValues: [number, number] = [0, 0];
    runTape([{ model, store, entities: batch.entities, relations: batch.relations, candidates: { scorer: this.scorer, set: candidates } }], gates, ([view], [gateRows]) => {
      const teachers = teacherScores.map((s) => tf.tensor2d(s, [B, K]));
      const { softLabels } = seniorSoftLabels(teachers, gateRows as tf.Tensor2D | undefined, view!.scores!, epoch, this.settings.mechanisms);
      const senior = binaryCrossEntropyWithLogits(softLabels, tf.tensor2d(labels, [B, K]));
      const kd = temperatureKdLoss(view!.scores!, softLabels, this.settings.temperature);
      termValues = [senior.dataSync()[0]!, kd.dataSync()[0]!];
      return tf.add(senior, tf.mul(this.settings.kdWeight, kd)) as tf.Scalar;
    });
    return termValues;
  }

  /** Steps 4–5 fused: the Junior's K scores in kernels, the Senior and L_KD by the seniorKd kernel. */
  private fusedSeniorKd(batch: QueryBatch, candidates: CandidateSet, teacherScores: Float32Array[], labels: Float32Array, epoch: number): [number, number] {
    const { model, store, kernels } = this.junior;
    const B = batch.entities.length;
    const K = candidates.perQuery;
    const gate = this.senior.table('gate');
    const T = gate.dim;
    const gateRows = gate.gather(batch.relations);
    const dGates = new Float32Array(B * T);
    const constants = { batchSize: B, temperature: this.settings.temperature, kdWeight: this.settings.kdWeight,
      attentionTemperature: attentionTemperature(epoch), ...this.settings.mechanisms };
    const s = this.scratch;
    let senior = 0, kd = 0;
    fusedCandidateGradients(model, store, batch.entities, batch.relations, candidates.ids, K, (start, n, scores, dscore) => {
      const rows = (x: Float32Array, width: number): Float32Array => x.subarray(start * width, (start + n) * width);
      const teachers = s.f32('teachers', T * n * K);
      teacherScores.forEach((t, i) => teachers.array.set(rows(t, K), i * n * K));
      const gates = s.f32('gates', n * T), labelBlock = s.f32('labels', n * K), dG = s.f32('dGates', n * T);
      gates.array.set(rows(gateRows, T));
      labelBlock.array.set(rows(labels, K));
      const [blockSenior, blockKd] = seniorKdKernels(kernels).run(n, K, T, { junior: scores, teachers: subF32(teachers, 0, T * n * K), gates: subF32(gates, 0, n * T),
        labels: subF32(labelBlock, 0, n * K), dJunior: dscore, dGates: subF32(dG, 0, n * T), scratch: s.f32('scratch', seniorKdScratchLength(K, T)) }, constants);
      dGates.set(dG.array.subarray(0, n * T), start * T);
      senior += blockSenior;
      kd += blockKd;
      return blockSenior + this.settings.kdWeight * blockKd;
    });
    gate.scatterAddGrad(batch.relations, dGates);
    return [senior, kd];
  }

  /** The Senior's optimiser step, after the Junior's. */
  afterStep(): void {
    this.seniorOptimizer.step();
  }

  /** The Senior's gate table and optimiser state; with a candidate cache, the Junior as it was at the last refresh. */
  checkpointArrays(): Record<string, Float32Array> {
    const state = this.seniorOptimizer.state();
    const arrays: Record<string, Float32Array> = { 'senior:gate': this.senior.table('gate').data.array };
    for (const [name, values] of Object.entries(state.slots)) arrays[`senior-opt:${name}`] = values;
    arrays['senior-opt-step'] = Float32Array.of(state.step);
    arrays[JUNIOR_LOSS_ARRAY] = juniorLossArray(this.juniorLoss);
    if (this.refreshSnapshot) {
      arrays['cache-epoch'] = Float32Array.of(this.refreshSnapshot.epoch);
      for (const [name, values] of Object.entries(this.refreshSnapshot.params)) arrays[`cache-junior:${name}`] = values;
    }
    return arrays;
  }

  /**
   * Restores the Senior from a checkpoint; throws when the Junior's hard loss it records ({@link recordedJuniorLoss})
   * is not this objective's (a resumed run takes its loss from the checkpoint: run-job.ts).
   */
  restoreArrays(arrays: Record<string, Float32Array>, source: string): void {
    const recorded = recordedJuniorLoss(arrays, source);
    if (!sameLoss(recorded, this.juniorLoss)) {
      throw new Error(`${source}: the Junior trained with ${describeLoss(recorded)}, not the ${describeLoss(this.juniorLoss)} it was given to resume with`);
    }
    const gate = arrays['senior:gate'];
    if (!gate || gate.length !== this.senior.table('gate').data.length) throw new Error(`${source}: the Senior's gate table is missing or was trained with another number of teachers`);
    this.senior.table('gate').data.array.set(gate);
    this.seniorOptimizer.restore({ name: 'adam', step: arrays['senior-opt-step']?.[0] ?? 0, slots: arraysWithPrefix(arrays, 'senior-opt:') });
    const cacheEpoch = arrays['cache-epoch']?.[0];
    if (this.cache && cacheEpoch !== undefined) this.restoredSnapshot = { epoch: cacheEpoch, params: arraysWithPrefix(arrays, 'cache-junior:') };
  }

  /** Ends the teachers' worker threads once training is over (idempotent). */
  dispose(): void {
    this.teachers.dispose();
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
    if (this.restoredSnapshot) this.rebuildFromSnapshot(epoch, this.restoredSnapshot, this.cache.refreshEvery);
    if (this.cache.anyStale(batch.indices, epoch)) this.refreshAll(epoch);
    return this.cache.read(batch.indices);
  }

  /**
   * On the first batch after a resume: when the checkpointed refresh is still recent enough for `epoch`, picks the
   * candidates again with the Junior of that refresh (swapped in, then back), so the resumed run sees the same
   * candidates and teacher scores as an uninterrupted one.
   */
  private rebuildFromSnapshot(epoch: number, snapshot: JuniorSnapshot, refreshEvery: number): void {
    this.restoredSnapshot = undefined;
    if (epoch - snapshot.epoch >= refreshEvery) return; // a refresh is due anyway
    const current = copyArrays(this.junior.parameterArrays());
    this.junior.loadParameterArrays(snapshot.params, 'the candidate cache snapshot of the checkpoint');
    try {
      this.refreshAll(snapshot.epoch);
    } finally {
      this.junior.loadParameterArrays(current, 'the Junior before the cache rebuild');
    }
  }

  /**
   * Recomputes the candidates and teacher scores of every stale distinct training query with one snapshot of the
   * Junior, in chunks of queries sorted by relation (so the top-K kernel meets one curvature per chunk part).
   */
  private refreshAll(epoch: number): void {
    const cache = this.cache!;
    const queries = cache.slotQueries;
    const K = this.settings.topK;
    const stale = cache.staleSlots(epoch).sort((a, b) => queries.relations[a]! - queries.relations[b]! || a - b);
    const scorer = this.junior.entityScorer();
    try {
      for (let start = 0; start < stale.length; start += REFRESH_CHUNK) {
        const chunk = stale.slice(start, start + REFRESH_CHUNK);
        const entities = Int32Array.from(chunk, (s) => queries.entities[s]!);
        const relations = Int32Array.from(chunk, (s) => queries.relations[s]!);
        const ids = scorer.topKSync(entities, relations, K);
        cache.store(chunk, ids, this.teachers.score(entities, relations, { ids, perQuery: K }), epoch);
      }
    } finally {
      scorer.dispose();
    }
    this.refreshSnapshot = { epoch, params: copyArrays(this.junior.parameterArrays()) };
    this.refreshes++;
  }

  /** The Junior's K best entities for each query of the batch (no gradient). */
  private juniorTopK(batch: QueryBatch, K: number): Int32Array {
    const scorer = this.junior.entityScorer();
    try {
      return scorer.topKSync(batch.entities, batch.relations, K);
    } finally {
      scorer.dispose();
    }
  }
}
