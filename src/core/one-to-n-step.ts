/**
 * One training step with 1-N scoring (Dettmers et al. 2018; Lacroix et al. 2018): every query is scored against
 * all entities with one matrix product and trained with softmax cross-entropy on the gold answer. The candidate
 * table enters the tape whole, so its gradient is dense; the optimiser then visits every row. Dot-product models
 * take the fused `dotSoftmaxCrossEntropy` op; the others the generic similarity on the tape.
 */
import * as tf from '@tensorflow/tfjs';
import type { KgeModel } from './model.js';
import type { ParameterStore, ParameterTable } from './parameter-store.js';
import { rowRegularizer, softmaxCrossEntropy } from './losses.js';
import { similarityAll } from './similarity-tf.js';
import { dotSoftmaxCrossEntropy } from './dot-softmax-loss.js';
import { regularizeGoldAnswers, type QueryBatch, type RegularizerSettings } from './batch.js';
import { runTape, type TapeInput } from './tape.js';

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

/** Runs one 1-N step: accumulates gradients into the tables and returns the loss (no update). */
export function oneToNGradients(model: KgeModel, store: ParameterStore, batch: QueryBatch, settings: RegularizerSettings): number {
  const B = batch.entities.length;
  const table = store.table(model.candidateTable);
  const bias = model.tailBiasTable ? store.table(model.tailBiasTable) : undefined;
  const loss = runTape([{ model, store, entities: batch.entities, relations: batch.relations }],
    bias ? [wholeTable(table, [table.rows, table.dim]), wholeTable(bias, [1, bias.rows])] : [wholeTable(table, [table.rows, table.dim])],
    ([view], [entityTable, biasRow]) => {
      const out = view!.query;
      const reg = rowRegularizer(settings.regularizer, settings.regularizerWeight, view!.regularizedRows, B);
      if (model.similarity === 'dot' && !out.offset) {
        return tf.add(dotSoftmaxCrossEntropy(out.q, entityTable as tf.Tensor2D, biasRow as tf.Tensor2D | undefined, batch.answers), reg) as tf.Scalar;
      }
      let scores = similarityAll(model.similarity, out.q, tf.transpose(entityTable as tf.Tensor2D), out.c);
      if (biasRow) scores = tf.add(scores, biasRow);
      if (out.offset) scores = tf.add(scores, out.offset);
      return tf.add(softmaxCrossEntropy(scores, batch.answers), reg) as tf.Scalar;
    });
  return loss + regularizeGoldAnswers(model, store, batch.answers, settings, B);
}
