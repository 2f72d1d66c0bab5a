/**
 * TransE (Bordes et al., NeurIPS 2013): a relation is a translation, f(h, r, t) = −d(h + r, t) with d the L1 or the
 * L2 dissimilarity (eq. (1) of the paper; its experiments chose L1 on FB15k), here −‖h + r − t‖_p, p ∈ {1, 2}:
 * p = 1 by default (the similarity 'negL1', as PyKEEN's TransE, scoring_fct_norm = 1, and the TransE baseline of
 * Sun et al. 2019), p = 2 the similarity 'negEuclidean'. Initialisation as the paper's Algorithm 1: every
 * coordinate uniform in [−6/√d, 6/√d] (unless `initScale` asks for a normal one); the per-step normalisation of the
 * entities is not applied (the regulariser can play that part). The norm is recorded in the checkpoint config
 * (`options.norm`); a checkpoint without it predates the option and holds an L2 model (registry/models.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { KgeModel, ModelConfig, QueryOutput, TableSpec } from '../core/model.js';
import { entityTable, modelConfig, paperOrNormal, relationTable } from '../core/model-base.js';
import { queryProgram } from '../kernels/query-program.js';
import { distanceNorm, type DistanceNorm, type NormOptions } from './distance-norm.js';

/** The default norm: L1, as Bordes et al. 2013 on FB15k and PyKEEN (see the file comment). */
export const TRANSE_DEFAULT_NORM: DistanceNorm = 1;

/** TransE's query as a fused program: q = h + r. */
const TRANSE_QUERY = queryProgram(['q = add(entity, relation)'], { q: 'q' });

/** TransE with the L1 (default) or the L2 distance. */
export class TransE implements KgeModel {
  readonly config: ModelConfig;
  readonly tables: TableSpec[];
  readonly similarity: 'negL1' | 'negEuclidean';
  readonly candidateTable = 'entity';
  readonly queryTables = ['entity', 'relation'];
  readonly fusedQuery = TRANSE_QUERY;

  constructor(options: NormOptions) {
    const norm = distanceNorm('TransE', options, TRANSE_DEFAULT_NORM);
    this.config = modelConfig('TransE', options, { norm }, 'uniform ±6/√d (Bordes et al. 2013)');
    this.similarity = norm === 1 ? 'negL1' : 'negEuclidean';
    const bound = 6 / Math.sqrt(options.dim);
    const init = paperOrNormal(options, { kind: 'uniform', low: -bound, high: bound });
    this.tables = [entityTable('entity', options.dim, init), relationTable('relation', options.dim, init)];
  }

  /** q = h + r. */
  query(rows: Readonly<Record<string, tf.Tensor2D>>): QueryOutput {
    return { q: tf.add(rows.entity!, rows.relation!) };
  }
}
