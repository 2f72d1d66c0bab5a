/**
 * One training step with 1-N scoring (Dettmers et al. 2018; Lacroix et al. 2018): every query is scored against
 * all entities with one matrix product and trained with softmax cross-entropy on the gold answer. The candidate
 * table enters the tape whole, so its gradient is dense; the optimiser then visits every row. Dot-product models
 * take the fused `dotSoftmaxCrossEntropy` op; the others the generic similarity on the tape.
 */
import * as tf from '@tensorflow/tfjs';
import type { KgeModel } from './model.js';
import type { ParameterStore } from './parameter-store.js';
import { gatherQueryRows, regularizedRows, rowsByName, scatterQueryGradients } from './query-rows.js';
import { rowRegularizer, softmaxCrossEntropy, type RegularizerName } from './losses.js';
import { similarityAll } from './similarity-tf.js';
import { dotSoftmaxCrossEntropy } from './dot-softmax-loss.js';
import { regularizeGoldAnswers, type QueryBatch } from './negative-sampling-step.js';

/** Settings of the 1-N step. */
export interface OneToNSettings {
  regularizer: RegularizerName;
  regularizerWeight: number;
}

/** Runs one 1-N step: accumulates gradients into the tables and returns the loss (no update). */
export function oneToNGradients(model: KgeModel, store: ParameterStore, batch: QueryBatch, settings: OneToNSettings): number {
  const B = batch.entities.length;
  const table = store.table(model.candidateTable);
  const bias = model.tailBiasTable ? store.table(model.tailBiasTable) : undefined;
  const loss = tf.tidy(() => {
    const gathered = gatherQueryRows(model, store, batch.entities, batch.relations);
    const tableInput = tf.tensor2d(table.data.array, [table.rows, table.dim]);
    const biasInput = bias ? tf.tensor2d(bias.data.array, [1, bias.rows]) : undefined;
    const inputs: tf.Tensor[] = [...gathered.tensors, tableInput, ...(biasInput ? [biasInput] : [])];
    const nq = gathered.tensors.length;
    const f = (...xs: tf.Tensor[]): tf.Scalar => {
      const queryTensors = xs.slice(0, nq);
      const out = model.query(rowsByName(gathered.names, queryTensors));
      const reg = rowRegularizer(settings.regularizer, settings.regularizerWeight, regularizedRows(store, gathered.names, queryTensors), B);
      if (model.similarity === 'dot' && !out.offset) {
        return tf.add(dotSoftmaxCrossEntropy(out.q, xs[nq] as tf.Tensor2D, biasInput ? (xs[nq + 1] as tf.Tensor2D) : undefined, batch.answers), reg) as tf.Scalar;
      }
      let scores = similarityAll(model.similarity, out.q, tf.transpose(xs[nq] as tf.Tensor2D), out.c);
      if (biasInput) scores = tf.add(scores, xs[nq + 1]!);
      if (out.offset) scores = tf.add(scores, out.offset);
      return tf.add(softmaxCrossEntropy(scores, batch.answers), reg) as tf.Scalar;
    };
    const { value, grads } = tf.valueAndGrads(f)(inputs);
    scatterQueryGradients(store, gathered, grads.slice(0, nq));
    addDense(table.grad.array, grads[nq]!.dataSync() as Float32Array);
    table.touchAll();
    if (bias) {
      addDense(bias.grad.array, grads[nq + 1]!.dataSync() as Float32Array);
      bias.touchAll();
    }
    return value.dataSync()[0]!;
  });
  return loss + regularizeGoldAnswers(model, store, batch.answers, settings, B);
}

function addDense(target: Float32Array, source: Float32Array): void {
  for (let i = 0; i < target.length; i++) target[i] += source[i]!;
}
