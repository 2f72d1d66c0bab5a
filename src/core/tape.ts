/**
 * The tape pattern of every tfjs training step, written once: each side's query rows are gathered outside the
 * tape (tf.gather has no gradient on wasm), the loss is differentiated with respect to those rows, the
 * candidates' inputs and any extra tensors, and the gradients are scattered back into the tables' accumulators
 * (row-sparse). A side is one model's queries — a group of a negative-sampling step, a student of a mutual
 * objective — optionally with candidates scored on the tape by a CandidateScorer.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients } from './tfjs-gradients.js';
import type { KgeModel, QueryOutput } from './model.js';
import type { ParameterStore } from './parameter-store.js';
import type { CandidateScorer, CandidateSet } from './candidate-scoring.js';
import type { RegularizedRows } from './losses.js';
import { gatherQueryRows, regularizedRows, rowsByName, scatterQueryGradients } from './query-rows.js';

/** One model's queries on the tape, with the candidates its scorer scores (when the loss needs scores). */
export interface TapeSide {
  model: KgeModel;
  store: ParameterStore;
  entities: Int32Array;
  relations: Int32Array;
  candidates?: { scorer: CandidateScorer; set: CandidateSet };
}

/** An extra tensor differentiated on the tape (runTape disposes it), with what to do with its gradient. */
export interface TapeInput {
  tensor: tf.Tensor;
  applyGradient(grad: tf.Tensor): void;
}

/** What the loss sees of a side: the model's query output, the candidates' scores, the regularised query rows. */
export interface TapeView {
  query: QueryOutput;
  /** Scores [Q, M] of the side's candidates (when it has candidates). */
  scores?: tf.Tensor2D;
  /** The side's gathered rows of the tables the regulariser applies to. */
  regularizedRows: RegularizedRows[];
}

/**
 * Differentiates `loss` over the sides' gathered rows, their candidates' inputs and the extra tensors, adds every
 * gradient into its table's accumulator (or hands it to the extra's `applyGradient`), and returns the loss value.
 * Every tensor made here or by `loss`, and the extras' tensors, are disposed.
 */
export function runTape(sides: readonly TapeSide[], extras: readonly TapeInput[], loss: (views: TapeView[], extras: tf.Tensor[]) => tf.Scalar): number {
  try {
    return tapeValue(sides, extras, loss);
  } finally {
    for (const extra of extras) extra.tensor.dispose();
  }
}

function tapeValue(sides: readonly TapeSide[], extras: readonly TapeInput[], loss: (views: TapeView[], extras: tf.Tensor[]) => tf.Scalar): number {
  return tf.tidy(() => {
    const gathered = sides.map((s) => gatherQueryRows(s.model, s.store, s.entities, s.relations));
    const candidateInputs = sides.map((s) => s.candidates?.scorer.inputs(s.candidates.set, s.entities.length) ?? []);
    const inputs: tf.Tensor[] = [];
    sides.forEach((_, i) => inputs.push(...gathered[i]!.tensors, ...candidateInputs[i]!));
    inputs.push(...extras.map((e) => e.tensor));
    let failure: { error: unknown } | undefined;
    const f = (...xs: tf.Tensor[]): tf.Scalar => {
      try {
        return forward(xs);
      } catch (error) {
        // tfjs frees the tensors a tape saved for the backward pass only when a backward pass ends: after a throw they
        // would stay for good, so the tape ends on a zero loss and the error is thrown after it
        failure = { error };
        return tf.mul(tf.addN(xs.map((x) => tf.sum(x))), 0) as tf.Scalar;
      }
    };
    const forward = (xs: tf.Tensor[]): tf.Scalar => {
      let offset = 0;
      const views = sides.map((side, i): TapeView => {
        const rows = xs.slice(offset, offset + gathered[i]!.tensors.length);
        offset += rows.length;
        const candidateTensors = xs.slice(offset, offset + candidateInputs[i]!.length);
        offset += candidateTensors.length;
        const query = side.model.query(rowsByName(gathered[i]!.names, rows));
        const scores = side.candidates ? side.candidates.scorer.score(query, side.candidates.set, candidateTensors) : undefined;
        return { query, scores, regularizedRows: regularizedRows(side.store, gathered[i]!.names, rows as tf.Tensor2D[]) };
      });
      return loss(views, xs.slice(offset));
    };
    ensureGradients();
    const { value, grads } = tf.valueAndGrads(f)(inputs);
    if (failure) throw failure.error;
    let offset = 0;
    sides.forEach((side, i) => {
      scatterQueryGradients(side.store, gathered[i]!, grads.slice(offset, offset + gathered[i]!.tensors.length));
      offset += gathered[i]!.tensors.length;
      side.candidates?.scorer.applyGradients(side.candidates.set, grads.slice(offset, offset + candidateInputs[i]!.length));
      offset += candidateInputs[i]!.length;
    });
    extras.forEach((extra, i) => extra.applyGradient(grads[offset + i]!));
    return value.dataSync()[0]!;
  });
}
