/**
 * TransE (Bordes et al., NeurIPS 2013): a relation is a translation, f(h, r, t) = −d(h + r, t) with d the L1 or the
 * L2 dissimilarity (eq. (1) of the paper; its experiments chose L1 on FB15k), here −‖h + r − t‖_p, p ∈ {1, 2}:
 * p = 1 by default (the similarity 'negL1', as PyKEEN's TransE, scoring_fct_norm = 1, and the TransE baseline of
 * Sun et al. 2019), p = 2 the similarity 'negEuclidean'. Initialisation as the paper's Algorithm 1, lines 1 and 3:
 * every coordinate uniform in [−6/√d, 6/√d] (unless `initScale` asks for a normal one). Line 2 (and PyKEEN) then
 * divides each relation row by its length; here relation rows keep theirs (≈ 3.46 at any d): the default loss (γ = 3,
 * α = 4) was chosen with them, and unit relation rows under it lost 0.043 test MRR on the peer bench's generated graph
 * (0.4283 against 0.4712, seeds 0–2; docs/RESULTS.md, 2026-12-06). The entity constraint of
 * Algorithm 1, line 5 (e ← e/‖e‖ before every minibatch), is the option `entityConstraint`: 'unit' declares the
 * entity table `unitNorm`, which the core keeps after every optimiser step and at initialisation, as PyKEEN 1.10.1's
 * TransE (`entity_constrainer = functional.normalize`), the default; 'none' leaves the entities free.
 * The norm and the constraint are recorded in the checkpoint config (`options.norm`, `options.entityConstraint`);
 * a checkpoint without `norm` predates it and holds an L2 model, one without `entityConstraint` an unconstrained one
 * (registry/models.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KgeModel, ModelConfig, QueryOutput, TableSpec } from '../core/model.js';
import { entityTable, modelConfig, paperOrNormal, relationTable } from '../core/model-base.js';
import { queryProgram } from '../kernels/query-program.js';
import { distanceNorm, type DistanceNorm, type NormOptions } from './distance-norm.js';

/** TransE's entity constraints: unit L2 rows (Bordes et al. 2013, Algorithm 1, line 5), or none. */
export const ENTITY_CONSTRAINTS = ['unit', 'none'] as const;
/** An entity constraint of TransE. */
export type EntityConstraint = (typeof ENTITY_CONSTRAINTS)[number];

/** TransE's options: those of a distance model and the entity constraint. */
export interface TransEOptions extends NormOptions {
  entityConstraint?: EntityConstraint;
}

/** The default entity constraint: unit rows, as Bordes et al. 2013 and PyKEEN (see the file comment). */
const TRANSE_DEFAULT_CONSTRAINT: EntityConstraint = 'unit';

/** The entity constraint TransE's options ask for: the one given, else the default. */
export const entityConstraintOf = (options: { readonly entityConstraint?: unknown }): EntityConstraint =>
  (options.entityConstraint as EntityConstraint | undefined) ?? TRANSE_DEFAULT_CONSTRAINT;

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
  /** Its scores are unchanged by zero columns added to every table (core/table-padding.ts). */
  readonly zeroPaddable = true;

  constructor(options: TransEOptions) {
    const norm = distanceNorm('TransE', options, TRANSE_DEFAULT_NORM);
    const entityConstraint = entityConstraintOf(options);
    if (!ENTITY_CONSTRAINTS.includes(entityConstraint)) throw new Error(`TransE: entityConstraint must be unit or none (got ${String(entityConstraint)})`);
    this.config = modelConfig('TransE', options, { norm, entityConstraint }, 'uniform ±6/√d (Bordes et al. 2013)');
    this.similarity = norm === 1 ? 'negL1' : 'negEuclidean';
    const bound = 6 / Math.sqrt(options.dim);
    const init = paperOrNormal(options, { kind: 'uniform', low: -bound, high: bound });
    const entities = entityTable('entity', options.dim, init);
    this.tables = [entityConstraint === 'unit' ? { ...entities, constraint: 'unitNorm' } : entities, relationTable('relation', options.dim, init)];
  }

  /** q = h + r. */
  query(rows: Readonly<Record<string, tf.Tensor2D>>): QueryOutput {
    return { q: tf.add(rows.entity!, rows.relation!) };
  }
}
