/**
 * RotatE (Sun et al., ICLR 2019): a relation rotates the head in the complex plane, q = h ∘ r with |rᵢ| = 1,
 * r = e^{iθ}, and f(h, r, t) = −‖h ∘ r − t‖ (eq. (1)–(2)), with the norm of the model option `norm`:
 * - 1: the sum of the complex moduli, −Σ_i |(h ∘ r − t)_i| (an L1 norm over complex coordinates; the authors' code,
 *   and LibKGE's RotatE with l_norm 1): the similarity 'negModulusL1';
 * - 2 (the default, for now: the recorded figures were made with it): the L2 norm of the whole difference vector,
 *   −√Σ_i |(h ∘ r − t)_i|², the similarity 'negEuclidean' — a function of ‖q‖², ‖t‖², q·t, so 1-N training
 *   scores all entities with one matrix product.
 * The norm is recorded in the checkpoint config (`options.norm`); a checkpoint without it predates the option and
 * holds an L2 model (registry/models.ts). `dim` counts real parameters per entity ([Re | Im] of dim/2 complex numbers); a relation holds dim/2 phases.
 * Initialisation as the authors' code: phases uniform in [−π, π) (so rotations do not all start at the identity),
 * entity coordinates uniform in ±(γ + ε)/(d/2) with their γ = 9 (PyKEEN's default margin) and ε = 2 — unless
 * `initScale` asks for a normal one (the phases stay uniform). The range keeps γ = 9 whatever the loss's `--margin`
 * (the authors' code ties the two; their recipes use γ = 6–24, ours 3 by default). The phase itself is the parameter,
 * where the authors' code learns phase·π/range with range = (γ + ε)/(d/2): under Adam a step moves a phase by about
 * the learning rate here and by π/range times it there, so their learning rates do not carry over to the phases.
 * Head queries use a learned reciprocal relation r + R, as every model here (core/batch.ts; Lacroix et al. 2018),
 * not the conjugate rotation of r.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KgeModel, ModelConfig, QueryOutput, TableSpec } from '../core/model.js';
import { complexPairs, entityTable, modelConfig, paperOrNormal, relationTable, requireEvenDim } from '../core/model-base.js';
import { complexMultiply, splitComplex } from './complex-ops.js';
import { queryProgram } from '../kernels/query-program.js';
import { distanceNorm, type DistanceNorm, type NormOptions } from './distance-norm.js';

/** The fused query program (src/kernels/query-program.ts): the head times the relation's unit complex numbers. */
const ROTATE_QUERY = queryProgram(['r = phasor(phase)', 'q = complexMul(entity, r)'], { q: 'q' });

/** The margin γ of RotatE's initialisation range (γ + ε)/(d/2), ε = 2 (the authors' code; PyKEEN's margin 9). */
export const ROTATE_INIT_MARGIN = 9;

/** The default norm: L2 over all real coordinates (the figures recorded before the option were made with it). */
export const ROTATE_DEFAULT_NORM: DistanceNorm = 2;

/** RotatE with the L1 norm over complex moduli or (default) the L2 distance. */
export class RotatE implements KgeModel {
  readonly config: ModelConfig;
  readonly tables: TableSpec[];
  readonly similarity: 'negModulusL1' | 'negEuclidean';
  readonly candidateTable = 'entity';
  readonly queryTables = ['entity', 'phase'];
  readonly fusedQuery = ROTATE_QUERY;
  /** Its scores are unchanged by zero columns added to every table (core/table-padding.ts). */
  readonly zeroPaddable = true;

  constructor(options: NormOptions) {
    requireEvenDim('RotatE', options.dim);
    const norm = distanceNorm('RotatE', options, ROTATE_DEFAULT_NORM);
    this.config = modelConfig('RotatE', options, { norm }, 'entities uniform ±(γ + 2)/(d/2), γ = 9; phases uniform in [−π, π) (Sun et al. 2019)');
    this.similarity = norm === 1 ? 'negModulusL1' : 'negEuclidean';
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
