/**
 * How much kernel memory one training step needs beside the tables (memory-budget.ts counts those), from the sizes
 * the step code allocates. Kernel memory is a bump allocator (kernels/kernel-memory.ts): a step's blocks stay
 * allocated once made, so the first step of a run needs all of them at once.
 *
 * - Sampled negatives, fused (fused-negative-step.ts, fused-chunks.ts `loadQueries`, fused-step-plan.ts): the ids of
 *   Q query rows and their Q·M candidates (Q = B, M = 1 + N; with double negatives Q = B·(1 + N), M = 1), each block
 *   a quarter larger than asked (`roomFor`); the score, dscore and 4 partial floats of CHUNK_ROWS·M scores
 *   (`scoreRoom`); the query program's row buffers for CHUNK_ROWS rows (query-program.ts `QueryExecutor.reserve`: a
 *   value and a gradient per buffer, aux floats per op, a seed per output). A compact step (fused-compact-step.ts)
 *   has a state of its own, the same again, plus 1.25·U ids and two 1.25·U-row copies (weights, gradient) of every
 *   entity table it reads, U = the step's distinct entities; a step split over two threads (fused-step-parallel.ts)
 *   a shadow gradient of every table it writes and the worker's state.
 * - Sampled negatives without a program (candidate-scoring.ts): q [Q×d], the Q·M candidate ids and their scores.
 * - 1-N (one-to-n-step.ts `kernelState`): the program's row buffers for B rows, 3·1.25·B ids, and the dense loss's
 *   blocked copy of the candidate table (kernels/dense-threads.ts `denseBlockedLength`) with its buffers
 *   (`denseEntityLoss`: the bias, a group's scores, up to SOFTMAX_GROUP_BYTES, its row statistics, q and row losses;
 *   `densePoincareLoss`: two or three run buffers within the same bytes, ‖v‖², Σ G s_X per row and the row losses).
 * - MulDE's top-K (entity-scorer.ts `topKSync` / `poincareTopK`): the blocked table, the per-entity terms, q and
 *   B·K ids and scores; then the Junior's K scores with gradient (fusedCandidateGradients: B·K candidate ids and
 *   CHUNK_ROWS·K score floats), and in every teacher's own memory its B·K candidates (teacher-ensemble.ts).
 */
import type { KgeModel, TableSpec } from './model.js';
import type { OptimizerName } from './optimizers.js';
import type { QueryProgram } from '../kernels/query-program.js';
import { AUX_WIDTH } from '../kernels/fused-kernels.js';
import { denseBlockedLength, paddedEntities } from '../kernels/dense-kernels.js';
import { blockedLength } from '../kernels/top-k-kernels.js';
import { denseLossRuns, poincareRunBuffers } from '../kernels/dense-threads.js';
import { BLOCK_ROOM, CHUNK_ROWS } from './fused-step-plan.js';
import { COMPACT_MIN_TABLE_BYTES } from './fused-compact-step.js';
import { MIN_PARALLEL_ROWS, MIN_PARALLEL_SCORES_FREE_FOLD } from './fused-step-parallel.js';

/** Queries per top-K call of a MulDE candidate-cache refresh (muldE-objective.ts ranks the stale queries in chunks of it). */
export const TOP_K_REFRESH_QUERIES = 2048;

/** What a step's size depends on. */
export interface StepShape {
  /** Queries per step: the batch size, at most the run's training queries. */
  queries: number;
  /** Negatives per query; 0 = 1-N scoring. */
  negatives: number;
  doubleNegatives: boolean;
  /** Per-query loss weights (subsampling). */
  weighted: boolean;
  optimizer: OptimizerName;
  loss: 'bce' | 'nssa' | 'margin';
  numEntities: number;
  numRelations: number;
  /** Kernel threads (a second one splits large steps). */
  threads: number;
  /** MulDE: K, the queries ranked per top-K call, and the number of teachers. */
  topK?: { k: number; queries: number; teachers: number };
}

/** Which flags a part grows with (keys of the options), for the message. */
export type ScratchPart = { what: 'candidates' | 'queryRows' | 'compactRows' | 'shadows' | 'oneToN' | 'topK'; bytes: number };

/** The kernel scratch of one step, by part, and what each teacher's memory needs (MulDE). */
export interface StepScratch {
  parts: ScratchPart[];
  bytes: number;
  /** Bytes each teacher's kernel memory needs for the candidates it scores (beside its own tables). */
  teacherBytes: number;
}

/** Floats per row of a query program's executor (query-program.ts `QueryExecutor.reserve`), inputs of `widths`. */
export function programRowFloats(program: QueryProgram, widths: Readonly<Record<string, number>>): number {
  const current = new Map(Object.entries(widths));
  let floats = 0;
  for (const width of current.values()) floats += 2 * width; // value and gradient of each input
  for (const op of program.ops) {
    const width = Math.max(...op.args.map((a) => current.get(a) ?? 1)) * (op.op === 'phasor' ? 2 : 1);
    current.set(op.out, width);
    floats += 2 * width + ((AUX_WIDTH as Record<string, number>)[op.op] ?? 0);
  }
  for (const name of Object.values(program.outputs)) if (name !== undefined) floats += current.get(name) ?? 1; // seeds
  return floats;
}

/** Floats the Poincaré loss's extra blocks may lose to the allocator's 16-byte alignment. */
const ALIGNMENT_FLOATS = 16;

/**
 * Floats of `denseEntityLoss`'s buffers beside the blocked table (kernels/dense-threads.ts): bias, a group's scores,
 * statistics, q, row losses; for Poincaré models `densePoincareLoss`'s: bias, ‖v‖², a group's run buffers (scores,
 * partials, and dL/ds with tail biases), Σ G s_X, row losses. With `fewest`, the least they can be for any group
 * size — a group of one query — which, unlike the real figure, never falls as E grows (the group shrinks as the
 * entities grow: SOFTMAX_GROUP_BYTES).
 */
function denseLossFloats(B: number, E: number, d: number, fewest: boolean, model: KgeModel): number {
  const Np = paddedEntities(E);
  const poincare = model.similarity === 'negSqPoincare';
  const buffers = poincare ? poincareRunBuffers(model.tailBiasTable !== undefined) : 1;
  if (fewest) return Np + buffers * Np + (poincare ? Np + 1 : 1 + d) + 2;
  const { unit, group } = denseLossRuns(B, E, buffers);
  const G = Math.min(group, B);
  const rows = poincare ? Np + G + ALIGNMENT_FLOATS : G + G * d; // ‖v‖², Σ G s_X and their blocks' alignment, or the row weights and scaled q
  return Np + buffers * Math.ceil(G / unit) * unit * Np + rows + 2 * G;
}

const specOf = (model: KgeModel, name: string): TableSpec => model.tables.find((t) => t.name === name)!;
const rowsOf = (spec: TableSpec, s: StepShape): number => (spec.indexedBy === 'entity' ? s.numEntities : 2 * s.numRelations);

/**
 * The kernel scratch one step of `model` needs with `shape` (see the file comment for where each size comes from).
 * With `fewest`, a figure never above it that never falls as the entities grow (memory-budget.ts `maxEntitiesOf`
 * searches over it).
 */
export function stepScratchOf(model: KgeModel, shape: StepShape, fewest = false): StepScratch {
  const B = shape.queries, E = shape.numEntities;
  const d = specOf(model, model.candidateTable).dim;
  const program = model.fusedQuery;
  const rowFloats = program ? programRowFloats(program, Object.fromEntries(model.queryTables.map((n) => [n, specOf(model, n).dim]))) : 0;
  const parts: ScratchPart[] = [];
  if (shape.negatives === 0) {
    parts.push({ what: 'oneToN', bytes: 4 * (B * rowFloats + 3 * BLOCK_ROOM * B + denseBlockedLength(E, d) + denseLossFloats(B, E, d, fewest, model)) });
  } else {
    const double = shape.doubleNegatives;
    const Q = double ? B * (1 + shape.negatives) : B, M = double ? 1 : 1 + shape.negatives;
    if (!program) {
      parts.push({ what: 'candidates', bytes: 4 * (2 * Q * M + Q * d) });
    } else {
      const ids = 4 * BLOCK_ROOM * (2 * Q + Q * M + (double ? Q : 0) + (shape.weighted ? Q : 0));
      const scores = 4 * 6 * CHUNK_ROWS * M;
      const executor = 4 * CHUNK_ROWS * rowFloats * (double ? 2 : 1); // with double negatives, the hoisted plan's too
      const written = [...new Set([model.candidateTable, ...(model.tailBiasTable ? [model.tailBiasTable] : []), ...model.queryTables])].map((n) => specOf(model, n));
      const parallel = shape.threads > 1 && shape.loss !== 'margin' && (Q >= MIN_PARALLEL_ROWS || (shape.optimizer === 'adam' && Q >= 2 && Q * M >= MIN_PARALLEL_SCORES_FREE_FOLD));
      const compact = !parallel && !double && shape.optimizer !== 'adam' && 4 * E * d >= COMPACT_MIN_TABLE_BYTES;
      parts.push({ what: 'candidates', bytes: (parallel ? 1.5 : 1) * (ids + scores) + (compact ? scores : 0) });
      parts.push({ what: 'queryRows', bytes: executor * (parallel || compact ? 2 : 1) });
      if (parallel) parts.push({ what: 'shadows', bytes: written.reduce((sum, t) => sum + 4 * rowsOf(t, shape) * t.dim, 0) });
      if (compact) {
        const U = Math.min(E, Q * M + Q);
        const entityFloats = written.filter((t) => t.indexedBy === 'entity').reduce((sum, t) => sum + t.dim, 0);
        parts.push({ what: 'compactRows', bytes: 4 * BLOCK_ROOM * U * (1 + 2 * entityFloats) });
      }
    }
  }
  let teacherBytes = 0;
  if (shape.topK) {
    const { k: K, queries: Bt } = shape.topK;
    const padded = blockedLength(E, 1); // entities padded to whole tiles, as the blocked table's rows are
    const scorer = 4 * (blockedLength(E, d) + 7 * padded + 2 * Bt * d + 5 * Bt + 2 * Bt * K); // entity-scorer.ts topKSync / poincareTopK
    const kd = 4 * (BLOCK_ROOM * (2 * B + B * K) + 6 * CHUNK_ROWS * K + (shape.topK.teachers + 2) * CHUNK_ROWS * K); // fusedSeniorKd
    parts.push({ what: 'topK', bytes: scorer + kd });
    const Bteacher = Math.max(B, Bt); // a cache refresh has each teacher score Bt queries' candidates at a time
    teacherBytes = 4 * (BLOCK_ROOM * (2 * Bteacher + Bteacher * K) + 6 * CHUNK_ROWS * K);
  }
  return { parts, bytes: parts.reduce((sum, p) => sum + p.bytes, 0), teacherBytes };
}
