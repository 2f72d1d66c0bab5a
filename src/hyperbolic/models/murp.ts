/**
 * A head-side variant of MuRP (Balažević et al., NeurIPS 2019) in the tangent-space parametrisation of Chami et
 * al.'s code: the relation scales the head diagonally before the map into the ball, then translates it:
 *   q = exp₀ᶜ(ρ_r ∘ h) ⊕ exp₀ᶜ(r),   f(h, r, t) = −d_c(q, t)² + b_h + b_t,
 * with a learned curvature per relation (MuRP itself fixes c = 1 and trains with Riemannian SGD).
 * Not the paper's score: MuRP's eq. (2) translates the tail instead, −d(exp₀(R log₀ u), v ⊕ r)² + b_s + b_o, and as
 * v ↦ v ⊕ r is no isometry of the ball, no query on the head side gives the same scores for the same parameters
 * (unlike MuRE, where moving r from tail to head is r → −r). kgdistill keeps every model a query scored against the
 * untouched candidates (one sweep of the entity table for 1-N training, evaluation and the top-K kernels), so this
 * MuRP is its own model with the paper's parts, and its numbers are kgdistill's, not the paper's.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KgeModel, ModelConfig, QueryOutput, TableSpec } from '../../core/model.js';
import { modelConfig, normalInit, relationTable, type ModelOptions } from '../../core/model-base.js';
import { expmap0, mobiusAdd, project } from '../index.js';
import { curvatureOf, curvatureTable, entityWithBiases, givensTable } from './shared-tables.js';
import { queryProgram } from '../../kernels/query-program.js';

/** MuRP's query as a fused program (the same maps as `query`, in kernels). */
const MURP_QUERY = queryProgram([
  'c0 = softplus(curvature)',
  'c = clampCurvature(c0)', // the tfjs query's clamp (curvatureOf): a c₀ < −104 would give c = 0
  'm = mul(scaling, entity)',
  'h = expmap0(m, c)',
  't = expmap0(translation, c)',
  's = mobiusAdd(h, t, c)',
  'q = project(s, c)',
], { q: 'q', c: 'c', offset: 'headBias' });

/** MuRP, head-side variant (tangent-space form, learned curvature; see above). */
export class MuRP implements KgeModel {
  readonly config: ModelConfig;
  readonly tables: TableSpec[];
  readonly similarity = 'negSqPoincare' as const;
  readonly candidateTable = 'entity';
  readonly tailBiasTable = 'tailBias';
  readonly queryTables = ['entity', 'headBias', 'translation', 'scaling', 'curvature'];
  readonly fusedQuery = MURP_QUERY;
  /** Its scores are unchanged by zero columns added to every table (core/table-padding.ts). */
  readonly zeroPaddable = true;

  constructor(options: ModelOptions) {
    this.config = modelConfig('MuRP', options);
    this.tables = [
      ...entityWithBiases(options.dim, this.config.options.initScale as number),
      relationTable('translation', options.dim, normalInit(this.config.options.initScale as number)),
      givensTable('scaling', options.dim),
      curvatureTable(),
    ];
  }

  /** q = exp₀(ρ_r ∘ h) ⊕ exp₀(r). */
  query(rows: Readonly<Record<string, tf.Tensor2D>>): QueryOutput {
    const c = curvatureOf(rows.curvature!);
    const scaled = expmap0(tf.mul(rows.scaling!, rows.entity!), c);
    const q = project(mobiusAdd(scaled, expmap0(rows.translation!, c), c), c) as tf.Tensor2D;
    return { q, c, offset: rows.headBias! };
  }
}
