/**
 * AttH (Chami et al., ACL 2020, §4.3, eq. (8)–(9)): attention with a per-relation context vector a_r chooses
 * between the rotated and the reflected head (in the tangent space), the result is mapped into the ball of
 * curvature −c_r and translated:
 *   q = exp₀ᶜ(α₁ Rot(Θ_r) h + α₂ Ref(Φ_r) h) ⊕ exp₀ᶜ(r),   f(h, r, t) = −d_c(q, t)² + b_h + b_t.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { KgeModel, ModelConfig, QueryOutput, TableSpec } from '../../core/model.js';
import { modelConfig, normalInit, relationTable, requireEvenDim, type ModelOptions } from '../../core/model-base.js';
import { expmap0, givensReflection, givensRotation, mobiusAdd, project } from '../index.js';
import { attend, curvatureOf, curvatureTable, entityWithBiases, givensTable } from './shared-tables.js';
import { queryProgram } from '../../kernels/query-program.js';

/** AttH's query as a fused program (the same maps as `query`, in kernels). */
const ATTH_QUERY = queryProgram([
  'c0 = softplus(curvature)',
  'c = clampCurvature(c0)', // the tfjs query's clamp (curvatureOf): a c₀ < −104 would give c = 0
  'rot = givensRotation(rotation, entity)',
  'ref = givensReflection(reflection, entity)',
  'mix = attention(context, rot, ref)',
  'h = expmap0(mix, c)',
  't = expmap0(translation, c)',
  's = mobiusAdd(h, t, c)',
  'q = project(s, c)',
], { q: 'q', c: 'c', offset: 'headBias' });

/** AttH. */
export class AttH implements KgeModel {
  readonly config: ModelConfig;
  readonly tables: TableSpec[];
  readonly similarity = 'negSqPoincare' as const;
  readonly candidateTable = 'entity';
  readonly tailBiasTable = 'tailBias';
  readonly queryTables = ['entity', 'headBias', 'translation', 'rotation', 'reflection', 'context', 'curvature'];
  readonly fusedQuery = ATTH_QUERY;
  /** Its scores are unchanged by zero columns added to every table, its temperature kept at 1/√d (core/table-padding.ts). */
  readonly zeroPaddable = true;

  constructor(options: ModelOptions) {
    requireEvenDim('AttH', options.dim);
    this.config = modelConfig('AttH', options);
    const init = normalInit(this.config.options.initScale as number);
    this.tables = [
      ...entityWithBiases(options.dim, this.config.options.initScale as number),
      relationTable('translation', options.dim, init),
      givensTable('rotation', options.dim),
      givensTable('reflection', options.dim),
      relationTable('context', options.dim, init, false),
      curvatureTable(),
    ];
  }

  /** q = exp₀(att(Rot h, Ref h)) ⊕ exp₀(r). */
  query(rows: Readonly<Record<string, tf.Tensor2D>>, logicalWidth?: number): QueryOutput {
    const c = curvatureOf(rows.curvature!);
    const head = rows.entity!;
    const mixed = attend(rows.context!, givensRotation(rows.rotation!, head) as tf.Tensor2D, givensReflection(rows.reflection!, head) as tf.Tensor2D, logicalWidth);
    const q = project(mobiusAdd(expmap0(mixed, c), expmap0(rows.translation!, c), c), c) as tf.Tensor2D;
    return { q, c, offset: rows.headBias! };
  }
}
