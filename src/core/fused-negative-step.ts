/**
 * The negative-sampling step of negative-sampling-step.ts entirely in kernels, for models with a fused query
 * program (`KgeModel.fusedQuery`): the same random draws in the same order, the same loss (binary cross-entropy
 * with logits averaged over all B·(1 + N) positive and negative scores, Chami et al. 2020's code) and the same
 * regulariser, so both paths train the same model up to float error.
 *
 * The queries (B, or B·(1 + N) with `doubleNegatives`, where each is scored against its own answer) are processed
 * in chunks of CHUNK_ROWS rows so that every intermediate row buffer stays in cache: per chunk, the query tables'
 * rows are gathered, the program runs forward, the candidates are scored (`similarityForward`, biases), the loss
 * writes dL/ds, `similarityBackward` adds dL/de into the candidate table's accumulator and returns dL/dq (and dL/dc),
 * the program runs backward, and the input-row gradients are scatter-added into the query tables' accumulators.
 * Kernels are called through their unchecked exports: the ids are range-checked once per step and every block
 * belongs to this step's state.
 */
import { kernelsForMemory, type KernelExports } from '../kernels/kernels.js';
import { QueryExecutor, type QueryProgram } from '../kernels/query-program.js';
import type { F32Block, I32Block } from '../kernels/kernel-memory.js';
import type { KgeModel } from './model.js';
import type { ParameterStore, ParameterTable } from './parameter-store.js';
import type { SeededRandom } from './random.js';
import { SIMILARITY_KERNEL_ID } from './candidate-scoring.js';
import { addRowRegularizerGradient } from './losses.js';
import { regularizeGoldAnswers, type NegativeSamplingSettings, type QueryBatch } from './negative-sampling-step.js';

/** Query rows per chunk: small enough that a chunk's row buffers (inputs, intermediates, gradients) stay in L2. */
export const CHUNK_ROWS = 256;

/** A query table with the id array that indexes it (entity or relation ids of the queries). */
interface QueryTable {
  name: string;
  table: ParameterTable;
  byEntity: boolean;
}

/** Everything a step reuses: the compiled program and the id, score and gradient blocks. */
interface StepState {
  raw: KernelExports;
  executor: QueryExecutor;
  queryTables: QueryTable[];
  entityIds: I32Block;
  relationIds: I32Block;
  cand: I32Block;
  scores: F32Block;
  dscore: F32Block;
  /** Partials of the Poincaré scores (poincareScores), four floats per score. */
  partials: F32Block;
}

const states = new WeakMap<ParameterStore, Map<QueryProgram, StepState>>();

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

/** Grows an id block to hold `length` ids (blocks are never shrunk). */
function i32Room(state: StepState, key: 'entityIds' | 'relationIds' | 'cand', length: number, store: ParameterStore): I32Block {
  if (state[key].length < length) state[key] = store.memory.allocI32(Math.ceil(1.25 * length));
  return state[key];
}

function stateFor(model: KgeModel, store: ParameterStore, program: QueryProgram): StepState {
  let byProgram = states.get(store);
  if (!byProgram) states.set(store, (byProgram = new Map()));
  let state = byProgram.get(program);
  if (state) return state;
  const kernels = kernelsForMemory(store.memory);
  const widths = Object.fromEntries(model.queryTables.map((name) => [name, store.table(name).dim]));
  const executor = new QueryExecutor(kernels, program, widths);
  if (executor.queryWidth !== store.table(model.candidateTable).dim) {
    throw new Error(`fused step: the program's q has width ${executor.queryWidth}, the candidates ${store.table(model.candidateTable).dim}`);
  }
  executor.reserve(CHUNK_ROWS);
  const queryTables = model.queryTables.map((name) => {
    const table = store.table(name);
    return { name, table, byEntity: table.spec.indexedBy === 'entity' };
  });
  const empty = (): I32Block => store.memory.allocI32(0);
  state = { raw: kernels.raw, executor, queryTables, entityIds: empty(), relationIds: empty(), cand: empty(),
    scores: store.memory.allocF32(0), dscore: store.memory.allocF32(0), partials: store.memory.allocF32(0) };
  byProgram.set(program, state);
  return state;
}

/** Draws the candidates exactly as negative-sampling-step.ts's makeGroups does; returns (queries, per query). */
function drawQueries(state: StepState, store: ParameterStore, batch: QueryBatch, settings: NegativeSamplingSettings,
  numEntities: number, rng: SeededRandom): { Q: number; M: number } {
  const B = batch.entities.length;
  const N = settings.negatives;
  if (!settings.doubleNegatives) {
    const M = 1 + N;
    const cand = i32Room(state, 'cand', B * M, store).array;
    for (let b = 0; b < B; b++) {
      cand[b * M] = batch.answers[b]!;
      rng.fillInts(cand, numEntities, b * M + 1, (b + 1) * M);
    }
    i32Room(state, 'entityIds', B, store).array.set(batch.entities);
    i32Room(state, 'relationIds', B, store).array.set(batch.relations);
    return { Q: B, M };
  }
  const Q = B * (1 + N);
  const entities = i32Room(state, 'entityIds', Q, store).array;
  const relations = i32Room(state, 'relationIds', Q, store).array;
  const cand = i32Room(state, 'cand', Q, store).array;
  entities.set(batch.entities);
  relations.set(batch.relations);
  cand.set(batch.answers);
  for (let b = 0; b < B; b++) {
    const r = batch.relations[b]!;
    for (let j = 0; j < N; j++) {
      const i = B + b * N + j;
      entities[i] = rng.int(numEntities);
      relations[i] = r;
      cand[i] = rng.int(numEntities);
    }
  }
  return { Q, M: 1 };
}

function checkIds(raw: KernelExports, ids: I32Block, n: number, limit: number, what: string): void {
  const bad = raw.firstOutOfRange(ids.offset, n, limit);
  if (bad >= 0) throw new RangeError(`fused step: ${what} id ${ids.array[bad]} is outside [0, ${limit})`);
}

/** Runs one negative-sampling step in kernels: accumulates gradients into the tables and returns the loss (no update). */
export function fusedNegativeSamplingGradients(model: KgeModel, store: ParameterStore, batch: QueryBatch,
  settings: NegativeSamplingSettings, rng: SeededRandom): number {
  const program = model.fusedQuery;
  if (!program || !fusedStepSupports(model, store)) throw new Error(`fused step: ${model.config.model} has no usable fused query program`);
  const state = stateFor(model, store, program);
  const { raw, executor } = state;
  const table = store.table(model.candidateTable);
  const bias = model.tailBiasTable ? store.table(model.tailBiasTable) : undefined;
  const numEntities = table.rows;
  const B = batch.entities.length;
  const { Q, M } = drawQueries(state, store, batch, settings, numEntities, rng);
  const { entityIds, relationIds, cand } = state;
  const relationRows = state.queryTables.find((t) => !t.byEntity)?.table.rows ?? Infinity;
  checkIds(raw, entityIds, Q, Math.min(numEntities, ...state.queryTables.filter((t) => t.byEntity).map((t) => t.table.rows)), 'entity');
  if (relationRows !== Infinity) checkIds(raw, relationIds, Q, relationRows, 'relation');
  checkIds(raw, cand, Q * M, numEntities, 'answer');
  if (state.scores.length < CHUNK_ROWS * M) {
    state.scores = store.memory.allocF32(CHUNK_ROWS * M);
    state.dscore = store.memory.allocF32(CHUNK_ROWS * M);
    state.partials = store.memory.allocF32(4 * CHUNK_ROWS * M);
  }
  const kind = SIMILARITY_KERNEL_ID[model.similarity];
  const poincare = model.similarity === 'negSqPoincare'; // scores with stored partials, backward from them
  const d = table.dim;
  const scale = 1 / (Q * M);
  const q = executor.output('q')!.offset, c = executor.output('c')?.offset ?? 0, off = executor.output('offset')?.offset ?? 0;
  const dq = executor.seed('q')!.offset, dc = executor.seed('c')?.offset ?? 0, doff = executor.seed('offset')?.offset ?? 0;
  const scores = state.scores.offset, dscore = state.dscore.offset, partials = state.partials.offset;
  const biasData = bias?.data.offset ?? 0, biasGrad = bias?.grad.offset ?? 0;
  let loss = 0;
  for (let start = 0; start < Q; start += CHUNK_ROWS) {
    const n = Math.min(CHUNK_ROWS, Q - start);
    for (const t of state.queryTables) {
      const ids = (t.byEntity ? entityIds : relationIds).offset + 4 * start;
      if (t.table.dim === 1) raw.gatherValues(n, ids, t.table.data.offset, executor.input(t.name).offset);
      else raw.gatherRows(n, t.table.dim, ids, t.table.data.offset, executor.input(t.name).offset);
    }
    executor.forward(n);
    const candChunk = cand.offset + 4 * start * M;
    if (poincare) raw.poincareScores(n, M, d, q, candChunk, table.data.offset, c, scores, partials);
    else raw.similarityForward(kind, n, M, d, q, candChunk, table.data.offset, c, scores);
    raw.addCandidateBiases(n, M, scores, off, candChunk, biasData);
    if (!settings.doubleNegatives) {
      loss += raw.sampledSoftplusLoss(n, M, 1, scores, dscore, scale);
    } else { // rows < B are the positive queries, the rest negatives; one candidate each
      const pos = Math.max(0, Math.min(B, start + n) - start);
      if (pos > 0) loss += raw.sampledSoftplusLoss(pos, 1, 1, scores, dscore, scale);
      if (n > pos) loss += raw.sampledSoftplusLoss(n - pos, 1, 0, scores + 4 * pos, dscore + 4 * pos, scale);
    }
    if (poincare) raw.poincareScoresBackward(n, M, d, q, candChunk, table.data.offset, dscore, partials, dq, table.grad.offset, dc);
    else raw.similarityBackward(kind, n, M, d, q, candChunk, table.data.offset, c, dscore, dq, table.grad.offset, dc);
    raw.candidateBiasBackward(n, M, dscore, doff, candChunk, biasGrad);
    executor.backward(n);
    for (const t of state.queryTables) {
      const ids = (t.byEntity ? entityIds : relationIds).offset + 4 * start;
      if (t.table.dim === 1) raw.scatterAddValues(n, ids, executor.inputGrad(t.name).offset, t.table.grad.offset);
      else raw.scatterAddRows(n, t.table.dim, ids, executor.inputGrad(t.name).offset, t.table.grad.offset);
    }
  }
  const candIds = cand.array.subarray(0, Q * M);
  table.touch(candIds);
  bias?.touch(candIds);
  for (const t of state.queryTables) {
    // with doubleNegatives every negative query repeats its positive's relation, so the B relation ids cover all
    t.table.touch(t.byEntity ? entityIds.array.subarray(0, Q) : batch.relations);
  }
  return loss + regularizeQueryRows(state, batch, settings) + regularizeGoldAnswers(model, store, batch.answers, settings, B);
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
