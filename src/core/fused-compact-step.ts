/**
 * The fused negative-sampling step on a compact copy of the entity rows it touches, for tables too large for the
 * caches (issue 17, large graphs). A step touches a few thousand random rows of a table of millions; run in place,
 * every one of them is a cache and TLB miss three times over: its weights in the forward pass, its gradient row in
 * the backward pass (a read-modify-write of an accumulator as large as the table), and its weights, gradient and
 * optimiser state in the update. Here the step's distinct entity ids are numbered 0 … U − 1 (first occurrence
 * order), their rows gathered into a U-row block, and the step runs on that block with the renumbered ids: the
 * forward and backward passes stay in cache and the gradient is a U-row block. The optimiser updates the U table
 * rows from it directly (`ParameterTable.takeCompact`, the row kernels' compact layout); anything else that needs
 * the table's gradient whole folds it in first. A step runs compact only when its entity tables hold no gradient
 * yet (the first gradient of an update: otherwise the step's rows would be added to the earlier ones in another
 * order); then its sums are those of the step in place, row by row in the same order, and every later writer adds
 * after them, so both give the same numbers bit for bit. (Optimiser state in host memory, or a regulariser, folds
 * the block before the update: the same numbers, without the gain in the update.)
 */
import type { F32Block, I32Block } from '../kernels/kernel-memory.js';
import { kernelsForMemory, type KernelExports } from '../kernels/kernels.js';
import type { QueryProgram } from '../kernels/query-program.js';
import type { KgeModel } from './model.js';
import type { CompactRows, ParameterStore, ParameterTable } from './parameter-store.js';
import { BLOCK_ROOM, newStepState, type StepState, type StepTable } from './fused-step-plan.js';
import { checkQueryIds, loadQueries, runFusedChunks, type ChunkLoss, type DrawnQueries } from './fused-chunks.js';
import { RowSlots } from './row-slots.js';
import { plainInts } from './plain-arrays.js';

/**
 * Smallest candidate table (bytes of weights) whose steps run compact. Measured with `npm run bench:scale`
 * (DistMult d = 32, Adagrad, batch 500, 50 negatives shared by chunks of 50): see docs/RESULTS.md.
 */
export const COMPACT_MIN_TABLE_BYTES = 32 << 20;

let policy: 'auto' | 'always' | 'never' = 'auto';

/** Forces compact steps on or off whatever the table size ('auto' restores the size rule); for tests and benchmarks. */
export function setCompactSteps(mode: 'auto' | 'always' | 'never'): void {
  policy = mode;
}

/** The entity-indexed tables a step reads: the candidates, their biases, the entity query tables. */
function entityTablesOf(model: KgeModel, store: ParameterStore): string[] {
  const names = [model.candidateTable, ...(model.tailBiasTable ? [model.tailBiasTable] : []),
    ...model.queryTables.filter((name) => store.table(name).spec.indexedBy === 'entity')];
  return [...new Set(names)];
}

/**
 * Whether a step of this model on these tables runs compact: an optimiser that lists rows, a large candidate table,
 * no gradient in its entity tables yet, and the same rows updated as in place. A compact step updates every one of
 * its rows in every entity table, where the step in place touches a table only by its role (candidates, or query
 * entities); for an optimiser under which a zero gradient moves nothing (Adagrad, SGD) that is the same update, for
 * sparse Adam (whose moments decay) only when each entity table has both roles (DistMult, ComplEx; not the head
 * and tail biases of RotH).
 */
export function compactStepWorthIt(model: KgeModel, store: ParameterStore): boolean {
  const candidates = store.table(model.candidateTable);
  if (policy === 'never' || !candidates.tracksTouched) return false;
  const bothRoles = (name: string): boolean => (name === model.candidateTable || name === model.tailBiasTable) && model.queryTables.includes(name);
  const names = entityTablesOf(model, store);
  if (!names.every((name) => store.table(name).untouchedRowsStill || bothRoles(name))) return false;
  if (policy !== 'always' && 4 * candidates.rows * candidates.dim < COMPACT_MIN_TABLE_BYTES) return false;
  return names.every((name) => noGradientYet(store.table(name)));
}

/** Whether a table holds no gradient of the current update (a pending block of an earlier step is folded first). */
function noGradientYet(table: ParameterTable): boolean {
  table.settle();
  return table.touchedCountNow === 0;
}

/** What the compact step of (store, program) reuses: its state over the compact tables, ids and scratch. */
interface CompactShare {
  state: StepState;
  /** The compact table of each entity-indexed table the step reads, by name. */
  tables: Map<string, StepTable>;
  /** The table row of each compact row, in kernel memory (the optimiser's row list). */
  ids: I32Block;
  slots: RowSlots;
  cand: Int32Array;
  entities: Int32Array;
}

const shares = new WeakMap<ParameterStore, Map<QueryProgram, CompactShare>>();

function compactShare(model: KgeModel, store: ParameterStore, program: QueryProgram): CompactShare {
  let byProgram = shares.get(store);
  if (!byProgram) shares.set(store, (byProgram = new Map()));
  let share = byProgram.get(program);
  if (share) return share;
  const tables = new Map<string, StepTable>();
  for (const name of entityTablesOf(model, store)) {
    tables.set(name, { rows: 0, dim: store.table(name).dim, data: store.memory.allocF32(0), grad: store.memory.allocF32(0) });
  }
  const state = newStepState(model, store, program, kernelsForMemory(store.memory), (name) => tables.get(name) ?? store.table(name));
  share = { state, tables, ids: store.memory.allocI32(0), slots: new RowSlots(), cand: new Int32Array(0), entities: new Int32Array(0) };
  byProgram.set(program, share);
  return share;
}

/** The slot of an id, range-checked against the table's `limit` rows (`what` names the id in the message). */
function slotOf(slots: RowSlots, id: number, limit: number, what: string): number {
  if (!(id >= 0 && id < limit)) throw new RangeError(`fused step: ${what} id ${id} is outside [0, ${limit})`);
  return slots.slotOf(id);
}

/**
 * Renumbers the B×M gold-first candidates into out. With negatives shared by chunks of c queries, a row after the
 * first of its chunk repeats that row's negatives (drawGoldFirst): only its gold answer is looked up.
 */
function renumberCandidates(slots: RowSlots, cand: Int32Array, B: number, M: number, sharedAcross: number, limit: number, out: Int32Array): void {
  for (let b = 0; b < B; b++) {
    const row = b * M;
    out[row] = slotOf(slots, cand[row]!, limit, 'answer');
    const first = (b - (b % sharedAcross)) * M;
    if (first === row) for (let j = row + 1; j < row + M; j++) out[j] = slotOf(slots, cand[j]!, limit, 'answer');
    else out.copyWithin(row + 1, first + 1, first + M);
  }
}

/** Grows a compact table's blocks to `rows` rows (never shrunk; new blocks with a quarter of headroom). */
function reserveRows(store: ParameterStore, table: StepTable, rows: number): void {
  if (table.data.length >= rows * table.dim) return;
  const length = Math.ceil(BLOCK_ROOM * rows) * table.dim;
  table.data = store.memory.allocF32(length);
  table.grad = store.memory.allocF32(length);
}

/**
 * Runs the gold-first negative-sampling step of a drawn batch (no double negatives) compact; `chunkLossOf(state)` is
 * the chunk loss over that state's score blocks. Leaves each entity table's gradient pending as a compact block,
 * touches the relation tables' rows as the step in place does, and returns the loss.
 */
export function compactFusedStep(model: KgeModel, store: ParameterStore, program: QueryProgram, drawn: DrawnQueries,
  chunkLossOf: (state: StepState) => ChunkLoss): number {
  const share = compactShare(model, store, program);
  const { state, tables, slots } = share;
  for (const name of tables.keys()) store.table(name).settle(); // a pending block of the last step is about to be reused
  const { B, Q, M } = drawn;
  const limit = store.table(model.candidateTable).rows;
  if (share.cand.length < Q * M) share.cand = plainInts(Math.ceil(BLOCK_ROOM * Q * M), 'the renumbered candidates of one step (batch size × (1 + negatives))');
  if (share.entities.length < Q) share.entities = new Int32Array(Math.ceil(BLOCK_ROOM * Q));
  slots.reset();
  renumberCandidates(slots, drawn.cand, Q, M, drawn.sharedAcross ?? 1, limit, share.cand);
  for (let i = 0; i < Q; i++) share.entities[i] = slotOf(slots, drawn.entities[i]!, limit, 'entity');
  const U = slots.count;
  if (share.ids.length < U) share.ids = store.memory.allocI32(Math.ceil(BLOCK_ROOM * U));
  share.ids.array.set(slots.ids.subarray(0, U));
  const raw = state.raw;
  for (const [name, table] of tables) {
    const source = store.table(name);
    reserveRows(store, table, U);
    table.rows = U;
    if (table.dim === 1) raw.gatherValues(U, share.ids.offset, source.data.offset, table.data.offset);
    else raw.gatherRows(U, table.dim, share.ids.offset, source.data.offset, table.data.offset);
    raw.zeroFloats(U * table.dim, table.grad.offset);
  }
  loadQueries(state, { B, Q, M, entities: share.entities.subarray(0, Q), relations: drawn.relations, cand: share.cand.subarray(0, Q * M),
    ...(drawn.weights ? { weights: drawn.weights } : {}) });
  checkQueryIds(state, Q, M);
  const loss = runFusedChunks(state, state.direct, B, Q, M, chunkLossOf(state));
  const rows = { ids: share.ids, count: U };
  for (const [name, table] of tables) deferTable(raw, store.table(name), table.grad, rows);
  for (const name of model.queryTables) {
    if (!tables.has(name)) store.table(name).touch(drawn.relations.subarray(0, Q));
  }
  return loss;
}

/** Leaves a compact gradient block pending on its table; its fold adds the rows into the table's accumulator. */
function deferTable(raw: KernelExports, table: ParameterTable, grad: F32Block, rows: CompactRows): void {
  table.deferCompact(grad, rows, () => {
    if (table.dim === 1) raw.scatterAddValues(rows.count, rows.ids.offset, grad.offset, table.grad.offset);
    else raw.scatterAddRows(rows.count, table.dim, rows.ids.offset, grad.offset, table.grad.offset);
    table.touch(rows.ids.array.subarray(0, rows.count));
  });
}
