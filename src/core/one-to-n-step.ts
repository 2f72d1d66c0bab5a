/**
 * One training step with 1-N scoring (Dettmers et al. 2018; Lacroix et al. 2018): every query is scored against
 * all entities and trained on its gold answer with softmax cross-entropy, L = mean_b (log Σ_j exp s_bj − s_{b,g_b})
 * (`softmax`, the default; Chami et al. 2020's released code), or with binary cross-entropy against every entity,
 * L = mean_{b,j} (softplus(s_bj) − [j = g_b]·s_bj) (`bce`: PyKEEN's LCWA with BCE; losses.ts
 * allEntityBinaryCrossEntropy).
 * The candidate table's gradient is dense, so the optimiser then visits every row. Two paths:
 * - kernels, for dot-product models with a fused query program (unless the path is `tfjs`, or `auto` on a native
 *   backend): the program forward on the B query rows, the fused dense softmax or binary cross-entropy with its VJP
 *   on both threads (src/kernels/dense-threads.ts: dq, and dE, dβ straight into the tables' accumulators; the same
 *   bits on one thread), the program backward; no [B×N] matrix outside kernel memory and no tfjs op. Poincaré models
 *   (RotH, RefH, AttH, MuRP) take the same path with either loss (kernels/assembly/dense-poincare.ts: dq, the
 *   curvature's dc and, with `bce`, the offset's gradient into the program's seeds).
 * - tfjs: the whole table on the tape; with the softmax, dot-product models take `dotSoftmaxCrossEntropy` (the
 *   reference of the kernel path); the others, and every model with `bce`, the generic similarity and the loss's
 *   tfjs definition (losses.ts).
 * A per-query offset (head bias) shifts a row's scores and leaves its softmax unchanged: its gradient is zero. It
 * does change the binary cross-entropy, which the kernel path leaves out: such a model trains `bce` on the tfjs path.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KgeModel } from './model.js';
import type { ParameterStore, ParameterTable } from './parameter-store.js';
import { allEntityBinaryCrossEntropy, rowRegularizer, softmaxCrossEntropy } from './losses.js';
import { similarityAll } from './similarity-tf.js';
import { dotSoftmaxCrossEntropy } from './dot-softmax-loss.js';
import { regularizeGoldAnswers, regularizeQueryRows, type QueryBatch, type RegularizerSettings } from './batch.js';
import { runTape, type TapeInput } from './tape.js';
import { hasNativeGatherGradient } from './backend.js';
import { fusedStepSupports } from './fused-negative-step.js';
import { kernelsForMemory, type Kernels } from '../kernels/kernels.js';
import { QueryExecutor, type QueryProgram } from '../kernels/query-program.js';
import { subF32, subI32, type I32Block } from '../kernels/kernel-memory.js';
import { denseEntityLoss, densePoincareLoss } from '../kernels/dense-threads.js';
import { checkIds, gatherQueryRows, scatterQueryGradients } from './query-inputs.js';
import { BLOCK_ROOM, type QueryTable } from './fused-step-plan.js';

/** The loss of 1-N training: softmax cross-entropy, or binary cross-entropy against every entity. */
export type OneToNLoss = 'softmax' | 'bce';

/** Settings of a 1-N step: the regulariser and, optionally, the loss (`softmax`) and scoring path (`auto`). */
export interface OneToNSettings extends RegularizerSettings {
  path?: 'auto' | 'fused' | 'tfjs';
  oneToNLoss?: OneToNLoss;
}

/** Runs one 1-N step: accumulates gradients into the tables and returns the loss (no update). */
export function oneToNGradients(model: KgeModel, store: ParameterStore, batch: QueryBatch, settings: OneToNSettings): number {
  if (batch.weights) throw new Error('1-N training has no per-query weights: train weighted queries with sampled negatives');
  return oneToNKernelPath(model, store, settings.path ?? 'auto', settings.oneToNLoss)
    ? kernelOneToNGradients(model, store, batch, settings)
    : tfjsOneToNGradients(model, store, batch, settings);
}

/**
 * Whether the 1-N step of this model runs in kernels (a usable fused query program: a dot product, without a per-query
 * offset when the loss is `bce`, or the Poincaré distance with a curvature from the program; path allowing).
 */
export function oneToNKernelPath(model: KgeModel, store: ParameterStore, path: 'auto' | 'fused' | 'tfjs', loss: OneToNLoss = 'softmax'): boolean {
  if (path === 'tfjs' || !model.fusedQuery) return false;
  if (model.similarity === 'negSqPoincare') {
    if (model.fusedQuery.outputs.c === undefined) return false;
  } else if (model.similarity !== 'dot' || (loss === 'bce' && model.fusedQuery.outputs.offset !== undefined)) {
    return false;
  }
  if (path === 'auto' && hasNativeGatherGradient(tf.getBackend())) return false;
  return fusedStepSupports(model, store);
}

/** What the kernel path keeps per (store, program): the compiled program and the id blocks. */
interface KernelState {
  kernels: Kernels;
  executor: QueryExecutor;
  entity: I32Block;
  relation: I32Block;
  gold: I32Block;
}

const states = new WeakMap<ParameterStore, Map<QueryProgram, KernelState>>();

/** The kernel state of (store, program) with room for B queries. */
function kernelState(model: KgeModel, store: ParameterStore, program: QueryProgram, B: number): KernelState {
  let byProgram = states.get(store);
  if (!byProgram) states.set(store, (byProgram = new Map()));
  let state = byProgram.get(program);
  if (!state) {
    const kernels = kernelsForMemory(store.memory);
    const executor = new QueryExecutor(kernels, program, Object.fromEntries(model.queryTables.map((n) => [n, store.table(n).dim])));
    const d = store.table(model.candidateTable).dim;
    if (executor.queryWidth !== d) throw new Error(`1-N step: the program's q has width ${executor.queryWidth}, the candidates ${d}`);
    const none = store.memory.allocI32(0);
    state = { kernels, executor, entity: none, relation: none, gold: none };
    byProgram.set(program, state);
  }
  if (state.gold.length < B) {
    const room = Math.ceil(BLOCK_ROOM * B);
    state.entity = store.memory.allocI32(room);
    state.relation = store.memory.allocI32(room);
    state.gold = store.memory.allocI32(room);
  }
  state.executor.reserve(B);
  return state;
}

/** The 1-N step in kernels (see the file comment). */
function kernelOneToNGradients(model: KgeModel, store: ParameterStore, batch: QueryBatch, settings: OneToNSettings): number {
  const program = model.fusedQuery!;
  const B = batch.entities.length;
  const state = kernelState(model, store, program, B);
  const { kernels, executor: ex } = state;
  const raw = kernels.raw;
  state.entity.array.set(batch.entities);
  state.relation.array.set(batch.relations);
  state.gold.array.set(batch.answers);
  const table = store.table(model.candidateTable);
  const bias = model.tailBiasTable ? store.table(model.tailBiasTable) : undefined;
  const tables: QueryTable[] = model.queryTables.map((name) => ({ name, table: store.table(name), byEntity: store.table(name).spec.indexedBy === 'entity' }));
  for (const t of tables) checkIds(raw, t.byEntity ? state.entity : state.relation, B, t.table.rows, `1-N step: ${t.name}`);
  checkIds(raw, state.gold, B, table.rows, '1-N step: answer');
  gatherQueryRows(raw, tables, state.entity, state.relation, ex, 0, B);
  ex.forward(B);
  const d = table.dim;
  const loss = settings.oneToNLoss ?? 'softmax';
  const scale = loss === 'bce' ? 1 / (B * table.rows) : 1 / B; // BCE is the mean over all B·N scores
  const common = { B, N: table.rows, d, table: table.data, bias: bias?.data ?? null, q: subF32(ex.output('q')!, 0, B * d),
    gold: subI32(state.gold, 0, B), dq: subF32(ex.seed('q')!, 0, B * d), gTable: table.grad, gBias: bias?.grad ?? null, scale };
  const poincare = model.similarity === 'negSqPoincare';
  const withOffset = poincare && loss === 'bce' && program.outputs.offset !== undefined; // a softmax ignores it
  const lossSum = poincare
    ? densePoincareLoss(kernels, { ...common, loss, c: subF32(ex.output('c')!, 0, B), dc: subF32(ex.seed('c')!, 0, B),
      offset: withOffset ? subF32(ex.output('offset')!, 0, B) : null, doffset: withOffset ? subF32(ex.seed('offset')!, 0, B) : null })
    : denseEntityLoss(kernels, { ...common, loss });
  // the offset plays no part in a softmax (dot products run the BCE only for programs without one), nor the curvature
  // in a dot product's
  for (const key of Object.keys(program.outputs)) {
    const kept = key === 'q' || (poincare && key === 'c') || (withOffset && key === 'offset');
    const seed = kept ? undefined : ex.seed(key);
    if (seed) raw.zeroFloats(B * ex.outputWidth(key), seed.offset);
  }
  ex.backward(B);
  scatterQueryGradients(raw, tables, state.entity, state.relation, ex, 0, B);
  for (const t of tables) store.table(t.name).touch(t.byEntity ? batch.entities : batch.relations);
  table.touchAll();
  bias?.touchAll();
  return lossSum * scale + regularizeQueryRows(model, store, batch, settings) + regularizeGoldAnswers(model, store, batch.answers, settings, B);
}

/** A whole table on the tape: its dense gradient is added to every row's accumulator. */
function wholeTable(table: ParameterTable, shape: [number, number]): TapeInput {
  return {
    tensor: tf.tensor2d(table.data.array, shape),
    applyGradient(grad) {
      const target = table.grad.array;
      const source = grad.dataSync() as Float32Array;
      for (let i = 0; i < target.length; i++) target[i] += source[i]!;
      table.touchAll();
    },
  };
}

/** The 1-N step on the tfjs tape (the reference; native backends). */
function tfjsOneToNGradients(model: KgeModel, store: ParameterStore, batch: QueryBatch, settings: OneToNSettings): number {
  const B = batch.entities.length;
  const table = store.table(model.candidateTable);
  const bias = model.tailBiasTable ? store.table(model.tailBiasTable) : undefined;
  table.checkIds(batch.answers, '1-N step: answer'); // before the tape, as the kernel path does (a gradient must not throw)
  const loss = runTape([{ model, store, entities: batch.entities, relations: batch.relations }],
    bias ? [wholeTable(table, [table.rows, table.dim]), wholeTable(bias, [1, bias.rows])] : [wholeTable(table, [table.rows, table.dim])],
    ([view], [entityTable, biasRow]) => {
      const out = view!.query;
      const reg = rowRegularizer(settings.regularizer, settings.regularizerWeight, view!.regularizedRows, B);
      if (model.similarity === 'dot' && !out.offset && settings.oneToNLoss !== 'bce') {
        return tf.add(dotSoftmaxCrossEntropy(out.q, entityTable as tf.Tensor2D, biasRow as tf.Tensor2D | undefined, batch.answers), reg) as tf.Scalar;
      }
      let scores = similarityAll(model.similarity, out.q, tf.transpose(entityTable as tf.Tensor2D), out.c);
      if (biasRow) scores = tf.add(scores, biasRow);
      if (out.offset) scores = tf.add(scores, out.offset);
      const rowLoss = settings.oneToNLoss === 'bce' ? allEntityBinaryCrossEntropy : softmaxCrossEntropy;
      return tf.add(rowLoss(scores, batch.answers), reg) as tf.Scalar;
    });
  return loss + regularizeGoldAnswers(model, store, batch.answers, settings, B);
}
