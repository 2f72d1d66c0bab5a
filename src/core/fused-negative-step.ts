/**
 * The negative-sampling step of negative-sampling-step.ts (the tfjs reference) entirely in kernels, for models with a fused query
 * program (`KgeModel.fusedQuery`): the same random draws in the same order, the same loss (by `bySampledLoss`: binary
 * cross-entropy with logits averaged over all B·(1 + N) positive and negative scores, Chami et al. 2020's code; the
 * self-adversarial loss; margin ranking) and the same regulariser, so both paths train the same model up to float
 * error.
 *
 * The queries (B, or B·(1 + N) with `doubleNegatives`, where each is scored against its own answer) run through the
 * chunk loop of fused-chunks.ts; with double negatives the program's relation-only part runs once per positive
 * query instead (fused-step-plan.ts). Kernels are called through their unchecked exports: the ids are range-checked
 * once per step and every block belongs to this step's state.
 */
import { drawDoubleNegatives, drawGoldFirst } from './negative-sampler.js';
import { subF32, type F32Block } from '../kernels/kernel-memory.js';
import type { KgeModel } from './model.js';
import type { ParameterStore } from './parameter-store.js';
import type { SeededRandom } from './random.js';
import { checkSampledLoss, checkWeightedBatch, regularizeGoldAnswers, regularizeQueryRows, type NegativeSamplingSettings, type QueryBatch } from './batch.js';
import { marginRankingBlock } from './sampled-loss-block.js';
import { BCE_LOSS, bySampledLoss, weightTotal } from './losses.js';
import { BLOCK_ROOM, hoistedPlan, stepState, type Plan, type StepState } from './fused-step-plan.js';
import { bceChunkLoss, checkQueryIds, loadQueries, nssaChunkLoss, runFusedChunks, type ChunkLoss, type DrawnQueries } from './fused-chunks.js';
import { parallelFusedStep, parallelStepReady } from './fused-step-parallel.js';
import { kernelWidthObstacle } from './kernel-widths.js';
import { compactFusedStep, compactStepWorthIt } from './fused-compact-step.js';
import { plainInts } from './plain-arrays.js';

export { CHUNK_ROWS } from './fused-step-plan.js';
export { runFusedChunks, type ChunkLoss } from './fused-chunks.js';

/** Whether the fused step can run this model on these tables (a program, rows of width 1 or 4k: kernel-widths.ts). */
export function fusedStepSupports(model: KgeModel, store: ParameterStore): boolean {
  return kernelWidthObstacle(model) === null && (model.similarity !== 'negSqPoincare' || model.fusedQuery?.outputs.c !== undefined);
}

/** Plain-memory scratch for the draws (element writes to shared memory are slow in V8; one bulk copy is not). */
let drawScratch = new Int32Array(0);

function scratchInts(length: number): Int32Array {
  if (drawScratch.length < length) drawScratch = plainInts(Math.ceil(BLOCK_ROOM * length), 'the candidates of one step (batch size × (1 + negatives))');
  return drawScratch;
}

/** Draws the candidates exactly as negative-sampling-step.ts's makeGroups does. */
function drawQueries(batch: QueryBatch, settings: NegativeSamplingSettings, numEntities: number, rng: SeededRandom): DrawnQueries {
  const B = batch.entities.length;
  const N = settings.negatives;
  if (!settings.doubleNegatives) {
    const M = 1 + N;
    const cand = drawGoldFirst(batch.answers, N, numEntities, rng, scratchInts(B * M), settings.sharedNegatives).subarray(0, B * M);
    return { B, Q: B, M, entities: batch.entities, relations: batch.relations, cand, sharedAcross: settings.sharedNegatives ?? 1,
      ...(batch.weights ? { weights: batch.weights } : {}) };
  }
  const Q = B * (1 + N);
  const ids = scratchInts(4 * Q);
  const entities = ids.subarray(0, Q), relations = ids.subarray(Q, 2 * Q);
  const cand = ids.subarray(2 * Q, 3 * Q), groups = ids.subarray(3 * Q, 4 * Q);
  entities.set(batch.entities);
  relations.set(batch.relations);
  cand.set(batch.answers);
  drawDoubleNegatives(batch.relations, N, numEntities, rng, entities.subarray(B), cand.subarray(B), relations.subarray(B));
  for (let b = 0; b < B; b++) {
    groups[b] = b;
    groups.fill(b, B + b * N, B + (b + 1) * N);
  }
  return { B, Q, M: 1, entities, relations, cand, groups };
}

/**
 * Runs one negative-sampling step in kernels: accumulates gradients into the tables and returns the loss (no
 * update). With a kernel worker (two or more cores, KGDISTILL_THREADS ≠ 1) and the BCE or self-adversarial loss (not
 * margin ranking), the batch is split in two halves run at once (fused-step-parallel.ts): the same draws and loss,
 * sums in another order.
 */
export function fusedNegativeSamplingGradients(model: KgeModel, store: ParameterStore, batch: QueryBatch,
  settings: NegativeSamplingSettings, rng: SeededRandom): number {
  const program = model.fusedQuery;
  if (!program || !fusedStepSupports(model, store)) throw new Error(`fused step: ${model.config.model} has no usable fused query program`);
  checkSampledLoss(settings);
  checkWeightedBatch(batch, settings);
  const state = stepState(model, store, program);
  const drawn = drawQueries(batch, settings, state.candidate.rows, rng);
  const { B, Q, M } = drawn;
  const loss = settings.loss ?? BCE_LOSS;
  // weighted rows: Σ w·ℓ / Σ w, with Σ w of the whole batch (before any split over chunks or threads)
  const total = batch.weights ? weightTotal(batch.weights) : undefined;
  const bceScale = total === undefined ? 1 / (Q * M) : 1 / (M * total);
  const nssaScale = 0.5 / (total ?? B);
  // BCE and the self-adversarial loss are kernels whose rows are independent: the batch may be split over threads
  // margin ranking compares each query's negatives with its own gold in one block: never split over threads
  const marginOf = (st: StepState): ChunkLoss => (start, n) => marginRankingBlock(loss, st.scores.array.subarray(0, n * M), st.dscore.array.subarray(0, n * M), n, M, B,
    total === undefined ? undefined : { weights: batch.weights!.subarray(start, start + n), total });
  const lossOf = (st: StepState, part: DrawnQueries): ChunkLoss => bySampledLoss(loss.loss, {
    nssa: () => nssaChunkLoss(st, part, loss, nssaScale),
    bce: () => bceChunkLoss(st, part, settings.doubleNegatives, bceScale),
    margin: () => marginOf(st),
  });
  const chunkLossOf = (st: StepState): ChunkLoss => lossOf(st, drawn);
  const parallel = loss.loss !== 'margin' && parallelStepReady(store, Q, M);
  let value: number;
  if (!settings.doubleNegatives && !parallel && compactStepWorthIt(model, store)) {
    value = compactFusedStep(model, store, program, drawn, chunkLossOf); // touches its rows itself
  } else {
    loadQueries(state, drawn);
    checkQueryIds(state, Q, M);
    const plan: Plan = (settings.doubleNegatives ? hoistedPlan(state, program) : null) ?? state.direct;
    value = parallel ? parallelFusedStep(model, store, program, drawn, settings.doubleNegatives, lossOf) : runFusedChunks(state, plan, B, Q, M, chunkLossOf(state));
    touchRows(model, store, drawn.cand.subarray(0, Q * M), drawn.entities.subarray(0, Q), batch.relations);
  }
  return value + regularizeQueryRows(model, store, batch, settings) + regularizeGoldAnswers(model, store, batch.answers, settings, B);
}

/** Marks the rows a fused step wrote gradients to: candidates, their biases, the queries' table rows. */
function touchRows(model: KgeModel, store: ParameterStore, candIds: Int32Array, entities: Int32Array, relations: Int32Array): void {
  store.table(model.candidateTable).touch(candIds);
  if (model.tailBiasTable) store.table(model.tailBiasTable).touch(candIds);
  for (const name of model.queryTables) {
    // with doubleNegatives every negative query repeats its positive's relation, so the B relation ids cover all
    const table = store.table(name);
    table.touch(table.spec.indexedBy === 'entity' ? entities : relations);
  }
}

/** The step state of B queries with their own M given candidates each, ids checked. */
function candidateState(model: KgeModel, store: ParameterStore, entities: Int32Array, relations: Int32Array,
  candidates: Int32Array, M: number): StepState {
  const program = model.fusedQuery;
  if (!program || !fusedStepSupports(model, store)) throw new Error(`fused step: ${model.config.model} has no usable fused query program`);
  const B = entities.length;
  if (candidates.length !== B * M) throw new Error(`fused step: ${candidates.length} candidates for ${B} queries × ${M}`);
  const state = stepState(model, store, program);
  loadQueries(state, { B, Q: B, M, entities, relations, cand: candidates });
  checkQueryIds(state, B, M);
  return state;
}

/**
 * Gradients of a loss of each query's scores on its own M given candidates (e.g. MulDE's top-K), in kernels:
 * `loss(start, n, scores, dscore)` receives the scores of queries [start, start + n) as an n×M block of kernel
 * memory and writes dL/ds into `dscore` (n×M); it returns its loss. Accumulates into the tables' gradients and
 * returns the summed loss.
 */
export function fusedCandidateGradients(model: KgeModel, store: ParameterStore, entities: Int32Array, relations: Int32Array,
  candidates: Int32Array, M: number, loss: (start: number, n: number, scores: F32Block, dscore: F32Block) => number): number {
  const B = entities.length;
  const state = candidateState(model, store, entities, relations, candidates, M);
  const value = runFusedChunks(state, state.direct, B, B, M,
    (start, n) => loss(start, n, subF32(state.scores, 0, n * M), subF32(state.dscore, 0, n * M)));
  touchRows(model, store, candidates, entities, relations);
  return value;
}

/** Each query's scores on its own M candidates [B×M], forward only, in kernels (no gradient: e.g. frozen teachers). */
export function fusedCandidateScores(model: KgeModel, store: ParameterStore, entities: Int32Array, relations: Int32Array,
  candidates: Int32Array, M: number): Float32Array {
  const B = entities.length;
  const state = candidateState(model, store, entities, relations, candidates, M);
  const out = new Float32Array(B * M);
  runFusedChunks(state, state.direct, B, B, M, (start, n) => {
    out.set(state.scores.array.subarray(0, n * M), start * M);
    return 0;
  }, false);
  return out;
}

