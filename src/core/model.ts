/**
 * The one model interface of the training core.
 *
 * A KGE model scores a triple (h, r, t) as  f(h, r, t) = sim(q(h, r), e_t) + b_t  where
 * - q(h, r) is the *query*: the relation applied to the head, computed by `query` in tfjs from the rows the core
 *   gathered for the batch (so autodiff sees B rows, never a whole table);
 * - e_t is the candidate's row of `candidateTable` and `sim` is one of a few similarity functions: of
 *   (‖q‖², ‖e‖², q·e) and an optional curvature (dot product, negative (squared) Euclidean distance, negative
 *   squared Poincaré distance), or a negative L1 distance −Σ|q_i − e_i| (over real coordinates, or over the moduli
 *   of complex ones for [Re | Im] rows) — the core scores sampled candidates with fused kernels and all entities
 *   with one kernel pass (or a matrix product in tfjs);
 * - b_t an optional per-entity bias (`tailBiasTable`); a head bias is part of the query output.
 * Relations are indexed in [0, 2R): ids ≥ R are the reciprocal relations r⁻¹ used for head prediction.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { QueryProgram } from '../kernels/query-program.js';

/**
 * The similarity functions the core knows: four functions of ‖q‖², ‖e‖², q·e (and c for the Poincaré one), and two
 * that are not (no matrix-product path: see similarity-tf.ts): 'negL1', −‖q − e‖₁ (kernels/assembly/l1.ts), and
 * 'negModulusL1', −Σ_i |q_i − e_i| over the complex coordinates of [Re | Im] rows (kernels/assembly/modulus-l1.ts).
 */
export type SimilarityName = 'dot' | 'negSqEuclidean' | 'negEuclidean' | 'negSqPoincare' | 'negL1' | 'negModulusL1';

/** How a table is initialised. */
export type InitSpec =
  | { kind: 'normal'; std: number }
  | { kind: 'uniform'; low: number; high: number }
  | { kind: 'constant'; value: number };

/** A constraint a table's rows are kept to (core/table-constraints.ts): 'unitNorm', each row on the unit L2 sphere. */
export type TableConstraint = 'unitNorm';

/** A parameter table: one row per entity or per (reciprocal-doubled) relation. */
export interface TableSpec {
  name: string;
  indexedBy: 'entity' | 'relation';
  dim: number;
  init: InitSpec;
  /** Whether the N3/L2 regulariser applies to this table's rows (embeddings yes; biases, curvatures no). */
  regularize: boolean;
  /** Rows are [Re | Im] halves of dim/2 complex numbers: N3 penalises each complex coordinate's modulus. */
  complexPairs?: boolean;
  /** A constraint the core keeps on the rows: at initialisation and after every optimiser step (table-constraints.ts). */
  constraint?: TableConstraint;
  /** Columns stored only so that the row width suits the kernels, held at zero (core/table-padding.ts). */
  padColumns?: readonly number[];
}

/** What `query` returns: the query vector, and optionally a curvature per row and a head bias per row. */
export interface QueryOutput {
  q: tf.Tensor2D;
  /** Curvature c > 0 of each query's ball, shape [B, 1] (hyperbolic similarity only). */
  c?: tf.Tensor2D;
  /** Score term that depends on the query only (e.g. the head bias b_h), shape [B, 1]. */
  offset?: tf.Tensor2D;
}

/** The hyper-parameters that define a model's shape; saved in checkpoints. */
export interface ModelConfig {
  model: string;
  dim: number;
  numEntities: number;
  numRelations: number;
  /** Model-specific options (e.g. init scale). */
  options: Record<string, number | string | boolean>;
  /** The dimension the tables are stored at when wider than `dim`, the added columns zero (core/table-padding.ts). */
  storedDim?: number;
}

/** A knowledge-graph embedding model, trainable by the core. */
export interface KgeModel {
  readonly config: ModelConfig;
  readonly tables: readonly TableSpec[];
  readonly similarity: SimilarityName;
  /** The entity-indexed table whose rows are the candidates e_t. */
  readonly candidateTable: string;
  /** Optional entity-indexed table of width 1 added to every candidate's score. */
  readonly tailBiasTable?: string;
  /** The tables whose rows `query` needs (rows of entity tables by query entity, of relation tables by relation). */
  readonly queryTables: readonly string[];
  /**
   * The query-side computation in tfjs, from the gathered rows of `queryTables` (each [B, dim]); `logicalWidth`, when
   * the rows end in zero columns stored only for the kernels (core/table-padding.ts), is the width the model's
   * width-dependent constants are defined at (AttH's attention temperature).
   */
  query(rows: Readonly<Record<string, tf.Tensor2D>>, logicalWidth?: number): QueryOutput;
  /**
   * The same computation as a fused query program over the rows of `queryTables` (src/kernels/query-program.ts),
   * which the fused negative-sampling step runs entirely in kernels; `query` stays the reference. Optional.
   */
  readonly fusedQuery?: QueryProgram;
  /**
   * Whether the model built at a larger dimension, its added columns zero, scores exactly as this one: its constants
   * do not depend on the tables' width and its terms vanish with zero operands (core/table-padding.ts). Padding
   * knows two row layouts only: plain rows, and `complexPairs` tables stored as [Re | Im] halves (each half padded);
   * a row of another layout (two roles in two halves, say) must not declare it.
   */
  readonly zeroPaddable?: boolean;
}
