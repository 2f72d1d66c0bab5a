/**
 * Constraints a model may declare on a table (`TableSpec.constraint`), which the core applies to the initial table
 * (ParameterStore.initialise) and after every optimiser step (TableOptimizer.step), whatever the path that wrote the
 * gradient (fused sampled, two threads, compact, 1-N, tfjs). The step projects the whole table, as PyKEEN does, and
 * not only the rows it moved: projecting a row already projected is the identity in exact arithmetic but may move
 * its last bit in float32, so projecting only the moved rows would not give the same numbers. One constraint so far:
 * - 'unitNorm': each row is projected onto the unit L2 sphere, e ← e / max(‖e‖₂, 1e-12) — TransE's entity
 *   normalisation (Bordes et al. 2013, Algorithm 1, line 5), as PyKEEN 1.10.1's TransE (`entity_constrainer =
 *   torch.nn.functional.normalize`, eps 1e-12, applied in `post_parameter_update` after each step).
 * Rows of a width that is a multiple of 4 are projected by the SIMD kernel unitNormRows (kernels/assembly/
 * constraints.ts) when the caller has kernels, others by projectUnitRows below, its readable twin: both work in
 * float32, as PyTorch on a float32 table, sum the squares in the same order (four lanes, lane j over the coordinates
 * k ≡ j mod 4) and divide each coordinate once, so the two give the same bits whatever the path, the thread count or
 * the order rows are visited. (Before kernels ABI 9 the sums and divisions were in float64, which cost twice as much
 * and let dense Adam fuse the projection into its sweep to hide it; TransE runs from then differ in the last bits.)
 */
import { subF32, type F32Block } from '../kernels/kernel-memory.js';
import type { Kernels } from '../kernels/kernels.js';
import { KernelWorker, MIN_SPLIT_SWEEP_FLOATS } from '../kernels/kernel-worker.js';
import type { TableSpec } from './model.js';

/** What a constraint reads of a parameter table (ParameterTable has it). */
export interface ConstrainedTable {
  readonly spec: TableSpec;
  readonly rows: number;
  readonly dim: number;
  readonly data: F32Block;
}

/** The floor of the norm a row is divided by (torch.nn.functional.normalize's eps), as a float32. */
const UNIT_NORM_EPS = Math.fround(1e-12);

/** Projects every row of a row-major [n × d] array onto the unit L2 sphere, in float32 (the kernel's order, see above). */
export function projectUnitRows(data: Float32Array, d: number): void {
  const f = Math.fround; // every operation rounded to float32, as the kernel's
  const square = (k: number): number => f(data[k]! * data[k]!);
  for (let o = 0; o < data.length; o += d) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0; // lane j sums the squares of the coordinates k ≡ j (mod 4)
    let k = o;
    for (; k + 4 <= o + d; k += 4) {
      s0 = f(s0 + square(k));
      s1 = f(s1 + square(k + 1));
      s2 = f(s2 + square(k + 2));
      s3 = f(s3 + square(k + 3));
    }
    if (k < o + d) s0 = f(s0 + square(k));
    if (k + 1 < o + d) s1 = f(s1 + square(k + 1));
    if (k + 2 < o + d) s2 = f(s2 + square(k + 2));
    const norm = Math.max(f(Math.sqrt(f(f(s0 + s1) + f(s2 + s3)))), UNIT_NORM_EPS);
    for (k = o; k < o + d; k++) data[k] = data[k]! / norm; // a float32 quotient: the store rounds it once
  }
}

/**
 * Applies the table's declared constraint, if any, to every row (the whole table: see the file comment). With
 * kernels, a large table's rows are cut in two and the second part runs on the kernel worker meanwhile (two threads):
 * each row is projected on its own, so the result is the one-thread result, bit for bit.
 */
export function applyConstraint(table: ConstrainedTable, kernels?: Kernels): void {
  if (table.spec.constraint !== 'unitNorm') return;
  const { rows, dim: d, data } = table;
  if (!kernels || d % 4 !== 0) return projectUnitRows(data.array, d);
  const worker = rows * d >= MIN_SPLIT_SWEEP_FLOATS ? kernels.worker() : null;
  const cut = worker ? rows >> 1 : rows;
  const theirs = cut < rows ? [rows - cut, d, subF32(data, cut * d, (rows - cut) * d).offset] : null;
  KernelWorker.beside(worker, 'unitNormRows', theirs, () => kernels.unitNormRows(cut, d, cut === rows ? data : subF32(data, 0, cut * d)));
}
