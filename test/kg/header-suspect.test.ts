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
    expect(formatLoadReport(dataset.report)).toContain(`${path.join(dir, 'train.txt')}:1: "src_node", "edge_kind", "dst_node" may be a header — none of these names occurs anywhere else; --header yes skips it, --header no reads it as a triple (without this note)`);
    const skipped = await loadDataset(dir, { verify: false, header: true });
    expect([skipped.report.suspectHeader, skipped.train.length / 3]).toEqual([undefined, 3]);
    expect((await loadDataset(dir, { verify: false, header: false })).report.suspectHeader).toBeUndefined();
  });

  it('is not suspected of a first triple whose names occur elsewhere, nor of a recognised header', async () => {
    const plain = writeFiles(tempDir(), { 'train.txt': body, ...split });
    expect((await loadDataset(plain, { verify: false })).report.suspectHeader).toBeUndefined();
    const named = writeFiles(tempDir(), { 'train.txt': `head\trelation\ttail\n${body}`, ...split });
    expect((await loadDataset(named, { verify: false })).report.suspectHeader).toBeUndefined();
  });

});

for (const name of ['WN18RR', 'FB15k-237']) {
  describeWithBenchmark(name, `no header suspected in ${name}`, (dir) => {
    it('loads without the note', async () => {
      expect((await loadDataset(dir, { verify: false })).report.suspectHeader).toBeUndefined();
    }, 120_000);
  });
}
