/**
 * TransE (Bordes et al., NeurIPS 2013): a relation is a translation, f(h, r, t) = −‖h + r − t‖₂
 * (the L2 variant; eq. (1) of the paper with d = L2). Initialisation as the paper's Algorithm 1: every coordinate
 * uniform in [−6/√d, 6/√d] (unless `initScale` asks for a normal one); the per-step normalisation of the entities
 * is not applied (the regulariser can play that part).
 */
import * as tf from '@tensorflow/tfjs';
import type { KgeModel, ModelConfig, QueryOutput, TableSpec } from '../core/model.js';
import { entityTable, modelConfig, paperOrNormal, relationTable, type ModelOptions } from '../core/model-base.js';
import { queryProgram } from '../kernels/query-program.js';

/** TransE's query as a fused program: q = h + r. */
const TRANSE_QUERY = queryProgram(['q = add(entity, relation)'], { q: 'q' });

/** TransE with the L2 distance. */
export class TransE implements KgeModel {
  readonly config: ModelConfig;
  readonly tables: TableSpec[];
  readonly similarity = 'negEuclidean' as const;
  readonly candidateTable = 'entity';
  readonly queryTables = ['entity', 'relation'];
  readonly fusedQuery = TRANSE_QUERY;

  constructor(options: ModelOptions) {
    this.config = modelConfig('TransE', options, {}, 'uniform ±6/√d (Bordes et al. 2013)');
    const bound = 6 / Math.sqrt(options.dim);
    const init = paperOrNormal(options, { kind: 'uniform', low: -bound, high: bound });
    this.tables = [entityTable('entity', options.dim, init), relationTable('relation', options.dim, init)];
  }

  /** q = h + r. */
  query(rows: Readonly<Record<string, tf.Tensor2D>>): QueryOutput {
    return { q: tf.add(rows.entity!, rows.relation!) };
  }
}
