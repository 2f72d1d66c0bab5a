/**
 * Which models the fused kernels can run: the kernels read rows four floats at a time (128-bit SIMD), so the
 * candidate table must be a multiple of 4 floats wide, and every table a query program reads that or 1 (a curvature). A model whose `--dim`
 * breaks that (e.g. PyKEEN's default 50) is stored with zero columns up to a width that suits them (table-padding.ts);
 * one that cannot be (a model without a fused program, or a checkpoint saved at its own width before padding existed)
 * trains and predicts through the tfjs reference path, several times slower; `kernelWidthObstacle` says why and
 * which nearby dimensions run in the kernels.
 */
import type { KgeModel } from './model.js';

/** Why the fused kernels cannot run `model` on `store`'s tables, and the nearest dimensions that they can run. */
export interface KernelWidthObstacle {
  /** One sentence: the table and its width, or the missing program. */
  reason: string;
  /** The nearest `dim` below and above the model's own whose tables all have usable widths (absent if none ≥ 4). */
  lower?: number;
  upper?: number;
}

/** The names of the tables the fused step reads: the candidate table and the query program's tables. */
function kernelTables(model: KgeModel): string[] {
  return [...new Set([model.candidateTable, ...model.queryTables])];
}

/** Null when the fused kernels can run this model's tables (as its specs declare them); else why not. */
export function kernelWidthObstacle(model: KgeModel): KernelWidthObstacle | null {
  if (!model.fusedQuery) return { reason: `${model.config.model} has no fused query program` };
  // a query table may be one float wide (a curvature); the candidate table's rows are swept four floats at a time
  const usable = (name: string, width: number): boolean => width % 4 === 0 || (width === 1 && name !== model.candidateTable);
  const specs = new Map(model.tables.map((spec) => [spec.name, spec.dim]));
  const widths = kernelTables(model).map((name) => ({ name, width: specs.get(name) ?? 0 }));
  const bad = widths.find(({ name, width }) => !usable(name, width));
  if (!bad) return null;
  const dim = model.config.storedDim ?? model.config.dim;
  // each table is a fixed multiple of dim (dim, dim/2 for RotatE's phases, 2·dim) or one float wide (curvatures)
  const scaled = (d: number): boolean => widths.every(({ name, width }) => usable(name, width === 1 ? 1 : (width * d) / dim));
  let lower: number | undefined;
  for (let d = dim - 1; d >= 4 && lower === undefined; d--) if (scaled(d)) lower = d;
  let upper: number | undefined;
  for (let d = dim + 1; d <= dim + 64 && upper === undefined; d++) if (scaled(d)) upper = d;
  return { reason: `the '${bad.name}' table of ${model.config.model} at --dim ${dim} is ${bad.width} floats wide, and the fused kernels need a multiple of 4`, lower, upper };
}

/** The sentence a run logs when its model cannot use the kernels: why, the cost, and the dimensions that can. */
export function kernelWidthNote(obstacle: KernelWidthObstacle): string {
  const dims = [obstacle.lower, obstacle.upper].filter((d): d is number => d !== undefined).map((d) => `--dim ${d}`);
  const instead = dims.length > 0 ? `; ${dims.join(' or ')} would train in the kernels` : '';
  return `${obstacle.reason}: this run trains and predicts through the tfjs reference path, several times slower (7–8× an epoch for DistMult and RotH on WN18RR before their tables were padded, docs/RESULTS.md)${instead}`;
}
