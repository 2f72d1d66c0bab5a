// `kgdistill export`: every parameter table with its names, read back by independent readers — TSV parsed here,
// .npy by numpy (Debian's python3-numpy, installed by .ci/run), Parquet by DuckDB — and compared with the checkpoint.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';
import { runTrain } from '../../src/pipeline/train.js';
import { loadRun } from '../../src/registry/load-run.js';
import { registerExportCommand } from '../../src/cli/commands/export.js';
import { OptionsError } from '../../src/pipeline/options-error.js';
import { TABLE_NOTES } from '../../src/pipeline/export.js';
import { createModel, MODELS } from '../../src/registry/models.js';
import { runCli, runCliCapturing } from '../helpers/run-cli.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-export-'));
let run: string;
let tables: Record<string, { rows: number; dim: number; values: Float32Array }>;
let entities: string[];
let relations: string[];

beforeAll(async () => {
  const graph = await writeSyntheticDataset(path.join(tmp, 'graph'), { entities: 40, seed: 2 });
  run = path.join(tmp, 'run');
  await runTrain({ dataset: graph, model: 'RotH', dim: 8, epochs: 2, validEvery: 1, batchSize: 64, out: run, initScale: 0.1 });
  const loaded = await loadRun(run);
  entities = loaded.header.vocab.entities;
  relations = loaded.header.vocab.relations;
  tables = Object.fromEntries(loaded.runtime.store.tables().map((t) => [t.spec.name, { rows: t.rows, dim: t.dim, values: t.data.array.slice() }]));
});

const exportTo = (format: string): Promise<string> => runCli([registerExportCommand], ['export', '--checkpoint', run, '--format', format, '--out', path.join(tmp, format)]);

describe('kgdistill export', () => {
  it('tsv: one file per table, the key column then the values, exactly the checkpoint floats', async () => {
    await exportTo('tsv');
    const manifest = JSON.parse(readFileSync(path.join(tmp, 'tsv', 'export.json'), 'utf8')) as { tables: { name: string; holds: string }[] };
    expect(manifest.tables.map((t) => t.name).sort()).toEqual(Object.keys(tables).sort());
    expect(manifest.tables.find((t) => t.name === 'curvature')!.holds).toMatch(/softplus/);
    for (const [name, table] of Object.entries(tables)) {
      const lines = readFileSync(path.join(tmp, 'tsv', `${name}.tsv`), 'utf8').trim().split('\n');
      expect(lines).toHaveLength(table.rows + 1);
      const row = lines[3]!.split('\t');
      expect(row[0]).toBe(table.rows === entities.length ? entities[2] : [...relations, ...relations.map((r) => `${r}⁻¹`)][2]);
      expect(row.slice(1).map(Number)).toEqual(Array.from(table.values.subarray(2 * table.dim, 3 * table.dim)));
    }
  });

  it('npy: numpy loads every table with its shape and values; names are in entities.txt and relations.txt', async () => {
    await exportTo('npy');
    const script = `import numpy as np, json, sys\nd = sys.argv[1]\nprint(json.dumps({n: [list(np.load(f"{d}/{n}.npy").shape), float(np.load(f"{d}/{n}.npy").astype("float64").sum())] for n in sys.argv[2:]}))`;
    const out = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, path.join(tmp, 'npy'), ...Object.keys(tables)], { encoding: 'utf8' })) as Record<string, [number[], number]>;
    for (const [name, table] of Object.entries(tables)) {
      expect(out[name]![0]).toEqual([table.rows, table.dim]);
      expect(out[name]![1]).toBeCloseTo(table.values.reduce((s, v) => s + v, 0), 4);
    }
    expect(readFileSync(path.join(tmp, 'npy', 'entities.txt'), 'utf8').trim().split('\n')).toEqual(entities);
  });

  it('parquet: DuckDB reads key and embedding columns with the checkpoint values', async () => {
    await exportTo('parquet');
    const db = await DuckDBInstance.create(':memory:');
    const connection = await db.connect();
    const reader = await connection.runAndReadAll(`SELECT key, embedding FROM '${path.join(tmp, 'parquet', 'entity.parquet')}' ORDER BY key`);
    const rows = reader.getRowObjectsJson() as { key: string; embedding: number[] }[];
    expect(rows).toHaveLength(entities.length);
    const byKey = new Map(rows.map((r) => [r.key, r.embedding]));
    const e = tables.entity!;
    entities.forEach((key, i) => expect(byKey.get(key)!.map(Math.fround)).toEqual(Array.from(e.values.subarray(i * e.dim, (i + 1) * e.dim))));
  });

  it("carries the dataset's readable entity names: a name column (tsv, parquet), entity_names.txt (npy); none without names", async () => {
    expect(readFileSync(path.join(tmp, 'tsv', 'entity.tsv'), 'utf8').split('\n')[0]).toMatch(/^key\tv0\t/); // the graph above has no names
    const graph = await writeSyntheticDataset(path.join(tmp, 'named-graph'), { entities: 40, seed: 2 });
    writeFileSync(path.join(graph, 'entity_names.tsv'), 'e0\tNode zero\ne1\tNode one\n');
    const named = path.join(tmp, 'named');
    await runTrain({ dataset: graph, model: 'DistMult', dim: 4, epochs: 1, validEvery: 1, batchSize: 64, out: named });
    const keys = (await loadRun(named)).header.vocab.entities;
    const exportNamed = (format: string): Promise<string> => runCli([registerExportCommand], ['export', '--checkpoint', named, '--format', format, '--out', path.join(tmp, `named-${format}`)]);
    await exportNamed('tsv');
    const lines = readFileSync(path.join(tmp, 'named-tsv', 'entity.tsv'), 'utf8').trim().split('\n').map((l) => l.split('\t'));
    expect(lines[0]).toEqual(['key', 'name', 'v0', 'v1', 'v2', 'v3']);
    const nameOf = new Map(lines.slice(1).map((row) => [row[0], row[1]]));
    expect([nameOf.get('e0'), nameOf.get('e1'), nameOf.get('e2')]).toEqual(['Node zero', 'Node one', '']);
    expect(readFileSync(path.join(tmp, 'named-tsv', 'relation.tsv'), 'utf8').split('\n')[0]).toMatch(/^key\tv0\t/); // relations have no names
    await exportNamed('npy');
    const npyNames = readFileSync(path.join(tmp, 'named-npy', 'entity_names.txt'), 'utf8').split('\n');
    expect(npyNames[keys.indexOf('e1')]).toBe('Node one');
    expect(npyNames).toHaveLength(keys.length + 1); // one line per entity row, then the final newline
    await exportNamed('parquet');
    const connection = await (await DuckDBInstance.create(':memory:')).connect();
    const reader = await connection.runAndReadAll(`SELECT key, name FROM '${path.join(tmp, 'named-parquet', 'entity.parquet')}' WHERE key IN ('e0', 'e5') ORDER BY key`);
    expect(reader.getRowObjectsJson()).toEqual([{ key: 'e0', name: 'Node zero' }, { key: 'e5', name: '' }]);
  });

  it('odd entity_names.tsv: a name beginning with a quote or holding a tab keeps its row and columns; a malformed, empty or foreign file is one note and no names', async () => {
    const graph = await writeSyntheticDataset(path.join(tmp, 'odd-graph'), { entities: 40, seed: 2 });
    const names = path.join(graph, 'entity_names.tsv');
    writeFileSync(names, 'e0\t"Unclosed name\r\ne1\tOne "quoted\r\ne2\t"Two" q\ne3\tTab\tinside\nzz\tno such key\n');
    const odd = path.join(tmp, 'odd');
    await runTrain({ dataset: graph, model: 'DistMult', dim: 4, epochs: 1, validEvery: 1, batchSize: 64, out: odd });
    const exportOdd = (name: string, format = 'tsv') => runCliCapturing([registerExportCommand], ['export', '--checkpoint', odd, '--format', format, '--out', path.join(tmp, name)]);
    expect((await exportOdd('odd-tsv')).err).not.toContain('note:');
    const file = path.join(tmp, 'odd-tsv', 'entity.tsv');
    const connection = await (await DuckDBInstance.create(':memory:')).connect();
    const reader = await connection.runAndReadAll(`SELECT key, name, v3 FROM read_csv('${file}', delim='\t', header=true, quote='"') WHERE key IN ('e0', 'e1', 'e2', 'e3', 'e4') ORDER BY key`);
    const rows = reader.getRowObjectsJson() as { key: string; name: string | null; v3: number }[];
    expect(rows.map((r) => [r.key, r.name ?? ''])).toEqual([['e0', '"Unclosed name'], ['e1', 'One "quoted'], ['e2', '"Two" q'], ['e3', 'Tab inside'], ['e4', '']]);
    const count = await connection.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_csv('${file}', delim='\t', header=true, quote='"')`);
    expect(count.getRowObjectsJson()).toEqual([{ n: 40 }]); // one row per entity: no quoted field runs past its line
    const e0 = readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith('e0\t'))!;
    expect(e0.split('\t').slice(0, 2)).toEqual(['e0', '"""Unclosed name"']);
    for (const [text, note] of [
      ['e0\tZero\nmalformed line\n', `note: ${names}:2: expected 2 tab-separated fields (id, name), found 1; the export goes on without readable entity names (fix that file to include them)`],
      ['', `note: ${names} names none of the run's 40 entities (it holds no names): the export has no readable entity names`],
      ['zz\tUnknown\n', `note: ${names} names none of the run's 40 entities (its 1 id is another key, e.g. 'zz'): the export has no readable entity names`],
    ] as const) {
      writeFileSync(names, text);
      for (const format of ['tsv', 'npy']) {
        const name = `odd-${format}-${text.length}`;
        const { err } = await exportOdd(name, format);
        expect(err.split('\n').filter((l) => l.startsWith('note:'))).toEqual([note]);
        if (format === 'tsv') expect(readFileSync(path.join(tmp, name, 'entity.tsv'), 'utf8').split('\n')[0]).toMatch(/^key\tv0\t/);
        else expect(readdirSync(path.join(tmp, name))).not.toContain('entity_names.txt');
      }
    }
    // the run's dataset moved: no names, and a note saying why (it said nothing)
    writeFileSync(names, 'e0\tZero\n');
    renameSync(graph, `${graph}-moved`);
    try {
      const { err } = await exportOdd('odd-moved');
      expect(err.split('\n').filter((l) => l.startsWith('note:'))).toEqual([`note: the run's dataset directory ${graph} is not there (moved or removed): the export has no readable entity names (its keys are the checkpoint's own)`]);
      expect(readFileSync(path.join(tmp, 'odd-moved', 'entity.tsv'), 'utf8').split('\n')[0]).toMatch(/^key\tv0\t/);
    } finally {
      renameSync(`${graph}-moved`, graph);
    }
  });

  it('refuses an existing non-empty directory and an unknown format, writing nothing', async () => {
    await expect(exportTo('tsv')).rejects.toThrow(/exists and is not empty; choose a new directory \(nothing was written\)/);
    await expect(exportTo('hdf5')).rejects.toThrow(/Allowed choices are tsv, npy, parquet/);
    await expect(runCli([registerExportCommand], ['export', '--checkpoint', run, '--out', ''])).rejects.toThrow(/^--out is empty: give a new directory \(nothing was written\)$/);
    await expect(runCli([registerExportCommand], ['export', '--checkpoint', run, '--out', ' '])).rejects.toThrow(OptionsError); // a usage error: exit 2
    const nested = path.join(tmp, 'not', 'yet', 'there');
    expect((await runCli([registerExportCommand], ['export', '--checkpoint', run, '--out', nested])).trim()).toBe(nested); // its parents are made
    expect(readdirSync(nested).sort()).toEqual(readdirSync(path.join(tmp, 'tsv')).sort());
  });
});

describe('export.json', () => {
  it('says what every table of every registered model holds (no table is described by its bare name)', () => {
    for (const name of MODELS.names()) {
      const model = createModel(name, { dim: 8, numEntities: 4, numRelations: 2 });
      for (const table of model.tables) expect(TABLE_NOTES[table.name], `${name}: ${table.name}`).toBeDefined();
    }
    expect(TABLE_NOTES.relation).toContain('reciprocals');
  });
});
