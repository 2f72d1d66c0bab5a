/**
 * Zero columns that let the fused kernels run any `--dim`. The kernels read rows four floats at a time
 * (kernel-widths.ts); a model whose tables are not a multiple of 4 wide (DistMult at PyKEEN's default 50, RotatE at a
 * dimension that is not a multiple of 8) would train through the tfjs path, 7–8× slower. Instead the core stores
 * each table at the nearest usable width above and keeps the added columns at zero:
 * - a table of real coordinates gets them at the end of each row; a table of [Re | Im] halves (`complexPairs`) at the
 *   end of each half, so that complex coordinate k keeps its real and imaginary parts in step (RotatE's phase k still
 *   turns coordinate k; the Givens pairs (x₂ᵢ, x₂ᵢ₊₁) of the hyperbolic models gain whole zero pairs at the end);
 * - the added columns start at zero, and stay there: every score of these models is a sum over coordinates of terms
 *   that vanish, with their gradients, where every operand is zero (products, differences, |·| whose subgradient at
 *   0 is 0, the linear continuation of a modulus below its floor, Möbius sums and exp/log maps that scale each
 *   coordinate), so each optimiser (SGD, Adagrad, Adam: an update ∝ the gradient or its moments) leaves them at zero.
 * The stored model is then the model of the asked dimension exactly: same scores, same gradients on the other
 * columns, the initialisation of the asked dimension (TransE's ±6/√d uses d, not the stored width), and the constants
 * a model defines by its width (AttH's attention temperature 1/√d: `query`'s `logicalWidth`, the program's).
 * Checkpoints record the stored width (`ModelConfig.storedDim`); what leaves the program (export, lookup tables) is
 * the asked width (`logicalRows`).
 */
import type { KgeModel, ModelConfig, TableSpec } from './model.js';
import { kernelWidthObstacle } from './kernel-widths.js';

/** What the padding needs of a table: its spec (with `padColumns`) and its row-major values. */
export interface PaddedTable {
  readonly spec: TableSpec;
  readonly rows: number;
  readonly dim: number;
  readonly data: { readonly array: Float32Array };
}

/** The stored columns of a table of logical width `logical` stored `stored` wide that are padding (kept at zero). */
export function padColumnsOf(logical: number, stored: number, complexPairs: boolean): number[] {
  if (stored === logical) return [];
  const columns: number[] = [];
  if (complexPairs) {
    const half = logical / 2, storedHalf = stored / 2;
    for (let k = half; k < storedHalf; k++) columns.push(k, storedHalf + k);
    return columns.sort((a, b) => a - b);
  }
  for (let k = logical; k < stored; k++) columns.push(k);
  return columns;
}

/** A checkpoint's `storedDim` that this model and dimension are never stored at. */
export class StoredDimError extends Error {}

/**
 * The model at `--dim` as the kernels can run it: `model` itself when its tables already suit them (or it cannot be
 * padded, or padding would not bring it to widths the kernels read), else the same model built by `createAt` at the
 * nearest dimension above whose tables suit them, its tables initialised as `model`'s, their added columns declared
 * (`padColumns`), its config `model`'s with `storedDim`. The choice depends on the model and its dimension only, so
 * a checkpoint's `storedDim` (when given) must be `--dim` or that width; another is an error naming the key.
 */
export function padForKernels(model: KgeModel, createAt: (dim: number) => KgeModel, storedDim?: number): KgeModel {
  const { model: name, dim } = model.config;
  if (storedDim === dim) return model;
  const padded = paddedAtNextWidth(model, createAt);
  if (storedDim === undefined) return padded ?? model;
  const widths = [dim, ...(padded ? [padded.config.storedDim] : [])].join(' or ');
  if (padded?.config.storedDim !== storedDim) throw new StoredDimError(`model.storedDim ${storedDim} is not a width ${name} at --dim ${dim} is stored at (${widths}): a damaged checkpoint`);
  return padded;
}

/**
 * The model built at the first dimension in [from, to] whose tables the kernels read, each one built and checked
 * (RotatE at --dim 2: at 4 its phase table is 2 wide, so 8 is the first); dimensions the model refuses (odd ones for
 * ComplEx) are skipped.
 */
function firstUsable(createAt: (dim: number) => KgeModel, from: number, to: number): KgeModel | null {
  for (let dim = from; dim <= to; dim++) {
    let model: KgeModel;
    try {
      model = createAt(dim);
    } catch {
      continue;
    }
    if (kernelWidthObstacle(model) === null) return model;
  }
  return null;
}

/** `model` stored at the nearest wider dimension whose tables the kernels read, its added columns zero; null when none helps. */
function paddedAtNextWidth(model: KgeModel, createAt: (dim: number) => KgeModel): KgeModel | null {
  if (!model.zeroPaddable || !model.fusedQuery || kernelWidthObstacle(model) === null) return null;
  const stored = firstUsable(createAt, model.config.dim + 1, model.config.dim + 64);
  if (!stored) return null;
  const logicalSpecs = new Map(model.tables.map((spec) => [spec.name, spec]));
  const tables = stored.tables.map((spec): TableSpec => {
    const logical = logicalSpecs.get(spec.name);
    if (!logical || logical.complexPairs !== spec.complexPairs) throw new Error(`${model.config.model}: table '${spec.name}' has no counterpart at --dim ${model.config.dim}`);
    const padColumns = padColumnsOf(logical.dim, spec.dim, spec.complexPairs === true);
    return padColumns.length > 0 ? { ...spec, init: logical.init, padColumns } : { ...spec, init: logical.init };
  });
  const config: ModelConfig = { ...model.config, storedDim: stored.config.dim };
  return {
    config,
    tables,
    similarity: stored.similarity,
    candidateTable: stored.candidateTable,
    ...(stored.tailBiasTable !== undefined ? { tailBiasTable: stored.tailBiasTable } : {}),
    queryTables: stored.queryTables,
    // constants defined by the width (AttH's attention temperature) stay those of the asked dimension
    query: (rows) => stored.query(rows, model.config.dim),
    ...(stored.fusedQuery ? { fusedQuery: { ...stored.fusedQuery, logicalWidth: model.config.dim } } : {}),
    zeroPaddable: true,
  };
}

/** The sentence a run logs when its tables are stored wider than its `--dim`; null when they are not. */
export function paddingNote(model: KgeModel): string | null {
  const { model: name, dim, storedDim } = model.config;
  if (storedDim === undefined || storedDim === dim) return null;
  return `the tables of ${name} at --dim ${dim} are stored as at --dim ${storedDim}, the added columns held at zero, so that the fused kernels run them: the model and its scores are those of --dim ${dim}, and export gives ${dim}-wide rows`;
}

/** A model config as it describes the model, without the width its tables were stored at (what export writes). */
export function logicalModelConfig<C extends { storedDim?: number }>(config: C): Omit<C, 'storedDim'> {
  const { storedDim: _stored, ...logical } = config;
  return logical;
}

/**
 * The first padding value that is not zero, as row/column, or null (the columns held as they must be): of the
 * table's own values, or of `values` laid out as the table (an optimiser's moments of it).
 */
export function nonZeroPadding(table: PaddedTable, values: Float32Array = table.data.array): { row: number; column: number; value: number } | null {
  const columns = table.spec.padColumns;
  if (!columns || columns.length === 0) return null;
  const d = table.dim;
  for (let row = 0; row < table.rows; row++) {
    for (const k of columns) if (values[row * d + k] !== 0) return { row, column: k, value: values[row * d + k]! };
  }
  return null;
}

/** The table's rows at its logical width (the padding columns left out), row-major, and that width; a copy. */
export function logicalRows(table: PaddedTable): { values: Float32Array; dim: number } {
  const columns = table.spec.padColumns;
  const d = table.dim;
  if (!columns || columns.length === 0) return { values: table.data.array.slice(0, table.rows * d), dim: d };
  const kept = keptColumns(d, columns);
  const values = new Float32Array(table.rows * kept.length);
  const source = table.data.array;
  for (let row = 0, o = 0; row < table.rows; row++) for (const k of kept) values[o++] = source[row * d + k]!;
  return { values, dim: kept.length };
}

/**
 * `rows` rows of `values` (row-major, `logical` wide) written `stored` wide into `out` with zeros at the padding
 * columns of `padColumnsOf` — at the end of each [Re | Im] half when `complexPairs`, so that a kernel that splits a
 * row at its middle pairs each real part with its own imaginary part.
 */
export function widenRows(values: Float32Array, rows: number, logical: number, stored: number, complexPairs: boolean, out: Float32Array): void {
  const kept = keptColumns(stored, padColumnsOf(logical, stored, complexPairs));
  out.fill(0, 0, rows * stored);
  for (let row = 0, i = 0; row < rows; row++) for (const k of kept) out[row * stored + k] = values[i++]!;
}

/** The columns of a `width`-wide stored row that are not padding, in order. */
function keptColumns(width: number, padColumns: readonly number[]): number[] {
  const padded = new Set(padColumns);
  return Array.from({ length: width }, (_, k) => k).filter((k) => !padded.has(k));
}
