// Two file-level problems that gave a misleading error: a split "file" that is a directory (it said the split was
// missing), and CR-only line ends (classic Mac) in a tab- or whitespace-separated file (it said "expected 3 fields,
// found 61 (… --columns …)"; csv-parse reads them): they are read as line ends by every reader.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/kg/dataset.js';
import { resolveDatasetDir, requireSplitFiles } from '../../src/kg/resolve-dataset.js';
import { NameTable, readTripleFile, readTripleIds } from '../../src/kg/triple-reader.js';
import { KgInputError } from '../../src/kg/errors.js';
import { tempDir, tripleFile, writeFiles } from './helpers.js';

const TRIPLES = Array.from({ length: 30 }, (_, i) => [`e${i % 7}`, `r${i % 3}`, `e${(i * 5 + 1) % 11}`]);

describe('a split file that is a directory', () => {
  it('is named as a directory, not as a missing split', async () => {
    const dir = writeFiles(tempDir(), { 'train.txt': 'a\tr\tb\n', 'valid.txt': 'a\tr\tb\n' });
    fs.mkdirSync(path.join(dir, 'test.txt'));
    const message = `${path.join(dir, 'test.txt')}: is a directory, expected a file`;
    expect(() => resolveDatasetDir(dir)).toThrow(message);
    expect(() => requireSplitFiles(dir)).toThrow(message);
    const error = await loadDataset(dir, { verify: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KgInputError);
    expect((error as KgInputError).message).toBe(message);
    expect((error as KgInputError).file).toBe(path.join(dir, 'test.txt'));
  });
});

describe('CR-only line ends', () => {
  const expected = TRIPLES.map(([h, r, t], i) => [h, r, t, i + 1]);

  it('are line ends to the tab and whitespace line readers, as to the CSV reader', async () => {
    for (const [separator, name] of [['\t', 'train.tsv'], [' ', 'train.txt'], [',', 'train.csv']] as const) {
      const file = tripleFile(TRIPLES.map((t) => t.join(separator)).join('\r') + '\r', name);
      const read = (await readTripleFile(file)).map((t) => [t.head, t.relation, t.tail, t.line]);
      expect(read).toEqual(expected);
    }
  });

  it('are line ends to the tab reader of loadDataset (ids), with a header and a comment', async () => {
    const file = tripleFile(['head\trelation\ttail', '# note', ...TRIPLES.map((t) => t.join('\t'))].join('\r'));
    const entities = new NameTable();
    const relations = new NameTable();
    const ids = await readTripleIds(file, {}, entities, relations);
    expect(ids.triples.length).toBe(3 * 30);
    expect([...ids.lines]).toEqual(TRIPLES.map((_, i) => i + 3));
    expect([entities.names[ids.triples[87]!], relations.names[ids.triples[88]!], entities.names[ids.triples[89]!]]).toEqual(TRIPLES[29]);
    expect([ids.comments, ids.header]).toEqual([1, { line: 1, text: 'head,relation,tail' }]);
  });

  it('a bad byte is named by its line', async () => {
    const file = path.join(tempDir(), 'train.txt');
    fs.writeFileSync(file, Buffer.concat([Buffer.from('a\tr\tb\rc\tr\td\re\tr\t'), Buffer.from([0xff]), Buffer.from('\r')]));
    await expect(readTripleFile(file)).rejects.toThrow(`${file}:3: byte 5 of the line is not UTF-8`);
  });
});
