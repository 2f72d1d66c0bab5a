/**
 * Gathering the rows a batch of queries needs, outside the tape: tf.gather's gradient is missing on the wasm
 * backend and dense (slow) on cpu, so the core copies the B rows of each query table into small tensors, takes
 * gradients with respect to those, and scatters them back into the tables' accumulators.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KgeModel } from './model.js';
import type { ParameterStore } from './parameter-store.js';
import type { RegularizedRows } from './losses.js';

/** The gathered rows of a query batch: one tensor per query table, with the ids they came from. */
export interface GatheredRows {
  names: readonly string[];
  tensors: tf.Tensor2D[];
  ids: Int32Array[];
}

/** Gathers each query table's rows for queries (entity, relation) into [B, dim] tensors. */
export function gatherQueryRows(model: KgeModel, store: ParameterStore, entities: Int32Array, relations: Int32Array): GatheredRows {
  const names = model.queryTables;
  const tensors: tf.Tensor2D[] = [];
  const ids: Int32Array[] = [];
  for (const name of names) {
    const table = store.table(name);
    const rowIds = table.spec.indexedBy === 'entity' ? entities : relations;
    tensors.push(tf.tensor2d(table.gather(rowIds), [rowIds.length, table.dim]));
    ids.push(rowIds);
  }
  return { names, tensors, ids };
}

/** Maps a list of tensors (in query-table order) to the record a model's `query` takes. */
export function rowsByName(names: readonly string[], tensors: readonly tf.Tensor[]): Record<string, tf.Tensor2D> {
  const rows: Record<string, tf.Tensor2D> = {};
  names.forEach((name, i) => {
    rows[name] = tensors[i] as tf.Tensor2D;
  });
  return rows;
}

/** Adds the gradients of gathered rows into their tables' accumulators. */
export function scatterQueryGradients(store: ParameterStore, gathered: GatheredRows, grads: readonly tf.Tensor[]): void {
  gathered.names.forEach((name, i) => {
    store.table(name).scatterAddGrad(gathered.ids[i]!, grads[i]!.dataSync() as Float32Array);
  });
}

/** The gathered tensors of tables the regulariser applies to, each with its tables' layout. */
export function regularizedRows(store: ParameterStore, names: readonly string[], tensors: readonly tf.Tensor2D[]): RegularizedRows[] {
  const out: RegularizedRows[] = [];
  tensors.forEach((values, i) => {
    const spec = store.table(names[i]!).spec;
    if (spec.regularize) out.push({ values, complexPairs: spec.complexPairs === true });
  });
  return out;
}
