/**
 * MuRP-style model (Balažević et al., NeurIPS 2019, eq. (2)) in the tangent-space parametrisation of Chami et
 * al.'s code: the relation scales the head diagonally before the map into the ball, then translates:
 *   q = exp₀ᶜ(ρ_r ∘ h) ⊕ exp₀ᶜ(r),   f(h, r, t) = −d_c(q, t)² + b_h + b_t,
 * with a learned curvature per relation (MuRP itself fixes c = 1 and trains with Riemannian SGD).
 */
import * as tf from '@tensorflow/tfjs';
import type { KgeModel, ModelConfig, QueryOutput, TableSpec } from '../../core/model.js';
import { modelConfig, normalInit, relationTable, type ModelOptions } from '../../core/model-base.js';
import { expmap0, mobiusAdd, project } from '../index.js';
import { curvatureOf, curvatureTable, entityWithBiases, givensTable } from './shared-tables.js';
import { queryProgram } from '../../kernels/query-program.js';

/** MuRP's query as a fused program (the same maps as `query`, in kernels). */
const MURP_QUERY = queryProgram([
  'c = softplus(curvature)',
  'm = mul(scaling, entity)',
  'h = expmap0(m, c)',
  't = expmap0(translation, c)',
  's = mobiusAdd(h, t, c)',
  'q = project(s, c)',
], { q: 'q', c: 'c', offset: 'headBias' });

/** MuRP (tangent-space form, learned curvature). */
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
