// A header line in words the reader does not recognise is read as a triple under `--header auto`; the load report
// names it when none of its three names occurs anywhere else (header-suspect.ts), and never for a real first triple.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { loadDataset, formatLoadReport } from '../../src/kg/dataset.js';
import { tempDir, writeFiles } from './helpers.js';
import { describeWithBenchmark } from '../helpers/datasets.js';

const body = 'a\tlikes\tb\nb\tlikes\tc\nc\tknows\ta\n';
const split = { 'valid.txt': 'a\tknows\tc\n', 'test.txt': 'b\tknows\ta\n' };

describe('a header the reader does not recognise', () => {
  it('is named in the load report, with the flags that settle it', async () => {
    const dir = writeFiles(tempDir(), { 'train.txt': `src_node\tedge_kind\tdst_node\n${body}`, ...split });
    const dataset = await loadDataset(dir, { verify: false });
    expect(dataset.report.suspectHeader).toEqual({ line: 1, fields: ['src_node', 'edge_kind', 'dst_node'] });
    expect(formatLoadReport(dataset.report)).toContain(`${path.join(dir, 'train.txt')}:1: "src_node", "edge_kind", "dst_node" may be a header — none of these names occurs anywhere else; --header yes skips it and the first line of valid and test alike (if only this file has such a line, delete it there instead), --header no reads it as a triple (without this note)`);
    const skipped = await loadDataset(dir, { verify: false, header: true });
    expect([skipped.report.suspectHeader, skipped.train.length / 3]).toEqual([undefined, 3]);
    expect((await loadDataset(dir, { verify: false, header: false })).report.suspectHeader).toBeUndefined();
  });

  it('is named when the same header heads valid and test too (as an export writes it); --header yes then skips all three', async () => {
    const header = 'head_label\trelation_label\ttail_label\n'; // PyKEEN's column names, not header words of the reader
    const dir = writeFiles(tempDir(), { 'train.txt': `${header}${body}`, 'valid.txt': `${header}${split['valid.txt']}`, 'test.txt': `${header}${split['test.txt']}` });
    expect((await loadDataset(dir, { verify: false })).report.suspectHeader).toEqual({ line: 1, fields: ['head_label', 'relation_label', 'tail_label'] });
    const skipped = await loadDataset(dir, { verify: false, header: true });
    expect([skipped.train.length, skipped.valid.length, skipped.test.length]).toEqual([9, 3, 3]);
  });

  it('is not suspected of a first triple whose names occur elsewhere, nor of a recognised header', async () => {
    const plain = writeFiles(tempDir(), { 'train.txt': body, ...split });
    expect((await loadDataset(plain, { verify: false })).report.suspectHeader).toBeUndefined();
    const named = writeFiles(tempDir(), { 'train.txt': `head\trelation\ttail\n${body}`, ...split });
    expect((await loadDataset(named, { verify: false })).report.suspectHeader).toBeUndefined();
    // nor of the first triple after a recognised header, whose names are new (it was: "train.txt:2 may be a header")
    const after = writeFiles(tempDir(), { 'train.txt': `head\trelation\ttail\nx\ts\ty\n${body}`, ...split });
    expect((await loadDataset(after, { verify: false })).report.suspectHeader).toBeUndefined();
  });

  it("a header in train alone names the columns of headerless valid and test (they were read in the default order: entities as relations, kept as unseen)", async () => {
    const dir = writeFiles(tempDir(), { 'train.csv': 'head,tail,relation\na,b,r\nb,c,r\nc,a,r\n', 'valid.csv': 'a,c,r\n', 'test.csv': 'head,relation,tail\nb,r,a\n' });
    const dataset = await loadDataset(dir, { verify: false });
    expect(dataset.relations.names).toEqual(['r']);
    expect(dataset.report.unseen).toEqual({ valid: 0, test: 0 });
    const name = (id: number): string => dataset.entities.names[id]!;
    expect([name(dataset.valid[0]!), name(dataset.valid[2]!)]).toEqual(['a', 'c']);
    expect([name(dataset.test[0]!), name(dataset.test[2]!)]).toEqual(['b', 'a']); // test's own header, in its own order
  });

  it('names that are properties of every object (constructor, __proto__) are not header words', async () => {
    const dir = writeFiles(tempDir(), { 'train.txt': '__proto__\tr\tconstructor\nconstructor\tr\t__proto__\n', 'valid.txt': '__proto__\tr\t__proto__\n', 'test.txt': 'constructor\tr\tconstructor\n' });
    const dataset = await loadDataset(dir, { verify: false }); // it said: header column order "__proto__,r,constructor" is not supported
    expect(dataset.train.length / 3).toBe(2);
  });

  it('a row of separators only (",," as spreadsheets write an empty row, a lone tab) is a blank line', async () => {
    const csv = writeFiles(tempDir(), { 'train.csv': 'a,r,b\r\nb,r,c\r\n,,\r\n,,\r\n', 'valid.csv': 'a,r,c\n', 'test.csv': 'b,r,a\n' });
    expect((await loadDataset(csv, { verify: false })).train.length / 3).toBe(2); // it was: train.csv:3: empty head field
    const tsv = writeFiles(tempDir(), { 'train.txt': 'a\tr\tb\n\t\nb\tr\tc\n\t\t\n', 'valid.txt': 'a\tr\tc\n', 'test.txt': 'b\tr\ta\n' });
    expect((await loadDataset(tsv, { verify: false })).train.length / 3).toBe(2);
  });

});

for (const name of ['WN18RR', 'FB15k-237']) {
  describeWithBenchmark(name, `no header suspected in ${name}`, (dir) => {
    it('loads without the note', async () => {
      expect((await loadDataset(dir, { verify: false })).report.suspectHeader).toBeUndefined();
    }, 120_000);
  });
}
