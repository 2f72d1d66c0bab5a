/**
 * `kgdistill export`: a run's parameter tables with their names, for numpy, pandas, DuckDB or Spark. One file per
 * table (`<table>.tsv`, `<table>.npy` or `<table>.parquet`), rows keyed by the entity name (entity tables) or the
 * relation name (relation tables: R relations then their R reciprocals, written `<name>⁻¹`, used to predict heads),
 * plus `export.json` describing every table. When the run's dataset has readable entity names (entity_names.tsv),
 * entity rows carry them too: a `name` column (TSV, Parquet; empty where an entity has none) or `entity_names.txt`
 * beside `entities.txt` (npy). For hyperbolic models the entity rows are tangent vectors at the
 * origin (ball point = exp₀ᶜ(row)), `curvature` holds c₀ with c = softplus(c₀) per relation row, `headBias` and
 * `tailBias` the entity biases of the score −d_c(q, t)² + b_h + b_t (Chami et al. 2020). The directory is written
 * whole (staged, then renamed) or not at all.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createRequire } from 'node:module';
import { loadRun, noteIfStillTraining } from '../registry/load-run.js';
import { ENTITY_NAMES_FILE, loadEntityNames } from '../kg/entity-names.js';
import { writeNewDirectory } from '../kg/new-directory.js';
import { requireNewOutFlag } from './new-out-flag.js';
import { initBackend } from '../core/backend.js';
import { refusedOption } from './options-error.js';
import { z } from 'zod';
import { callbackOption, trueOrFalse } from '../kg/load-options.js';
import { parseOptions } from './option-schemas.js';
import { logicalModelConfig, logicalRows } from '../core/table-padding.js';

/** Export formats. */
export const EXPORT_FORMATS = ['tsv', 'npy', 'parquet'] as const;
/** One export format. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** What an export wrote. */
export interface ExportReport {
  out: string;
  format: ExportFormat;
  tables: { name: string; file: string; rows: number; dim: number; indexedBy: 'entity' | 'relation' }[];
}

/** What each table of the known models holds (export.json). */
export const TABLE_NOTES: Readonly<Record<string, string>> = {
  entity: 'entity embeddings (hyperbolic models: tangent vectors at the origin; the ball point is exp₀ᶜ of the row)',
  headBias: 'b_h of the score', tailBias: 'b_t of the score',
  curvature: 'c₀ per relation row; the curvature is c = softplus(c₀) = log(1 + e^c₀)',
  relation: 'relation embeddings (2R rows: the R relations, then their reciprocals r⁻¹, which predict heads)', translation: 'relation translation', translation1: 'first relation translation (tangent vector)',
  translation2: 'second relation translation (tangent vector)', rotation: 'Givens rotation parameters (pairs (a, b), angle atan2(b, a))',
  reflection: 'Givens reflection parameters (pairs (a, b))', context: 'attention context vector', scaling: 'relation-wise diagonal scaling (MuRP, MuRE)', phase: 'rotation phases',
};

/** A NumPy .npy file (format 1.0) of a float32 C-order matrix [rows, dim]. */
export function npyBytes(values: Float32Array, rows: number, dim: number): Buffer {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${dim}), }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const prefix = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(prefix); // \x93NUMPY v1.0
  prefix.writeUInt16LE(header.length, 8);
  const data = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  return Buffer.concat([prefix, Buffer.from(header, 'latin1'), data]); // little-endian floats (this machine's order)
}

/** A Parquet file: column `key` (utf8), `name` (utf8, when given) and `embedding` (fixed-size list of float32), via apache-arrow and parquet-wasm. */
async function parquetBytes(keys: readonly string[], names: readonly string[] | undefined, values: Float32Array, dim: number): Promise<Uint8Array> {
  const arrow = await import('apache-arrow'); // its ~150 modules are loaded by a Parquet export only, not by every import of the package
  const pq = createRequire(import.meta.url)('parquet-wasm/node') as typeof import('parquet-wasm/node');
  const flat = arrow.makeData({ type: new arrow.Float32(), length: values.length, data: values.slice() });
  const listType = new arrow.FixedSizeList(dim, new arrow.Field('item', new arrow.Float32(), false));
  const embedding = arrow.makeVector(arrow.makeData({ type: listType, length: keys.length, child: flat }));
  const table = new arrow.Table({
    key: arrow.vectorFromArray([...keys], new arrow.Utf8()),
    ...(names ? { name: arrow.vectorFromArray([...names], new arrow.Utf8()) } : {}),
    embedding,
  });
  return pq.writeParquet(pq.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')), new pq.WriterPropertiesBuilder().build());
}

/** A name as one TSV field or line: tabs and line breaks become spaces. */
function tsvField(text: string): string {
  return text.replace(/[\t\r\n]+/g, ' ');
}

/**
 * A value as one field of a TSV table: as it is, but quoted as in CSV (inside double quotes, each quote doubled)
 * when it begins with a double quote or holds a tab or line break, which CSV readers (pandas, Python's csv,
 * DuckDB) would otherwise take as the start of a quoted field running past its row, or as a column break.
 */
export function tableField(text: string): string {
  return text.startsWith('"') || /[\t\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The readable entity names of a dataset for an export: row i's name; none (with a note) when the file cannot be used or names none of the entities. */
async function readableNames(dir: string | undefined, entities: readonly string[], onNotice?: (note: string) => void): Promise<string[] | undefined> {
  if (!dir) return undefined;
  if (!existsSync(dir)) {
    // the run's dataset moved or is gone: its names cannot be read, which the export says rather than leaving them out unsaid
    onNotice?.(`the run's dataset directory ${dir} is not there (moved or removed): the export has no readable entity names (its keys are the checkpoint's own)`);
    return undefined;
  }
  let readable: Map<string, string> | undefined;
  try {
    readable = await loadEntityNames(dir);
  } catch (error) {
    onNotice?.(`${(error as Error).message}; the export goes on without readable entity names (fix that file to include them)`);
    return undefined;
  }
  if (!readable) return undefined;
  const names = entities.map((key) => readable.get(key) ?? '');
  if (names.every((name) => name === '')) {
    onNotice?.(`${path.join(dir, ENTITY_NAMES_FILE)} names none of the run's ${entities.length} entities${readable.size === 0 ? ' (it holds no names)' : ` (its ${readable.size} id${readable.size === 1 ? ' is another key' : 's are other keys'}, e.g. '${[...readable.keys()][0]!.slice(0, 40)}')`}: the export has no readable entity names`);
    return undefined;
  }
  return names;
}

/** What each key of exportRun's options accepts. */
const exportOptionsSchema = z.object({ last: trueOrFalse, onNotice: callbackOption, naming: z.enum(['key', 'flag'], { error: 'must be key or flag' }) }).partial().strict();

/** Exports a run's best (or last) checkpoint into a new directory. */
export async function exportRun(runDir: string, format: ExportFormat, out: string, options: { last?: boolean; onNotice?: (note: string) => void; naming?: 'key' | 'flag' } = {}): Promise<ExportReport> {
  parseOptions(exportOptionsSchema, options, 'key', 'exportRun'); // a misspelt 'lats' would export the best checkpoint
  if (!EXPORT_FORMATS.includes(format)) { // the command line's choices refuse it first: this is a library caller's, named by its key; an OptionsError
    const message = `format must be one of ${EXPORT_FORMATS.join(', ')} (got '${String(format)}')`;
    throw refusedOption(message, 'format', format);
  }
  const outName = options.naming === 'flag' ? '--out' : 'out'; // how the caller names it: the command line's flag, or the argument
  requireNewOutFlag(out, outName);
  const target = path.resolve(out);
  await initBackend('auto');
  const run = await loadRun(path.resolve(runDir), options.last ? 'last' : undefined, options.onNotice);
  noteIfStillTraining(run, options.onNotice);
  const { entities, relations } = run.header.vocab;
  const relationKeys = [...relations, ...relations.map((r) => `${r}⁻¹`)];
  const entityNames = await readableNames(run.header.dataset.dir, entities, options.onNotice); // row i's readable name
  const tables: ExportReport['tables'] = [];
  await writeNewDirectory(target, async (staging) => { // as data generate and plot: a new directory's parents are made
    for (const table of run.runtime.store.tables()) {
      const keys = table.spec.indexedBy === 'entity' ? entities : relationKeys;
      const names = table.spec.indexedBy === 'entity' ? entityNames : undefined;
      const { values, dim } = logicalRows(table); // the model's own width: columns stored only for the kernels left out
      const file = `${table.spec.name}.${format}`;
      if (format === 'npy') await writeFile(path.join(staging, file), npyBytes(values, table.rows, dim));
      else if (format === 'parquet') await writeFile(path.join(staging, file), await parquetBytes(keys, names, values, dim));
      else {
        const lines = [`key\t${names ? 'name\t' : ''}${Array.from({ length: dim }, (_, k) => `v${k}`).join('\t')}`];
        for (let i = 0; i < table.rows; i++) {
          const row = Array.from(values.subarray(i * dim, (i + 1) * dim), (v) => String(v)).join('\t');
          lines.push(`${tableField(keys[i]!)}\t${names ? `${tableField(tsvField(names[i]!))}\t` : ''}${row}`);
        }
        await writeFile(path.join(staging, file), `${lines.join('\n')}\n`);
      }
      tables.push({ name: table.spec.name, file, rows: table.rows, dim, indexedBy: table.spec.indexedBy });
    }
    if (format === 'npy') {
      await writeFile(path.join(staging, 'entities.txt'), `${entities.join('\n')}\n`);
      await writeFile(path.join(staging, 'relations.txt'), `${relationKeys.join('\n')}\n`);
      if (entityNames) await writeFile(path.join(staging, 'entity_names.txt'), `${entityNames.map(tsvField).join('\n')}\n`);
    }
    const manifest = {
      format: 'kgdistill-export', version: 1, model: logicalModelConfig(run.header.model), similarity: run.runtime.model.similarity, source: { runDir: path.resolve(runDir), checkpoint: path.basename(run.file, '.json') },
      rows: format === 'npy'
        ? `row i of every entity table is entities.txt line i${entityNames ? ' (readable name: entity_names.txt line i)' : ''}; of every relation table relations.txt line i`
        : `the key column names each row${entityNames ? "; entity tables' name column holds the dataset's readable name (entity_names.tsv), empty where it has none" : ''}${format === 'tsv' ? '; a field that begins with a double quote or holds a tab is quoted as in CSV' : ''}`,
      tables: tables.map((t) => ({ ...t, holds: TABLE_NOTES[t.name] ?? t.name })),
    };
    await writeFile(path.join(staging, 'export.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  }, out);
  return { out: target, format, tables };
}
