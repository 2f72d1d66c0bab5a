/**
 * The fused negative-sampling step on two cores. The drawn batch is split into two halves of its positive queries
 * (with double negatives each half keeps its own queries' negatives, so each half is a sub-batch in the usual
 * layout). The second half's kernel calls are recorded against a second step state — its own scratch blocks and its
 * own gradient accumulators ("shadow" gradients, one per table) — and run by the kernel worker on the shared memory
 * while the main thread runs the first half. The worker's gradients are then folded into the tables' accumulators
 * when they are needed whole (`ParameterTable.deferFold`: dense Adam adds them in its own sweep; otherwise
 * `addRowsAndClear` over the rows the worker wrote, which also clears the shadow rows), in a fixed order. The draws
 * and the loss are those of one thread; only the order of the sums differs, so a run is reproducible for a given
 * thread count (KGDISTILL_THREADS=1 keeps the one-thread step exactly).
 */
import { kernelsForMemory, type KernelExports, type Kernels } from '../kernels/kernels.js';
import type { I32Block } from '../kernels/kernel-memory.js';
import { KernelWorker, type CallList } from '../kernels/kernel-worker.js';
import type { QueryProgram } from '../kernels/query-program.js';
import type { KgeModel } from './model.js';
import type { ParameterStore } from './parameter-store.js';
import { BLOCK_ROOM, hoistedPlan, newStepState, stepState, type StepState, type StepTable } from './fused-step-plan.js';
import { loadQueries, runFusedChunks, type ChunkLoss, type DrawnQueries } from './fused-chunks.js';

/**
 * Fewest query rows (B, or B·(1 + N) with double negatives) worth splitting: measured on WN18RR at d = 32, a step of
 * 1,000 rows ran slower on two threads (RotH 4.2 → 4.7 ms, DistMult 2.4 → 3.1 ms: the round trip and the fold of
 * the worker's gradients cost more than half the work), one of 51,000 rows faster (RotH 17.3 → 12.4 ms).
 */
export const MIN_PARALLEL_ROWS = 4096;


/** Records kernel calls into the worker's call list instead of running them (the loss calls' results are collected). */
class CallRecorder {
  private list?: CallList;
  /** False once a call did not fit the mailbox. */
  fits = true;
  private readonly functions = new Map<string, (...args: number[]) => number>();

  /** A KernelExports whose every function appends its call to the current list (and returns 0). */
  exports(): KernelExports {
    return new Proxy({}, {
      get: (_target, name: string) => {
        let f = this.functions.get(name);
        if (!f) {
          const collect = name === 'sampledSoftplusLoss' || name === 'sampledNssaLoss';
          f = (...args: number[]) => {
            if (this.fits && !this.list!.add(name, args, collect)) this.fits = false;
            return 0;
          };
          this.functions.set(name, f);
        }
        return f;
      },
    }) as KernelExports;
  }

  /** Starts recording into a fresh list of the worker's. */
  reset(list: CallList): void {
    this.list = list;
    this.fits = true;
  }
}

/** What the worker's half reuses between steps: its recording state, shadow gradients and row scratch. */
interface WorkerShare {
  worker: KernelWorker;
  recorder: CallRecorder;
  state: StepState;
  /** Shadow gradient of each table the step writes, by table name. */
  shadows: Map<string, StepTable>;
  rows: Map<string, I32Block>;
  marks: Map<string, I32Block>;
}

const shares = new WeakMap<ParameterStore, Map<QueryProgram, WorkerShare | null>>();

/** The worker's share of (store, program), or null on one thread. */
function share(model: KgeModel, store: ParameterStore, program: QueryProgram): WorkerShare | null {
  let byProgram = shares.get(store);
  if (!byProgram) shares.set(store, (byProgram = new Map()));
  if (byProgram.has(program)) return byProgram.get(program)!;
  const kernels = kernelsForMemory(store.memory);
  const worker = kernels.worker();
  if (!worker) {
    byProgram.set(program, null);
    return null;
  }
  const recorder = new CallRecorder();
  const recording = { raw: recorder.exports(), memory: store.memory } as unknown as Kernels;
  const shadows = new Map<string, StepTable>();
  const shadowOf = (name: string): StepTable => {
    let shadow = shadows.get(name);
    if (!shadow) {
      const table = store.table(name);
      shadow = { rows: table.rows, dim: table.dim, data: table.data, grad: store.memory.allocF32(table.rows * table.dim) };
      shadows.set(name, shadow);
    }
    return shadow;
  };
  const state = newStepState(model, store, program, recording, shadowOf);
  const value: WorkerShare = { worker, recorder, state, shadows, rows: new Map(), marks: new Map() };
  byProgram.set(program, value);
  return value;
}

/**
 * Fewest scores (query rows × candidates) worth splitting when folding the worker's gradients costs nothing (dense
 * Adam adds them in its own sweep; no rows are tracked): WN18RR, 500 queries × 51 candidates, Adam, quiet: DistMult
 * epochs 0.90 → 0.74 s, RotH 1.20 → 0.94 s. With row folds (Adagrad) the same split was slower (FB15k-237 DistMult
 * step 1.31 → 1.65 ms), so there the row gate alone applies.
 */
export const MIN_PARALLEL_SCORES_FREE_FOLD = 16384;

/** Whether the step of this store can run on two threads for a batch of Q query rows with M candidates each. */
export function parallelStepReady(store: ParameterStore, Q: number, M = 1): boolean {
  if (kernelsForMemory(store.memory).worker() === null) return false;
  if (Q >= MIN_PARALLEL_ROWS) return true;
  const foldsAreFree = store.tables().every((t) => !t.tracksTouched);
  return foldsAreFree && Q >= 2 && Q * M >= MIN_PARALLEL_SCORES_FREE_FOLD;
}

/** Queries [b0, b1) of a drawn batch, with their negatives when the batch has double negatives (own group ids). */
function half(drawn: DrawnQueries, b0: number, b1: number): DrawnQueries {
  const { B, M } = drawn;
  const Bh = b1 - b0;
  if (!drawn.groups) {
    return { B: Bh, Q: Bh, M, entities: drawn.entities.slice(b0, b1), relations: drawn.relations.slice(b0, b1), cand: drawn.cand.slice(b0 * M, b1 * M),
      ...(drawn.weights ? { weights: drawn.weights.slice(b0, b1) } : {}) };
  }
  const N = (drawn.Q - B) / B;
  const take = (ids: Int32Array): Int32Array => {
    const out = new Int32Array(Bh * (1 + N));
    out.set(ids.subarray(b0, b1));
    out.set(ids.subarray(B + b0 * N, B + b1 * N), Bh);
    return out;
  };
  const groups = new Int32Array(Bh * (1 + N));
  for (let b = 0; b < Bh; b++) {
    groups[b] = b;
    groups.fill(b, Bh + b * N, Bh + (b + 1) * N);
  }
  return { B: Bh, Q: Bh * (1 + N), M, entities: take(drawn.entities), relations: take(drawn.relations), cand: take(drawn.cand), groups };
}

/** The distinct ids among the first n of an id block (first-occurrence order), by the uniqueRows kernel. */
function distinct(s: WorkerShare, store: ParameterStore, key: 'cand' | 'entities' | 'relations', ids: I32Block, n: number, limit: number): { block: I32Block; count: number } {
  const memory = store.memory;
  let mark = s.marks.get(key);
  if (!mark || mark.length < limit) s.marks.set(key, (mark = memory.allocI32(limit))); // zeroed; uniqueRows leaves it so
  let block = s.rows.get(key);
  if (!block || block.length < n) s.rows.set(key, (block = memory.allocI32(Math.ceil(BLOCK_ROOM * n))));
  return { block, count: kernelsForMemory(memory).raw.uniqueRows(ids.offset, n, mark.offset, block.offset) };
}

/** The rows the worker's half wrote gradients to: distinct candidates, query entities and relations. */
interface WrittenRows {
  cand: { block: I32Block; count: number };
  entities: { block: I32Block; count: number };
  relations: { block: I32Block; count: number };
}

/** The rows of the worker's half (loaded in its state's id blocks). */
function writtenRows(s: WorkerShare, model: KgeModel, store: ParameterStore, part: DrawnQueries): WrittenRows {
  const entityRows = store.table(model.candidateTable).rows;
  return {
    cand: distinct(s, store, 'cand', s.state.cand, part.Q * part.M, entityRows),
    entities: distinct(s, store, 'entities', s.state.entityIds, part.Q, entityRows),
    relations: distinct(s, store, 'relations', s.state.relationIds, part.Q, 2 * model.config.numRelations),
  };
}

/** Fewest rows of a fold worth sharing with the worker. */
const MIN_PARALLEL_FOLD_ROWS = 1024;

/**
 * Leaves the worker's shadow gradients for each table to fold when its gradient is needed whole (the optimiser:
 * dense Adam adds a shadow in its own sweep over the table; the others fold every row the worker's half wrote, the
 * lists computed then). Each list's rows are distinct, so the worker folds the second half of a long list while the
 * main thread folds the first (the same sums as one thread); lists run one after the other, as they may share rows.
 */
function deferShadowFolds(s: WorkerShare, model: KgeModel, store: ParameterStore, raw: KernelExports, second: DrawnQueries): void {
  let lists: WrittenRows | undefined;
  const add = (name: string, list: { block: I32Block; count: number }): void => {
    const table = store.table(name);
    const shadow = s.shadows.get(name)!.grad.offset;
    const mine = list.count >= MIN_PARALLEL_FOLD_ROWS ? list.count >> 1 : list.count;
    const theirs = mine < list.count ? [list.count - mine, table.dim, list.block.offset + 4 * mine, shadow, table.grad.offset] : null;
    KernelWorker.beside(s.worker, 'addRowsAndClear', theirs, () => raw.addRowsAndClear(mine, table.dim, list.block.offset, shadow, table.grad.offset));
  };
  for (const [name, shadow] of s.shadows) {
    store.table(name).deferFold(shadow.grad, () => {
      lists ??= writtenRows(s, model, store, second);
      // a table may be both a candidate table and a query table: a second fold of a row adds the zeros the first left
      if (name === model.candidateTable || name === model.tailBiasTable) add(name, lists.cand);
      if (model.queryTables.includes(name)) add(name, store.table(name).spec.indexedBy === 'entity' ? lists.entities : lists.relations);
    });
  }
}

/**
 * Runs the step of a drawn batch (ids already checked) on two threads with the chunk loss `lossOf(state, half)` (BCE
 * or the self-adversarial kernel: losses whose rows are independent); returns the loss. The main state's id blocks
 * are left holding the first half.
 */
export function parallelFusedStep(model: KgeModel, store: ParameterStore, program: QueryProgram, drawn: DrawnQueries,
  doubleNegatives: boolean, lossOf: (state: StepState, half: DrawnQueries) => ChunkLoss): number {
  const s = share(model, store, program)!;
  for (const name of s.shadows.keys()) store.table(name).settle(); // the previous step's folds read the worker's id blocks
  const main = stepState(model, store, program);
  const split = Math.ceil(drawn.B / 2);
  const first = half(drawn, 0, split);
  const second = half(drawn, split, drawn.B);
  const runOnMain = (part: DrawnQueries): number => {
    loadQueries(main, part);
    return runFusedChunks(main, (doubleNegatives ? hoistedPlan(main, program) : null) ?? main.direct, part.B, part.Q, part.M,
      lossOf(main, part));
  };
  // record the worker's half against its own state, then run both halves at once
  loadQueries(s.state, second);
  s.recorder.reset(s.worker.calls());
  runFusedChunks(s.state, (doubleNegatives ? hoistedPlan(s.state, program) : null) ?? s.state.direct, second.B, second.Q, second.M,
    lossOf(s.state, second));
  if (!s.recorder.fits) return runOnMain(first) + runOnMain(second); // too many calls for the mailbox: one thread
  s.worker.post();
  // the worker's half is waited for even when the main half fails (the next step must not rewrite its mailbox while
  // it runs), and after a failure on either side its gradients are dropped, not folded into a later step
  let losses: { result: number; worker: number };
  try {
    losses = s.worker.alongside(() => runOnMain(first));
  } catch (error) {
    for (const shadow of s.shadows.values()) shadow.grad.array.fill(0);
    throw error;
  }
  deferShadowFolds(s, model, store, main.raw, second);
  return losses.result + losses.worker;
}
