/**
 * RotH (Chami et al., ACL 2020, §4.2, eq. (5)–(7)): in the Poincaré ball of relation curvature −c_r, the head
 * is translated, rotated by the relation's Givens rotation and translated again:
 *   q = Rot(Θ_r) (h ⊕ r₁) ⊕ r₂,   f(h, r, t) = −d_c(q, t)² + b_h + b_t,
 * with h, r₁, r₂, t learned in the tangent space at 0 and mapped by exp₀ᶜ (as the authors' code does; tails are
 * mapped inside the similarity). Points are projected back inside the ball after each Möbius addition.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { KgeModel, ModelConfig, QueryOutput, TableSpec } from '../../core/model.js';
import { modelConfig, normalInit, relationTable, requireEvenDim, type ModelOptions } from '../../core/model-base.js';
import { expmap0, givensRotation, mobiusAdd, project } from '../index.js';
import { curvatureOf, curvatureTable, entityWithBiases, givensTable } from './shared-tables.js';
import { queryProgram } from '../../kernels/query-program.js';

/** RotH's query as a fused program (the same maps as `query`, in kernels). */
const ROTH_QUERY = queryProgram([
  'c0 = softplus(curvature)',
  'c = clampCurvature(c0)', // the tfjs query's clamp (curvatureOf): a c₀ < −104 would give c = 0
  'h = expmap0(entity, c)',
  't1 = expmap0(translation1, c)',
  'a = mobiusAdd(h, t1, c)',
  'a = project(a, c)',
  'b = givensRotation(rotation, a)',
  't2 = expmap0(translation2, c)',
  'q0 = mobiusAdd(b, t2, c)',
  'q = project(q0, c)',
], { q: 'q', c: 'c', offset: 'headBias' });

/** RotH. */
export class RotH implements KgeModel {
  readonly config: ModelConfig;
  readonly tables: TableSpec[];
  readonly similarity = 'negSqPoincare' as const;
  readonly candidateTable = 'entity';
  readonly tailBiasTable = 'tailBias';
  readonly queryTables = ['entity', 'headBias', 'translation1', 'translation2', 'rotation', 'curvature'];
  readonly fusedQuery = ROTH_QUERY;
  /** Its scores are unchanged by zero columns added to every table (core/table-padding.ts). */
  readonly zeroPaddable = true;

  constructor(options: ModelOptions) {
    requireEvenDim('RotH', options.dim);
    this.config = modelConfig('RotH', options);
    const init = normalInit(this.config.options.initScale as number);
    this.tables = [
      ...entityWithBiases(options.dim, this.config.options.initScale as number),
      relationTable('translation1', options.dim, init),
      relationTable('translation2', options.dim, init),
      givensTable('rotation', options.dim),
      curvatureTable(),
    ];
  }

  /** q = Rot(Θ_r)(exp₀(h) ⊕ exp₀(r₁)) ⊕ exp₀(r₂). */
  query(rows: Readonly<Record<string, tf.Tensor2D>>): QueryOutput {
    const c = curvatureOf(rows.curvature!);
    const head = expmap0(rows.entity!, c);
    const translated = project(mobiusAdd(head, expmap0(rows.translation1!, c), c), c);
    const rotated = givensRotation(rows.rotation!, translated);
    const q = project(mobiusAdd(rotated, expmap0(rows.translation2!, c), c), c) as tf.Tensor2D;
    return { q, c, offset: rows.headBias! };
  }
}
