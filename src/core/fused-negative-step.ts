/**
 * The negative-sampling step of negative-sampling-step.ts (the tfjs reference) entirely in kernels, for models with a fused query
 * program (`KgeModel.fusedQuery`): the same random draws in the same order, the same loss (binary cross-entropy
 * with logits averaged over all B·(1 + N) positive and negative scores, Chami et al. 2020's code) and the same
 * regulariser, so both paths train the same model up to float error.
 *
 * The queries (B, or B·(1 + N) with `doubleNegatives`, where each is scored against its own answer) are processed
 * in chunks of CHUNK_ROWS rows so that every intermediate row buffer stays in cache: per chunk, the query tables'
 * rows are gathered, the program runs forward, the candidates are scored (`similarityForward`, or for the
 * Poincaré similarity `poincareScores`, which keeps the partials for the backward; then the biases), the loss
 * writes dL/ds, the similarity's VJP adds dL/de into the candidate table's accumulator and returns dL/dq (and
 * dL/dc), the program runs backward, and the input-row gradients are scatter-added into the query tables'
 * accumulators. With double negatives the program's relation-only part runs once per positive query instead
 * (fused-step-plan.ts). Kernels are called through their unchecked exports: the ids are range-checked once per
 * step and every block belongs to this step's state.
 */
import type { KernelExports } from '../kernels/kernels.js';
import { drawDoubleNegatives, drawGoldFirst } from './negative-sampler.js';
import { subF32, type F32Block, type I32Block } from '../kernels/kernel-memory.js';
import type { QueryExecutor } from '../kernels/query-program.js';
import type { KgeModel } from './model.js';
import type { ParameterStore } from './parameter-store.js';
import type { SeededRandom } from './random.js';
import { SIMILARITY_KERNEL_ID } from './candidate-scoring.js';
import { addRowRegularizerGradient } from './losses.js';
import { checkSampledLoss, regularizeGoldAnswers, type NegativeSamplingSettings, type QueryBatch } from './batch.js';
import { sampledLossBlock } from './sampled-loss-block.js';
import { CHUNK_ROWS, hoistedPlan, i32Room, scoreRoom, stepState, type Plan, type QueryTable, type StepState } from './fused-step-plan.js';

export { CHUNK_ROWS } from './fused-step-plan.js';

/** Whether the fused step can run this model on these tables (a program, rows of width 1 or 4k). */
export function fusedStepSupports(model: KgeModel, store: ParameterStore): boolean {
  if (!model.fusedQuery) return false;
  const widthOk = (name: string): boolean => {
    const dim = store.table(name).dim;
    return dim === 1 || dim % 4 === 0;
  };
  return store.table(model.candidateTable).dim % 4 === 0 && model.queryTables.every(widthOk)
    && (model.similarity !== 'negSqPoincare' || model.fusedQuery.outputs.c !== undefined);
}

/** Plain-memory scratch for the draws (element writes to shared memory are slow in V8; one bulk copy is not). */
let drawScratch = new Int32Array(0);

function scratchInts(length: number): Int32Array {
  if (drawScratch.length < length) drawScratch = new Int32Array(Math.ceil(1.25 * length));
  return drawScratch;
}

/** Draws the candidates exactly as negative-sampling-step.ts's makeGroups does; returns (queries, per query). */
function drawQueries(state: StepState, store: ParameterStore, batch: QueryBatch, settings: NegativeSamplingSettings,
  numEntities: number, rng: SeededRandom): { Q: number; M: number } {
  const B = batch.entities.length;
  const N = settings.negatives;
  if (!settings.doubleNegatives) {
    const M = 1 + N;
    const cand = drawGoldFirst(batch.answers, N, numEntities, rng, scratchInts(B * M));
    i32Room(state, 'cand', B * M, store).array.set(cand.subarray(0, B * M));
    i32Room(state, 'entityIds', B, store).array.set(batch.entities);
    i32Room(state, 'relationIds', B, store).array.set(batch.relations);
    return { Q: B, M };
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
  i32Room(state, 'entityIds', Q, store).array.set(entities);
  i32Room(state, 'relationIds', Q, store).array.set(relations);
  i32Room(state, 'cand', Q, store).array.set(cand);
  i32Room(state, 'groupIds', Q, store).array.set(groups);
  return { Q, M: 1 };
}

function checkIds(raw: KernelExports, ids: I32Block, n: number, limit: number, what: string): void {
  const bad = raw.firstOutOfRange(ids.offset, n, limit);
  if (bad >= 0) throw new RangeError(`fused step: ${what} id ${ids.array[bad]} is outside [0, ${limit})`);
}

/** Gathers rows [start, start + n) of each table (by the queries' entity or relation ids) into the executor. */
function gatherTables(raw: KernelExports, state: StepState, tables: QueryTable[], ex: QueryExecutor, start: number,
  n: number): void {
  for (const t of tables) {
    const ids = (t.byEntity ? state.entityIds : state.relationIds).offset + 4 * start;
    if (t.table.dim === 1) raw.gatherValues(n, ids, t.table.data.offset, ex.input(t.name).offset);
    else raw.gatherRows(n, t.table.dim, ids, t.table.data.offset, ex.input(t.name).offset);
  }
}

/** Adds the executor's input gradients of rows [start, start + n) into the tables' accumulators. */
function scatterTables(raw: KernelExports, state: StepState, tables: QueryTable[], ex: QueryExecutor, start: number,
  n: number): void {
  for (const t of tables) {
    const ids = (t.byEntity ? state.entityIds : state.relationIds).offset + 4 * start;
    if (t.table.dim === 1) raw.scatterAddValues(n, ids, ex.inputGrad(t.name).offset, t.table.grad.offset);
    else raw.scatterAddRows(n, t.table.dim, ids, ex.inputGrad(t.name).offset, t.table.grad.offset);
  }
}

/** dL/ds of a chunk: rows [start, start + n) of Q queries, scores and dscore as byte offsets of n×M floats. */
export type ChunkLoss = (start: number, n: number, scores: number, dscore: number) => number;

/**
 * The chunk loop shared by the fused steps: for queries [0, Q) whose ids and candidates are in the state's
 * entityIds/relationIds/cand (and groupIds for a hoisted plan), runs the program forward, scores the M candidates
 * of each, asks `chunkLoss` for dL/ds, and backpropagates into the tables' accumulators. Returns the summed loss.
 */
export function runFusedChunks(model: KgeModel, store: ParameterStore, state: StepState, plan: Plan, B: number, Q: number,
  M: number, chunkLoss: ChunkLoss, backward = true): number {
  const { raw, entityIds, relationIds, cand, groupIds } = state;
  const table = store.table(model.candidateTable);
  const bias = model.tailBiasTable ? store.table(model.tailBiasTable) : undefined;
  const numEntities = table.rows;
  let entityRows = numEntities, relationRows = Infinity;
  for (const t of state.queryTables) {
    if (t.byEntity) entityRows = Math.min(entityRows, t.table.rows);
    else relationRows = Math.min(relationRows, t.table.rows);
  }
  checkIds(raw, entityIds, Q, entityRows, 'entity');
  if (relationRows !== Infinity) checkIds(raw, relationIds, Q, relationRows, 'relation');
  checkIds(raw, cand, Q * M, numEntities, 'answer');
  const { inner, outer } = plan;
  if (outer) { // relation-only part once per positive query (relationIds[0, B) = the batch's relations)
    outer.reserve(B);
    gatherTables(raw, state, plan.outerTables, outer, 0, B);
    outer.forward(B);
    for (const b of plan.boundary) raw.zeroFloats(B * b.width, outer.seed(b.name)!.offset);
  }
  const kind = SIMILARITY_KERNEL_ID[model.similarity];
  const poincare = model.similarity === 'negSqPoincare'; // scores with stored partials, backward from them
  const d = table.dim;
  const q = inner.output('q')!.offset, c = inner.output('c')?.offset ?? 0, off = inner.output('offset')?.offset ?? 0;
  const dq = inner.seed('q')!.offset, dc = inner.seed('c')?.offset ?? 0, doff = inner.seed('offset')?.offset ?? 0;
  const scores = state.scores.offset, dscore = state.dscore.offset, partials = state.partials.offset;
  const biasData = bias?.data.offset ?? 0, biasGrad = bias?.grad.offset ?? 0;
  let loss = 0;
  for (let start = 0; start < Q; start += CHUNK_ROWS) {
    const n = Math.min(CHUNK_ROWS, Q - start);
    gatherTables(raw, state, plan.innerTables, inner, start, n);
    const groups = groupIds.offset + 4 * start;
    for (const b of plan.boundary) {
      if (b.width === 1) raw.gatherValues(n, groups, outer!.output(b.name)!.offset, inner.input(b.name).offset);
      else raw.gatherRows(n, b.width, groups, outer!.output(b.name)!.offset, inner.input(b.name).offset);
    }
    inner.forward(n);
    const candChunk = cand.offset + 4 * start * M;
    if (poincare) raw.poincareScores(n, M, d, q, candChunk, table.data.offset, c, scores, partials);
    else raw.similarityForward(kind, n, M, d, q, candChunk, table.data.offset, c, scores);
    raw.addCandidateBiases(n, M, scores, off, candChunk, biasData);
    loss += chunkLoss(start, n, scores, dscore);
    if (!backward) continue;
    if (poincare) raw.poincareScoresBackward(n, M, d, q, candChunk, table.data.offset, dscore, partials, dq, table.grad.offset, dc);
    else raw.similarityBackward(kind, n, M, d, q, candChunk, table.data.offset, c, dscore, dq, table.grad.offset, dc);
    raw.candidateBiasBackward(n, M, dscore, doff, candChunk, biasGrad);
    inner.backward(n);
    scatterTables(raw, state, plan.innerTables, inner, start, n);
    for (const b of plan.boundary) {
      if (b.width === 1) raw.scatterAddValues(n, groups, inner.inputGrad(b.name).offset, outer!.seed(b.name)!.offset);
      else raw.scatterAddRows(n, b.width, groups, inner.inputGrad(b.name).offset, outer!.seed(b.name)!.offset);
    }
  }
  if (outer && backward) {
    outer.backward(B);
    scatterTables(raw, state, plan.outerTables, outer, 0, B);
  }
  return loss;
}

/** Runs one negative-sampling step in kernels: accumulates gradients into the tables and returns the loss (no update). */
export function fusedNegativeSamplingGradients(model: KgeModel, store: ParameterStore, batch: QueryBatch,
  settings: NegativeSamplingSettings, rng: SeededRandom): number {
  const program = model.fusedQuery;
  if (!program || !fusedStepSupports(model, store)) throw new Error(`fused step: ${model.config.model} has no usable fused query program`);
  checkSampledLoss(settings);
  const state = stepState(model, store, program);
  const { raw } = state;
  const numEntities = store.table(model.candidateTable).rows;
  const B = batch.entities.length;
  const { Q, M } = drawQueries(state, store, batch, settings, numEntities, rng);
  const ranking = settings.loss && settings.loss.loss !== 'bce' ? settings.loss : undefined;
  scoreRoom(state, CHUNK_ROWS * M, store);
  const plan: Plan = (settings.doubleNegatives ? hoistedPlan(state, program, store) : null) ?? state.direct;
  const scale = 1 / (Q * M);
  const loss = runFusedChunks(model, store, state, plan, B, Q, M, (start, n, scores, dscore) => {
    if (ranking) return sampledLossBlock(ranking, state.scores.array.subarray(0, n * M), state.dscore.array.subarray(0, n * M), n, M, B);
    if (!settings.doubleNegatives) return raw.sampledSoftplusLoss(n, M, 1, scores, dscore, scale);
    // rows < B are the positive queries, the rest negatives; one candidate each
    const pos = Math.max(0, Math.min(B, start + n) - start);
    let value = 0;
    if (pos > 0) value += raw.sampledSoftplusLoss(pos, 1, 1, scores, dscore, scale);
    if (n > pos) value += raw.sampledSoftplusLoss(n - pos, 1, 0, scores + 4 * pos, dscore + 4 * pos, scale);
    return value;
  });
  touchRows(model, store, state, Q, M, batch.relations);
  return loss + regularizeQueryRows(state, batch, settings) + regularizeGoldAnswers(model, store, batch.answers, settings, B);
}

/** Marks the rows a fused step wrote gradients to: candidates, their biases, the queries' table rows. */
function touchRows(model: KgeModel, store: ParameterStore, state: StepState, Q: number, M: number, relations: Int32Array): void {
  const candIds = state.cand.array.subarray(0, Q * M);
  store.table(model.candidateTable).touch(candIds);
  if (model.tailBiasTable) store.table(model.tailBiasTable).touch(candIds);
  for (const t of state.queryTables) {
    // with doubleNegatives every negative query repeats its positive's relation, so the B relation ids cover all
    t.table.touch(t.byEntity ? state.entityIds.array.subarray(0, Q) : relations);
  }
}

/** The step state of B queries with their own M given candidates each (ids checked by runFusedChunks). */
function candidateState(model: KgeModel, store: ParameterStore, entities: Int32Array, relations: Int32Array,
  candidates: Int32Array, M: number): StepState {
  const program = model.fusedQuery;
  if (!program || !fusedStepSupports(model, store)) throw new Error(`fused step: ${model.config.model} has no usable fused query program`);
  const B = entities.length;
  if (candidates.length !== B * M) throw new Error(`fused step: ${candidates.length} candidates for ${B} queries × ${M}`);
  const state = stepState(model, store, program);
  i32Room(state, 'cand', B * M, store).array.set(candidates);
  i32Room(state, 'entityIds', B, store).array.set(entities);
  i32Room(state, 'relationIds', B, store).array.set(relations);
  scoreRoom(state, CHUNK_ROWS * M, store);
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
  const value = runFusedChunks(model, store, state, state.direct, B, B, M,
    (start, n) => loss(start, n, subF32(state.scores, 0, n * M), subF32(state.dscore, 0, n * M)));
  touchRows(model, store, state, B, M, relations);
  return value;
}

/** Each query's scores on its own M candidates [B×M], forward only, in kernels (no gradient: e.g. frozen teachers). */
export function fusedCandidateScores(model: KgeModel, store: ParameterStore, entities: Int32Array, relations: Int32Array,
  candidates: Int32Array, M: number): Float32Array {
  const B = entities.length;
  const state = candidateState(model, store, entities, relations, candidates, M);
  const out = new Float32Array(B * M);
  runFusedChunks(model, store, state, state.direct, B, B, M, (start, n) => {
    out.set(state.scores.array.subarray(0, n * M), start * M);
    return 0;
  }, false);
  return out;
}

/** The regulariser on the positive queries' rows of the regularised query tables (the hybrid step's group 0). */
function regularizeQueryRows(state: StepState, batch: QueryBatch, settings: NegativeSamplingSettings): number {
  if (settings.regularizer === 'none' || settings.regularizerWeight === 0) return 0;
  const B = batch.entities.length;
  let value = 0;
  for (const t of state.queryTables) {
    if (!t.table.spec.regularize) continue;
    const ids = t.byEntity ? batch.entities : batch.relations;
    const rows = t.table.gather(ids);
    const grad = new Float32Array(rows.length);
    value += addRowRegularizerGradient(settings.regularizer, settings.regularizerWeight, rows, grad, B);
    t.table.scatterAddGrad(ids, grad);
  }
  return value;
}
