/**
 * DistMult (Yang et al., ICLR 2015): a diagonal bilinear score, f(h, r, t) = ⟨h, r, t⟩ = Σᵢ hᵢ rᵢ tᵢ (eq. (3)).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KgeModel, ModelConfig, QueryOutput, TableSpec } from '../core/model.js';
import { entityTable, modelConfig, normalInit, relationTable, type ModelOptions } from '../core/model-base.js';
import { queryProgram } from '../kernels/query-program.js';

/** DistMult's query as a fused program: q = h ∘ r. */
const DISTMULT_QUERY = queryProgram(['q = mul(entity, relation)'], { q: 'q' });

/** DistMult. */
export class DistMult implements KgeModel {
  readonly config: ModelConfig;
  readonly tables: TableSpec[];
  readonly similarity = 'dot' as const;
  readonly candidateTable = 'entity';
  readonly queryTables = ['entity', 'relation'];
  readonly fusedQuery = DISTMULT_QUERY;
  /** Its scores are unchanged by zero columns added to every table (core/table-padding.ts). */
  readonly zeroPaddable = true;

  constructor(options: ModelOptions) {
    this.config = modelConfig('DistMult', options);
    const init = normalInit(this.config.options.initScale as number);
    this.tables = [entityTable('entity', options.dim, init), relationTable('relation', options.dim, init)];
  }

  /** q = h ∘ r, so that f = q · t. */
  query(rows: Readonly<Record<string, tf.Tensor2D>>): QueryOutput {
    return { q: tf.mul(rows.entity!, rows.relation!) };
  }
}
