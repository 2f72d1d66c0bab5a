/**
 * RefH (Chami et al., ACL 2020, §4.2): the relation's Givens reflection acts on the head in the tangent space,
 * the result is mapped into the ball of curvature −c_r and translated:
 *   q = exp₀ᶜ(Ref(Φ_r) h) ⊕ exp₀ᶜ(r),   f(h, r, t) = −d_c(q, t)² + b_h + b_t.
 * The reflection is the paper's G⁻ (eq. (4)); see src/hyperbolic/givens.ts for how it differs from the code.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { KgeModel, ModelConfig, QueryOutput, TableSpec } from '../../core/model.js';
import { modelConfig, normalInit, relationTable, requireEvenDim, type ModelOptions } from '../../core/model-base.js';
import { expmap0, givensReflection, mobiusAdd, project } from '../index.js';
import { curvatureOf, curvatureTable, entityWithBiases, givensTable } from './shared-tables.js';
import { queryProgram } from '../../kernels/query-program.js';

/** RefH's query as a fused program (the same maps as `query`, in kernels). */
const REFH_QUERY = queryProgram([
  'c0 = softplus(curvature)',
  'c = clampCurvature(c0)', // the tfjs query's clamp (curvatureOf): a c₀ < −104 would give c = 0
  'f = givensReflection(reflection, entity)',
  'h = expmap0(f, c)',
  't = expmap0(translation, c)',
  's = mobiusAdd(h, t, c)',
  'q = project(s, c)',
], { q: 'q', c: 'c', offset: 'headBias' });

/** RefH. */
export class RefH implements KgeModel {
  readonly config: ModelConfig;
  readonly tables: TableSpec[];
  readonly similarity = 'negSqPoincare' as const;
  readonly candidateTable = 'entity';
  readonly tailBiasTable = 'tailBias';
  readonly queryTables = ['entity', 'headBias', 'translation', 'reflection', 'curvature'];
  readonly fusedQuery = REFH_QUERY;
  /** Its scores are unchanged by zero columns added to every table (core/table-padding.ts). */
  readonly zeroPaddable = true;

  constructor(options: ModelOptions) {
    requireEvenDim('RefH', options.dim);
    this.config = modelConfig('RefH', options);
    this.tables = [
      ...entityWithBiases(options.dim, this.config.options.initScale as number),
      relationTable('translation', options.dim, normalInit(this.config.options.initScale as number)),
      givensTable('reflection', options.dim),
      curvatureTable(),
    ];
  }

  /** q = exp₀(Ref(Φ_r) h) ⊕ exp₀(r). */
  query(rows: Readonly<Record<string, tf.Tensor2D>>): QueryOutput {
    const c = curvatureOf(rows.curvature!);
    const reflected = expmap0(givensReflection(rows.reflection!, rows.entity!), c);
    const q = project(mobiusAdd(reflected, expmap0(rows.translation!, c), c), c) as tf.Tensor2D;
    return { q, c, offset: rows.headBias! };
  }
}
