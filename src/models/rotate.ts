/**
 * RotatE (Sun et al., ICLR 2019): a relation rotates the head in the complex plane, q = h ∘ r with |rᵢ| = 1,
 * r = e^{iθ}, and f(h, r, t) = −‖h ∘ r − t‖ (eq. (1)–(2)). The paper sums the complex moduli (an L1 norm over
 * complex coordinates); kgdistill uses the L2 norm of the whole difference vector, which keeps the score a
 * function of ‖q‖², ‖t‖², q·t and so lets the core score all entities with one matrix product.
 * `dim` counts real parameters per entity ([Re | Im] of dim/2 complex numbers); a relation holds dim/2 phases.
 * Initialisation as the authors' code: phases uniform in [−π, π) (so rotations do not all start at the identity),
 * entity coordinates uniform in ±(γ + ε)/(d/2) with their γ = 9 (PyKEEN's default margin) and ε = 2 — unless
 * `initScale` asks for a normal one.
 */
import * as tf from '@tensorflow/tfjs';
import type { KgeModel, ModelConfig, QueryOutput, TableSpec } from '../core/model.js';
import { complexPairs, entityTable, modelConfig, paperOrNormal, relationTable, requireEvenDim, type ModelOptions } from '../core/model-base.js';
import { complexMultiply, splitComplex } from './complex-ops.js';
import { queryProgram } from '../kernels/query-program.js';

/** The fused query program (src/kernels/query-program.ts): the head times the relation's unit complex numbers. */
const ROTATE_QUERY = queryProgram(['r = phasor(phase)', 'q = complexMul(entity, r)'], { q: 'q' });

/** The margin γ of RotatE's initialisation range (γ + ε)/(d/2), ε = 2 (the authors' code; PyKEEN's margin 9). */
export const ROTATE_INIT_MARGIN = 9;

/** RotatE with the L2 distance. */
export class RotatE implements KgeModel {
  readonly config: ModelConfig;
  readonly tables: TableSpec[];
  readonly similarity = 'negEuclidean' as const;
  readonly candidateTable = 'entity';
  readonly queryTables = ['entity', 'phase'];
  readonly fusedQuery = ROTATE_QUERY;

  constructor(options: ModelOptions) {
    requireEvenDim('RotatE', options.dim);
    this.config = modelConfig('RotatE', options, {}, 'entities uniform ±(γ + 2)/(d/2), γ = 9; phases uniform in [−π, π) (Sun et al. 2019)');
    const range = (ROTATE_INIT_MARGIN + 2) / (options.dim / 2);
    this.tables = [
      complexPairs(entityTable('entity', options.dim, paperOrNormal(options, { kind: 'uniform', low: -range, high: range }))),
      relationTable('phase', options.dim / 2, { kind: 'uniform', low: -Math.PI, high: Math.PI }, false),
    ];
  }

  /** q = h ∘ e^{iθ}. */
  query(rows: Readonly<Record<string, tf.Tensor2D>>): QueryOutput {
    const [hRe, hIm] = splitComplex(rows.entity!);
    const phase = rows.phase!;
    return { q: complexMultiply(hRe, hIm, tf.cos(phase), tf.sin(phase)) };
  }
}
