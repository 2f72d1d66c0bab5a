// A name holding a control character (a NUL byte, a bell, an escape) is refused at its
// file and line by every triple reader, the tab fast path, csv-parse's and a page's alike: no file kgdistill writes
// (splits, exports, one name per line and field) could hold it, and a NUL usually means a damaged or binary file.
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/kg/dataset.js';
import { datasetFromBytes, datasetFromTriples } from '../../src/kg/bytes-dataset.js';
import { KgInputError } from '../../src/kg/errors.js';
import { controlCharacterReason } from '../../src/kg/name-limits.js';
import { tempDir, writeFiles } from './helpers.js';

const VALID = 'a\tr\tb\n';
const TEST = 'b\tr\ta\n';
const load = (train: string, name = 'train.txt') => loadDataset(writeFiles(tempDir(), { [name]: train, 'valid.txt': VALID, 'test.txt': TEST }), { verify: false });

describe('names with control characters', () => {
  it('says which character, in which name', () => {
    expect(controlCharacterReason('entity', 'dog.n.01')).toBeUndefined();
    expect(controlCharacterReason('entity', 'caf\u00e9 \u6771\u4eac')).toBeUndefined();
    expect(controlCharacterReason('relation', 'r\u0007')).toBe('the relation name "r\\u0007" holds a control character (U+0007): names are printable text, and a NUL or other control byte usually means a damaged or binary file');
    expect(controlCharacterReason('entity', `${'x'.repeat(100)}\u007f`)).toMatch(/^the entity name "x{80}"… holds a control character \(U\+007F\)/);
  });

  it('refuses a NUL in a name of a tab-separated file at its line (the fast path), a valid split as well', async () => {
    const refused = load('a\tr\tb\nb\tr\tc\nc\tr\td\u0000\n');
    await expect(refused).rejects.toThrow(KgInputError);
    await expect(refused).rejects.toThrow(/train\.txt:3: the entity name "d\\u0000" holds a control character \(U\+0000\)/);
    const dir = writeFiles(tempDir(), { 'train.txt': 'a\tr\tb\nb\tr\tc\n', 'valid.txt': 'a\tr\u0001\tc\n', 'test.txt': TEST });
    await expect(loadDataset(dir, { verify: false })).rejects.toThrow(/valid\.txt:1: the relation name "r\\u0001" holds a control character \(U\+0001\)/);
  });

  it('refuses one inside a quoted CSV field (csv-parse), and takes the same file without it', async () => {
    await expect(load('head,relation,tail\na,r,b\nb,r,"c\u0000d"\n', 'train.csv')).rejects.toThrow(/train\.csv:3: the entity name "c\\u0000d" holds a control character \(U\+0000\)/);
    // a line break or tab there was refused before, by the field rule of the files kgdistill writes
    await expect(load('a,r,b\nb,r,"c\nd"\n', 'train.csv')).rejects.toThrow(/the tail name "c\\nd" holds a line break/);
    expect((await load('head,relation,tail\na,r,b\nb,r,"c d"\n', 'train.csv')).entities.size).toBe(3);
  });

  it("refuses it in a page's dropped file and in triples held in memory too", () => {
    const bytes = new TextEncoder().encode('a\tr\tb\nb\tr\tc\u001b\nc\tr\ta\n');
    expect(() => datasetFromBytes([{ name: 'all.tsv', bytes }], 0)).toThrow(/^all\.tsv:2: the entity name "c\\u001b" holds a control character \(U\+001B\)/);
    expect(() => datasetFromTriples({ train: [['a', 'r', 'b'], ['b', 'r\u0000', 'c']] })).toThrow(/^train:2: triple 2: the relation name "r\\u0000" holds a control character \(U\+0000\)/);
  });
});
