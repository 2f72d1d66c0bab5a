/**
 * The chunk loop of the fused steps, and what feeds it: queries drawn into plain memory are loaded into a step
 * state's id blocks and range-checked once; then, chunk by chunk of CHUNK_ROWS query rows (so every intermediate row
 * buffer stays in cache), the query tables' rows are gathered, the program runs forward, the candidates are scored
 * (`similarityForward`, or for the Poincaré similarity `poincareScores`, which keeps the partials for the backward;
 * then the biases), the loss writes dL/ds, the similarity's VJP adds dL/de into the candidate table's accumulator and
 * returns dL/dq (and dL/dc), the program runs backward, and the input-row gradients are scatter-added into the query
 * tables' accumulators — all through the state's kernels (the real ones, or a worker's recorder).
 */
import { SIMILARITY_KERNEL_ID } from './candidate-scoring.js';
import { CHUNK_ROWS, f32Room, i32Room, scoreRoom, type Plan, type StepState } from './fused-step-plan.js';
import { checkIds, gatherQueryRows, scatterQueryGradients } from './query-inputs.js';
import type { SampledLoss } from './losses.js';

/** A step's queries in plain memory: ids, candidates and (double negatives) the positive query of each row. */
export interface DrawnQueries {
  /** Positive queries (rows [0, B) are the batch's; with double negatives the B·N negatives follow). */
  B: number;
  Q: number;
  /** Candidates per query row. */
  M: number;
  entities: Int32Array;
  relations: Int32Array;
  cand: Int32Array;
  /** Positive query (group) of each row, with double negatives. */
  groups?: Int32Array;
  /** Chunk length c of shared negatives: rows of a chunk repeat its first row's candidates after the gold one. */
  sharedAcross?: number;
  /** Loss weight of each query row (gold-first rows only); absent: unweighted. */
  weights?: Float32Array;
}

/** Copies drawn queries into a state's id blocks. */
export function loadQueries(state: StepState, drawn: DrawnQueries): void {
  i32Room(state, 'entityIds', drawn.Q).array.set(drawn.entities);
  i32Room(state, 'relationIds', drawn.Q).array.set(drawn.relations);
  i32Room(state, 'cand', drawn.Q * drawn.M).array.set(drawn.cand);
  if (drawn.groups) i32Room(state, 'groupIds', drawn.Q).array.set(drawn.groups);
  if (drawn.weights) f32Room(state, 'weights', drawn.Q).array.set(drawn.weights);
  scoreRoom(state, CHUNK_ROWS * drawn.M);
}

/** Range-checks the ids of the queries loaded into a state (once per step, with the real kernels). */
export function checkQueryIds(state: StepState, Q: number, M: number): void {
  let entityRows = state.candidate.rows, relationRows = Infinity;
  for (const t of state.queryTables) {
    if (t.byEntity) entityRows = Math.min(entityRows, t.table.rows);
    else relationRows = Math.min(relationRows, t.table.rows);
  }
  checkIds(state.raw, state.entityIds, Q, entityRows, 'fused step: entity');
  if (relationRows !== Infinity) checkIds(state.raw, state.relationIds, Q, relationRows, 'fused step: relation');
  checkIds(state.raw, state.cand, Q * M, state.candidate.rows, 'fused step: answer');
}

/** dL/ds of a chunk: rows [start, start + n) of Q queries, scores and dscore as byte offsets of n×M floats. */
export type ChunkLoss = (start: number, n: number, scores: number, dscore: number) => number;

/**
 * The chunk loop shared by the fused steps: for queries [0, Q) whose ids and candidates are in the state's
 * entityIds/relationIds/cand (and groupIds for a hoisted plan; ids checked by the caller), runs the program
 * forward, scores the M candidates of each, asks `chunkLoss` for dL/ds, and backpropagates into the state's
 * tables' accumulators. Returns the summed loss.
 */
export function runFusedChunks(state: StepState, plan: Plan, B: number, Q: number, M: number, chunkLoss: ChunkLoss, backward = true): number {
  const { raw, cand, groupIds } = state;
  const table = state.candidate;
  const bias = state.bias;
  const { inner, outer } = plan;
  if (outer) { // relation-only part once per positive query (relationIds[0, B) = the batch's relations)
    outer.reserve(B);
    gatherQueryRows(raw, plan.outerTables, state.entityIds, state.relationIds, outer, 0, B);
    outer.forward(B);
    for (const b of plan.boundary) raw.zeroFloats(B * b.width, outer.seed(b.name)!.offset);
  }
  const kind = SIMILARITY_KERNEL_ID[state.similarity];
  const poincare = state.similarity === 'negSqPoincare'; // scores with stored partials, backward from them
  const d = table.dim;
  const q = inner.output('q')!.offset, c = inner.output('c')?.offset ?? 0, off = inner.output('offset')?.offset ?? 0;
  const dq = inner.seed('q')!.offset, dc = inner.seed('c')?.offset ?? 0, doff = inner.seed('offset')?.offset ?? 0;
  const scores = state.scores.offset, dscore = state.dscore.offset, partials = state.partials.offset;
  const biasData = bias?.data.offset ?? 0, biasGrad = bias?.grad.offset ?? 0;
  let loss = 0;
  for (let start = 0; start < Q; start += CHUNK_ROWS) {
    const n = Math.min(CHUNK_ROWS, Q - start);
    gatherQueryRows(raw, plan.innerTables, state.entityIds, state.relationIds, inner, start, n);
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
    scatterQueryGradients(raw, plan.innerTables, state.entityIds, state.relationIds, inner, start, n);
    for (const b of plan.boundary) {
      if (b.width === 1) raw.scatterAddValues(n, groups, inner.inputGrad(b.name).offset, outer!.seed(b.name)!.offset);
      else raw.scatterAddRows(n, b.width, groups, inner.inputGrad(b.name).offset, outer!.seed(b.name)!.offset);
    }
  }
  if (outer && backward) {
    outer.backward(B);
    scatterQueryGradients(raw, plan.outerTables, state.entityIds, state.relationIds, outer, 0, B);
  }
  return loss;
}

/** Byte offset of the weights of rows [start, …) in a state's block (loaded by loadQueries), or 0 for unweighted rows. */
const weightsAt = (state: StepState, drawn: DrawnQueries, start: number): number => (drawn.weights ? state.weights.offset + 4 * start : 0);

/**
 * dL/ds of a sub-batch's chunk: BCE over gold-first rows (each row's terms times its weight, if weighted), or with
 * double negatives positives [0, B) then negatives.
 */
export function bceChunkLoss(state: StepState, drawn: DrawnQueries, doubleNegatives: boolean, scale: number): ChunkLoss {
  const { B, M } = drawn;
  const raw = state.raw;
  return (start, n, scores, dscore) => {
    if (!doubleNegatives) return raw.sampledSoftplusLoss(n, M, 1, scores, dscore, scale, weightsAt(state, drawn, start));
    // rows < B are the positive queries, the rest negatives; one candidate each
    const pos = Math.max(0, Math.min(B, start + n) - start);
    let value = 0;
    if (pos > 0) value += raw.sampledSoftplusLoss(pos, 1, 1, scores, dscore, scale, 0);
    if (n > pos) value += raw.sampledSoftplusLoss(n - pos, 1, 0, scores + 4 * pos, dscore + 4 * pos, scale, 0);
    return value;
  };
}

/**
 * dL/ds of a chunk of gold-first rows under the self-adversarial loss (kernel); `scale` is ½ over the whole batch's
 * query count, or over its Σw when the rows are weighted.
 */
export function nssaChunkLoss(state: StepState, drawn: DrawnQueries, loss: SampledLoss, scale: number): ChunkLoss {
  return (start, n, scores, dscore) => state.raw.sampledNssaLoss(n, drawn.M, scores, dscore, loss.margin, loss.adversarialTemperature, scale,
    weightsAt(state, drawn, start));
}
