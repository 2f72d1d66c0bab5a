/**
 * What the fused negative-sampling step (fused-negative-step.ts) keeps between steps, per parameter store and
 * query program: the compiled executors and the id, score and gradient blocks in kernel memory.
 *
 * Two plans run a program:
 * - `direct`: one executor over query rows; every query table is gathered per query.
 * - `hoisted` (double negatives): the program is split (query-program-split.ts) into its relation-only part, run
 *   once per positive query (the B group rows: every negative repeats its positive's relation), and the rest, run
 *   per query, which reads the relation-only results ("boundary" buffers) through the group index of each query.
 */
import { kernelsForMemory, type KernelExports, type Kernels } from '../kernels/kernels.js';
import { QueryExecutor, type QueryProgram } from '../kernels/query-program.js';
import { splitQueryProgram } from '../kernels/query-program-split.js';
import type { F32Block, I32Block } from '../kernels/kernel-memory.js';
import type { KgeModel, SimilarityName } from './model.js';
import type { ParameterStore } from './parameter-store.js';

/** Query rows per chunk: small enough that a chunk's row buffers (inputs, intermediates, gradients) stay in L2. */
export const CHUNK_ROWS = 256;

/** What a step reads and writes of a parameter table: its values and a gradient accumulator (its own, or a worker's). */
export interface StepTable {
  rows: number;
  dim: number;
  data: F32Block;
  grad: F32Block;
}

/** A query table and whether entity ids (else relation ids) index it. */
export interface QueryTable {
  name: string;
  table: StepTable;
  byEntity: boolean;
}

/** How a program runs: per-query executor and tables, and the optional relation-only part. */
export interface Plan {
  /** Runs on chunks of query rows (the whole program, or its per-query part). */
  inner: QueryExecutor;
  /** Tables gathered per query row into `inner`. */
  innerTables: QueryTable[];
  /** The relation-only part, run on the B group rows (hoisted plan only). */
  outer?: QueryExecutor;
  /** Tables gathered per group row into `outer`. */
  outerTables: QueryTable[];
  /** Boundary buffers: outputs of `outer`, inputs of `inner`, with their widths. */
  boundary: { name: string; width: number }[];
}

/** Everything a step reuses. */
export interface StepState {
  /** The kernels the step calls (the real ones, or a worker's recorder); `raw` is `kernels.raw`. */
  kernels: Kernels;
  raw: KernelExports;
  similarity: SimilarityName;
  /** The candidate table and the tail biases, as this step writes them. */
  candidate: StepTable;
  bias?: StepTable;
  direct: Plan;
  /** Created on the first step with double negatives; undefined when nothing is relation-only (then `direct`). */
  hoisted?: Plan | null;
  queryTables: QueryTable[];
  entityIds: I32Block;
  relationIds: I32Block;
  cand: I32Block;
  /** Group (positive query) of each query row (hoisted plan). */
  groupIds: I32Block;
  scores: F32Block;
  dscore: F32Block;
  /** Partials of the Poincaré scores (poincareScores), four floats per score. */
  partials: F32Block;
  /** Loss weight of each query row, when the step's rows are weighted. */
  weights: F32Block;
}

const states = new WeakMap<ParameterStore, Map<QueryProgram, StepState>>();

/** Grows an id block of the state to hold `length` ids (blocks are never shrunk). */
export function i32Room(state: StepState, key: 'entityIds' | 'relationIds' | 'cand' | 'groupIds', length: number): I32Block {
  if (state[key].length < length) state[key] = state.kernels.memory.allocI32(roomFor(length));
  return state[key];
}

/** The float twin of i32Room: the state's float block `key` with room for `length` values. */
export function f32Room(state: StepState, key: 'weights', length: number): F32Block {
  if (state[key].length < length) state[key] = state.kernels.memory.allocF32(roomFor(length));
  return state[key];
}

/** How much longer than asked a growing block is allocated: a quarter more, so a slowly growing need reallocates rarely. */
export const BLOCK_ROOM = 1.25;

/** The length a growing block is allocated with (BLOCK_ROOM times what is asked). */
const roomFor = (length: number): number => Math.ceil(BLOCK_ROOM * length);

/** Grows the score, dscore and partials blocks to `perChunk` scores per chunk. */
export function scoreRoom(state: StepState, perChunk: number): void {
  if (state.scores.length >= perChunk) return;
  const memory = state.kernels.memory;
  state.scores = memory.allocF32(perChunk);
  state.dscore = memory.allocF32(perChunk);
  state.partials = memory.allocF32(4 * perChunk);
}

/** The state of (store, program), created on first use. */
export function stepState(model: KgeModel, store: ParameterStore, program: QueryProgram): StepState {
  let byProgram = states.get(store);
  if (!byProgram) states.set(store, (byProgram = new Map()));
  let state = byProgram.get(program);
  if (state) return state;
  state = newStepState(model, store, program, kernelsForMemory(store.memory), (name) => store.table(name));
  byProgram.set(program, state);
  return state;
}

/** A new state whose calls go to `kernels` and whose tables are `tableOf(name)` (a worker's share has its own). */
export function newStepState(model: KgeModel, store: ParameterStore, program: QueryProgram, kernels: Kernels, tableOf: (name: string) => StepTable): StepState {
  const queryTables = model.queryTables.map((name) => ({ name, table: tableOf(name), byEntity: store.table(name).spec.indexedBy === 'entity' }));
  const inner = new QueryExecutor(kernels, program, Object.fromEntries(queryTables.map((t) => [t.name, t.table.dim])));
  const candidateDim = tableOf(model.candidateTable).dim;
  if (inner.queryWidth !== candidateDim) {
    throw new Error(`fused step: the program's q has width ${inner.queryWidth}, the candidates ${candidateDim}`);
  }
  inner.reserve(CHUNK_ROWS);
  const noI32 = (): I32Block => store.memory.allocI32(0);
  const noF32 = (): F32Block => store.memory.allocF32(0);
  return {
    kernels, raw: kernels.raw, similarity: model.similarity, candidate: tableOf(model.candidateTable),
    ...(model.tailBiasTable ? { bias: tableOf(model.tailBiasTable) } : {}),
    direct: { inner, innerTables: queryTables, outerTables: [], boundary: [] }, queryTables,
    entityIds: noI32(), relationIds: noI32(), cand: noI32(), groupIds: noI32(), scores: noF32(), dscore: noF32(),
    partials: noF32(), weights: noF32(),
  };
}

/** The hoisted plan of a state (null when the program has no relation-only op), created on first use. */
export function hoistedPlan(state: StepState, program: QueryProgram): Plan | null {
  if (state.hoisted !== undefined) return state.hoisted;
  const relationTables = state.queryTables.filter((t) => !t.byEntity);
  const split = splitQueryProgram(program, new Set(relationTables.map((t) => t.name)));
  if (split.outer.ops.length === 0) return (state.hoisted = null);
  const kernels = state.kernels;
  const outer = new QueryExecutor(kernels, split.outer, Object.fromEntries(relationTables.map((t) => [t.name, t.table.dim])));
  const boundary = split.boundary.map((name) => ({ name, width: outer.outputWidth(name) }));
  const entityTables = state.queryTables.filter((t) => t.byEntity);
  const innerWidths = Object.fromEntries([...entityTables.map((t) => [t.name, t.table.dim] as const),
    ...boundary.map((b) => [b.name, b.width] as const)]);
  const inner = new QueryExecutor(kernels, split.inner, innerWidths);
  inner.reserve(CHUNK_ROWS);
  return (state.hoisted = { inner, innerTables: entityTables, outer, outerTables: relationTables, boundary });
}
