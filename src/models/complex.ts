/**
 * ComplEx (Trouillon et al., ICML 2016): complex embeddings, f(h, r, t) = Re(⟨h, r, t̄⟩) (eq. (6)).
 * `dim` counts real parameters: a row is [Re | Im] of dim/2 complex numbers. Writing q = h·r (complex product),
 * Re(⟨q, t̄⟩) = Re(q)·Re(t) + Im(q)·Im(t) is a real dot product of [Re q | Im q] with [Re t | Im t].
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { KgeModel, ModelConfig, QueryOutput, TableSpec } from '../core/model.js';
import { complexPairs, entityTable, modelConfig, normalInit, relationTable, requireEvenDim, type ModelOptions } from '../core/model-base.js';
import { complexMultiply, splitComplex } from './complex-ops.js';
import { queryProgram } from '../kernels/query-program.js';

/** The fused query program (src/kernels/query-program.ts): the complex product of the head and relation rows. */
const COMPLEX_QUERY = queryProgram(['q = complexMul(entity, relation)'], { q: 'q' });

/** ComplEx. */
export class ComplEx implements KgeModel {
  readonly config: ModelConfig;
  readonly tables: TableSpec[];
  readonly similarity = 'dot' as const;
  readonly candidateTable = 'entity';
  readonly queryTables = ['entity', 'relation'];
  readonly fusedQuery = COMPLEX_QUERY;
  /** Its scores are unchanged by zero columns added to every table (core/table-padding.ts). */
  readonly zeroPaddable = true;

  constructor(options: ModelOptions) {
    requireEvenDim('ComplEx', options.dim);
    this.config = modelConfig('ComplEx', options);
    const init = normalInit(this.config.options.initScale as number);
    this.tables = [complexPairs(entityTable('entity', options.dim, init)), complexPairs(relationTable('relation', options.dim, init))];
  }

  /** q = h·r (complex), as [Re | Im]. */
  query(rows: Readonly<Record<string, tf.Tensor2D>>): QueryOutput {
    const [hRe, hIm] = splitComplex(rows.entity!);
    const [rRe, rIm] = splitComplex(rows.relation!);
    return { q: complexMultiply(hRe, hIm, rRe, rIm) };
  }
}
