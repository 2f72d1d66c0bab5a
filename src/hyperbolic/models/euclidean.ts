/**
 * The Euclidean counterparts of the hyperbolic models (Chami et al., ACL 2020, §4.4 and Table 2): the same
 * relation maps without the ball, scored by the negative squared Euclidean distance plus entity biases,
 *   f(h, r, t) = −‖q − t‖² + b_h + b_t, with
 *   RotE: q = Rot(Θ_r) h + r;  RefE: q = Ref(Φ_r) h + r;  AttE: q = att(Rot h, Ref h) + r;
 *   MuRE (Balažević et al. 2019): q = ρ_r ∘ h + r.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KgeModel, ModelConfig, QueryOutput, TableSpec } from '../../core/model.js';
import { modelConfig, normalInit, relationTable, requireEvenDim, type ModelOptions } from '../../core/model-base.js';
import { givensReflection, givensRotation } from '../index.js';
import { attend, entityWithBiases, givensTable } from './shared-tables.js';
import { queryProgram, type QueryProgram } from '../../kernels/query-program.js';

/** q = mapped + translation, offset = head bias: the fused program of a counterpart whose map ends in `mapped`. */
function counterpartQuery(mapStatements: string[]): QueryProgram {
  return queryProgram([...mapStatements, 'q = add(mapped, translation)'], { q: 'q', offset: 'headBias' });
}

type RelationMap = (rows: Readonly<Record<string, tf.Tensor2D>>, logicalWidth?: number) => tf.Tensor2D;

/** One Euclidean counterpart: tables, and the relation map applied to the head before the translation. */
class EuclideanCounterpart implements KgeModel {
  readonly config: ModelConfig;
  readonly tables: TableSpec[];
  readonly similarity = 'negSqEuclidean' as const;
  readonly candidateTable = 'entity';
  readonly tailBiasTable = 'tailBias';
  readonly queryTables: string[];
  readonly fusedQuery: QueryProgram;

  /** Its scores are unchanged by zero columns added to every table (core/table-padding.ts; AttE's temperature kept at 1/√d). */
  readonly zeroPaddable = true;

  constructor(name: string, options: ModelOptions, extraTables: TableSpec[], private readonly map: RelationMap, mapStatements: string[]) {
    this.config = modelConfig(name, options);
    this.tables = [
      ...entityWithBiases(options.dim, this.config.options.initScale as number),
      relationTable('translation', options.dim, normalInit(this.config.options.initScale as number)),
      ...extraTables,
    ];
    this.queryTables = ['entity', 'headBias', 'translation', ...extraTables.map((t) => t.name)];
    this.fusedQuery = counterpartQuery(mapStatements);
  }

  /** q = map_r(h) + r. */
  query(rows: Readonly<Record<string, tf.Tensor2D>>, logicalWidth?: number): QueryOutput {
    return { q: tf.add(this.map(rows, logicalWidth), rows.translation!), offset: rows.headBias! };
  }
}

/** RotE: q = Rot(Θ_r) h + r. */
export function createRotE(options: ModelOptions): KgeModel {
  requireEvenDim('RotE', options.dim);
  return new EuclideanCounterpart('RotE', options, [givensTable('rotation', options.dim)],
    (rows) => givensRotation(rows.rotation!, rows.entity!) as tf.Tensor2D, ['mapped = givensRotation(rotation, entity)']);
}

/** RefE: q = Ref(Φ_r) h + r. */
export function createRefE(options: ModelOptions): KgeModel {
  requireEvenDim('RefE', options.dim);
  return new EuclideanCounterpart('RefE', options, [givensTable('reflection', options.dim)],
    (rows) => givensReflection(rows.reflection!, rows.entity!) as tf.Tensor2D, ['mapped = givensReflection(reflection, entity)']);
}

/** AttE: q = att(Rot(Θ_r) h, Ref(Φ_r) h) + r. */
export function createAttE(options: ModelOptions): KgeModel {
  requireEvenDim('AttE', options.dim);
  const init = normalInit(options.initScale ?? 1e-3);
  return new EuclideanCounterpart('AttE', options,
    [givensTable('rotation', options.dim), givensTable('reflection', options.dim), relationTable('context', options.dim, init, false)],
    (rows, width) => attend(rows.context!, givensRotation(rows.rotation!, rows.entity!) as tf.Tensor2D, givensReflection(rows.reflection!, rows.entity!) as tf.Tensor2D, width),
    ['rot = givensRotation(rotation, entity)', 'ref = givensReflection(reflection, entity)', 'mapped = attention(context, rot, ref)']);
}

/** MuRE: q = ρ_r ∘ h + r. */
export function createMuRE(options: ModelOptions): KgeModel {
  return new EuclideanCounterpart('MuRE', options, [givensTable('scaling', options.dim)],
    (rows) => tf.mul(rows.scaling!, rows.entity!), ['mapped = mul(scaling, entity)']);
}
