/**
 * Constraints a model may declare on a table (`TableSpec.constraint`), which the core applies to the initial table
 * (ParameterStore.initialise) and after every optimiser step (TableOptimizer.step), whatever the path that wrote the
 * gradient (fused sampled, two threads, compact, 1-N, tfjs). The step projects the whole table, as PyKEEN does, and
 * not only the rows it moved: projecting a row already projected is the identity in exact arithmetic but may move
 * its last bit in float32, so projecting only the moved rows would not give the same numbers. One constraint so far:
 * - 'unitNorm': each row is projected onto the unit L2 sphere, e ← e / max(‖e‖₂, 1e-12) — TransE's entity
 *   normalisation (Bordes et al. 2013, Algorithm 1, line 5), as PyKEEN 1.10.1's TransE (`entity_constrainer =
 *   torch.nn.functional.normalize`, eps 1e-12, applied in `post_parameter_update` after each step).
 * The sum of squares is taken in float64 in coordinate order and each coordinate divided once, so the result does
 * not depend on the thread count or the order rows are visited.
 */
import type { TableSpec } from './model.js';

/** What a constraint reads of a parameter table (ParameterTable has it). */
export interface ConstrainedTable {
  readonly spec: TableSpec;
  readonly dim: number;
  readonly data: { readonly array: Float32Array };
}

/** The floor of the norm a row is divided by (torch.nn.functional.normalize's eps). */
const UNIT_NORM_EPS = 1e-12;

/** Projects every row of a row-major [n × d] array onto the unit L2 sphere. */
export function projectUnitRows(data: Float32Array, d: number): void {
  for (let o = 0; o < data.length; o += d) {
    let sum = 0;
    for (let k = o; k < o + d; k++) sum += data[k]! * data[k]!;
    const norm = Math.max(Math.sqrt(sum), UNIT_NORM_EPS);
    for (let k = o; k < o + d; k++) data[k] = data[k]! / norm;
  }
}

/** Applies the table's declared constraint, if any, to every row (the whole table: see the file comment). */
export function applyConstraint(table: ConstrainedTable): void {
  if (table.spec.constraint === 'unitNorm') projectUnitRows(table.data.array, table.dim);
}
