/**
 * Scoring queries against all entities with one matrix product (evaluation, prediction, MulDE's top-K):
 * the candidate table is uploaded once, transposed to [d, N] (the layout the wasm matMul is fast with), and
 * every batch of queries is scored as sim(q, E) + offset + bias.
 */
import * as tf from '@tensorflow/tfjs';
import type { AllEntityScorer } from '../eval/scorer.js';
import type { KgeModel } from './model.js';
import type { ParameterStore } from './parameter-store.js';
import { gatherQueryRows, rowsByName } from './query-rows.js';
import { similarityAll } from './similarity-tf.js';

/** An all-entity scorer over a model's current parameters; call `dispose` when done. */
export class ModelEntityScorer implements AllEntityScorer {
  readonly numEntities: number;
  private readonly tableT: tf.Tensor2D;
  private readonly bias?: tf.Tensor2D;

  constructor(private readonly model: KgeModel, private readonly store: ParameterStore) {
    const table = store.table(model.candidateTable);
    this.numEntities = table.rows;
    this.tableT = tf.tidy(() => tf.transpose(tf.tensor2d(table.data.array, [table.rows, table.dim])));
    if (model.tailBiasTable) {
      const bias = store.table(model.tailBiasTable);
      this.bias = tf.tensor2d(bias.data.array, [1, bias.rows]);
    }
  }

  /** Scores as a tensor [B, N] (caller disposes). */
  scoreTensor(entities: Int32Array, queryRelations: Int32Array): tf.Tensor2D {
    return tf.tidy(() => {
      const gathered = gatherQueryRows(this.model, this.store, entities, queryRelations);
      const out = this.model.query(rowsByName(gathered.names, gathered.tensors));
      let scores = similarityAll(this.model.similarity, out.q, this.tableT, out.c);
      if (this.bias) scores = tf.add(scores, this.bias);
      if (out.offset) scores = tf.add(scores, out.offset);
      return scores;
    });
  }

  /** Scores as a row-major Float32Array [B × N]. */
  async scoreAll(entities: Int32Array, queryRelations: Int32Array): Promise<Float32Array> {
    const scores = this.scoreTensor(entities, queryRelations);
    try {
      return scores.dataSync() as Float32Array;
    } finally {
      scores.dispose();
    }
  }

  /** Frees the uploaded table. */
  dispose(): void {
    this.tableT.dispose();
    this.bias?.dispose();
  }
}
