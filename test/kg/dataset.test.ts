import { describe, it, expect, beforeAll } from 'vitest';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { loadDataset, formatLoadReport } from '../../src/kg/dataset.js';
import { loadEntityNames, parseEntityNames } from '../../src/kg/entity-names.js';
import { KgInputError } from '../../src/kg/errors.js';
import { tempDir, writeFiles, kgErrorOf } from './helpers.js';

// Entities a, b, c in train (+ x only in valid); relations r1, r2 in train (+ r3 only in test).
const FILES = {
  'train.txt': 'a\tr1\tb\nb\tr1\tc\na\tr2\tc\na\tr1\tb\n', // last line duplicates the first
  'valid.txt': 'a\tr1\tc\nx\tr1\ta\na\tr1\tc\n', // line 2: unseen entity x; line 3: duplicate
  'test.txt': '# test split\nb\tr3\ta\nc\tr2\ta\n', // line 2: unseen relation r3
  'entity_names.tsv': 'a\tAlpha\nb\tBeta\n',
};

describe('loadDataset', () => {
  let dir: string;
  beforeAll(() => {
    dir = writeFiles(tempDir(), FILES);
  });

  it("drops unseen valid/test triples with unseen: 'drop' and counts them and the duplicates", async () => {
    const dataset = await loadDataset(dir, { unseen: 'drop' });
    expect(dataset.name).toBe(path.basename(dir));
    expect(dataset.dir).toBe(dir);
    expect(dataset.entities.names).toEqual(['a', 'b', 'c']);
    expect(dataset.relations.names).toEqual(['r1', 'r2']);
    // a=0 b=1 c=2, r1=0 r2=1
    expect([...dataset.train]).toEqual([0, 0, 1, 1, 0, 2, 0, 1, 2]);
    expect([...dataset.valid]).toEqual([0, 0, 2]);
    expect([...dataset.test]).toEqual([2, 1, 0]);
    expect(dataset.report).toEqual({
      files: { train: path.join(dir, 'train.txt'), valid: path.join(dir, 'valid.txt'), test: path.join(dir, 'test.txt') },
      lines: { train: 4, valid: 3, test: 2 },
      comments: { train: 0, valid: 0, test: 1 },
      headers: {},
      duplicates: { train: 1, valid: 1, test: 0 },
      unseen: { valid: 1, test: 1 },
      unseenPolicy: 'drop',
      overlap: { validInTrain: 0, testInTrain: 0, testInValid: 0 },
      manifest: { verified: false },
    });
    expect(dataset.entityNames).toEqual(new Map([['a', 'Alpha'], ['b', 'Beta']]));
  });

  it("keeps unseen triples by default (unseen: 'keep', as every command), extending the vocabularies", async () => {
    const dataset = await loadDataset(dir);
    expect(dataset.report.unseenPolicy).toBe('keep');
    expect(dataset.entities.names).toEqual(['a', 'b', 'c', 'x']);
    expect(dataset.relations.names).toEqual(['r1', 'r2', 'r3']);
    expect([...dataset.valid]).toEqual([0, 0, 2, 3, 0, 0]);
    expect([...dataset.test]).toEqual([1, 2, 0, 2, 1, 0]);
    expect(dataset.report.unseen).toEqual({ valid: 1, test: 1 });
    expect(dataset.report.duplicates).toEqual({ train: 1, valid: 1, test: 0 });
  });

  it("rejects the first unseen triple with unseen: 'error', naming file and line", async () => {
    const error = await kgErrorOf(loadDataset(dir, { unseen: 'error' }));
    expect(error).toBeInstanceOf(KgInputError);
    expect(error.message).toBe(`${path.join(dir, 'valid.txt')}:2: head entity "x" does not occur in train (--unseen error; use drop or keep)`);
    const testOnly = writeFiles(tempDir(), { ...FILES, 'valid.txt': 'a\tr1\tc\n' });
    await expect(loadDataset(testOnly, { unseen: 'error' })).rejects.toThrow(
      `${path.join(testOnly, 'test.txt')}:2: relation "r3" does not occur in train`,
    );
  });

  it('counts the comment lines of every kind of file: a CSV name that starts with # unquoted is a comment, and the report says how many were skipped', async () => {
    const csv = writeFiles(tempDir(), { 'train.csv': 'a,r,b\n#hash,r,c\nb,r,c\n"#quoted",r,a\n# a comment\n', 'valid.csv': 'a,r,c\n', 'test.tsv': '#x\tr\ta\nb\tr\ta\n' });
    const dataset = await loadDataset(csv, { verify: false });
    expect(dataset.report.comments).toEqual({ train: 2, valid: 0, test: 1 });
    expect(dataset.entities.names).toContain('#quoted');
    expect(formatLoadReport(dataset.report)[0]).toBe(`train: 3 triples read from ${path.join(csv, 'train.csv')}, 0 duplicates, 2 comment lines (#) skipped`);
  });

  it('formats the load report without hiding anything', async () => {
    const dataset = await loadDataset(dir, { unseen: 'drop' });
    expect(formatLoadReport(dataset.report)).toEqual([
      `train: 4 triples read from ${path.join(dir, 'train.txt')}, 1 duplicate (kept once)`,
      `valid: 3 triples read from ${path.join(dir, 'valid.txt')}, 1 duplicate (kept once)`,
      `test: 2 triples read from ${path.join(dir, 'test.txt')}, 0 duplicates, 1 comment line (#) skipped`,
      'valid: 1 triple with entities or relations unseen in train dropped (--unseen drop)',
      'test: 1 triple with entities or relations unseen in train dropped (--unseen drop)',
      'overlap: 0 valid and 0 test triples also in train, 0 test triples also in valid',
      `checksums: not verified (no SHA256SUMS in ${dir})`,
    ]);
    const skipped = await loadDataset(dir, { unseen: 'keep', verify: false });
    expect(formatLoadReport(skipped.report).slice(3)).toEqual([
      'valid: 1 triple with entities or relations unseen in train kept (--unseen keep)',
      'test: 1 triple with entities or relations unseen in train kept (--unseen keep)',
      'overlap: 0 valid and 0 test triples also in train, 0 test triples also in valid',
      'checksums: not verified (--no-verify)',
    ]);
  });

  it('counts the triples two splits share, after de-duplication, and says they are kept', async () => {
    const leaky = writeFiles(tempDir(), {
      'train.txt': 'a\tr\tb\nb\tr\tc\n',
      'valid.txt': 'a\tr\tb\nb\tr\tc\nb\tr\tc\nc\tr\tb\n', // both train triples (one twice) and a new one
      'test.txt': 'b\tr\tc\nc\tr\ta\nc\tr\tb\n', // one train triple, one new, one of valid's new
    });
    const dataset = await loadDataset(leaky);
    expect(dataset.report.overlap).toEqual({ validInTrain: 2, testInTrain: 1, testInValid: 2 });
    expect(formatLoadReport(dataset.report)[5]).toBe('overlap: 2 valid and 1 test triple also in train, 2 test triples also in valid ' +
      '(kept: their ranks measure what the model saw in training, not prediction; remove them from the files to exclude them)');
  });

  it('passes format options through (comma, htr, header)', async () => {
    const csv = writeFiles(tempDir(), {
      'train.csv': 'head,tail,relation\na,b,r\nb,c,r\n',
      'valid.csv': 'head,tail,relation\na,c,r\n',
      'test.csv': 'head,tail,relation\nc,a,r\n',
    });
    const dataset = await loadDataset(csv);
    expect(dataset.relations.names).toEqual(['r']);
    expect([...dataset.train]).toEqual([0, 0, 1, 1, 0, 2]);
    expect(dataset.report.headers).toEqual({ train: { line: 1, text: 'head,tail,relation' }, valid: { line: 1, text: 'head,tail,relation' }, test: { line: 1, text: 'head,tail,relation' } });
    expect(formatLoadReport(dataset.report)[1]).toBe(`valid: 1 triple read from ${path.join(csv, 'valid.csv')}, 0 duplicates, header line 1 skipped ("head,tail,relation")`);
    // --header yes skips the first line of every file: a valid file without one loses a triple, and the report says which
    const declared = writeFiles(tempDir(), { 'train.txt': '# made by hand\nsubject\tpredicate\tobject\na\tr\tb\n', 'valid.txt': 'a\tr\tb\nb\tr\ta\n', 'test.txt': 'x\ty\tz\nb\tr\ta\n' });
    const skipped = await loadDataset(declared, { header: true });
    expect(skipped.report.lines).toEqual({ train: 1, valid: 1, test: 1 });
    expect(formatLoadReport(skipped.report).slice(0, 2)).toEqual([
      `train: 1 triple read from ${path.join(declared, 'train.txt')}, 0 duplicates, 1 comment line (#) skipped, header line 2 skipped ("subject,predicate,object")`,
      `valid: 1 triple read from ${path.join(declared, 'valid.txt')}, 0 duplicates, header line 1 skipped ("a,r,b")`,
    ]);
    const htr = writeFiles(tempDir(), { 'train.txt': 'a\tb\tr\n', 'valid.txt': 'a\tb\tr\n', 'test.txt': 'b\ta\tr\n' });
    expect((await loadDataset(htr, { columns: 'htr' })).relations.names).toEqual(['r']);
    expect((await loadDataset(htr, { unseen: 'drop' })).relations.names).toEqual(['b']); // read as hrt: train's relation is b
  });

  it('reports bad input of any split with file and line', async () => {
    const bad = writeFiles(tempDir(), { ...FILES, 'test.txt': 'a\tr1\tb\na\tr1\n' });
    await expect(loadDataset(bad)).rejects.toThrow(`${path.join(bad, 'test.txt')}:2: expected 3 fields, found 2`);
  });

  it('reports a missing split', async () => {
    const missing = writeFiles(tempDir(), { 'train.txt': FILES['train.txt'], 'test.txt': FILES['test.txt'] });
    await expect(loadDataset(missing)).rejects.toThrow(`${missing}: missing split "valid" (no valid.txt, valid.tsv or valid.csv)`);
  });

  it('refuses two files of one split (an old train.txt beside a cleaned train.tsv was read silently)', async () => {
    const two = writeFiles(tempDir(), { ...FILES, 'train.tsv': FILES['train.txt'] });
    await expect(loadDataset(two)).rejects.toThrow(`${two}: 2 files of the train split (train.txt, train.tsv): keep one, since only one can be read`);
  });
});

describe('entity names', () => {
  it('loads id → name, keeping the first name of a repeated id', async () => {
    const dir = writeFiles(tempDir(), { 'entity_names.tsv': '\uFEFF/m/0\tEgypt\r\n\n/m/1\tThe "Beatles"\tband\n/m/0\tother\n' });
    expect(await loadEntityNames(dir)).toEqual(new Map([['/m/0', 'Egypt'], ['/m/1', 'The "Beatles"\tband']]));
  });

  it('returns undefined without the file and rejects bad lines', async () => {
    expect(await loadEntityNames(tempDir())).toBeUndefined();
    expect(() => parseEntityNames('a\tA\nb\n', 'entity_names.tsv')).toThrow('entity_names.tsv:2: expected 2 tab-separated fields (id, name), found 1');
    expect(() => parseEntityNames('a\t \n', 'entity_names.tsv')).toThrow('entity_names.tsv:1: empty name field (field 2 of 2)');
  });

  it('are strict UTF-8 like the triple files, or read with their --encoding (a Latin-1 ü became U+FFFD silently)', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'entity_names.tsv'), Buffer.from('e0\tBern\ne1\tZ\xfcrich\n', 'latin1'));
    const error = await kgErrorOf(loadEntityNames(dir));
    expect([error.line, error.reason]).toEqual([2, 'byte 5 of the line is not UTF-8 (distinct names would be merged; if the file is Latin-1, read it with --encoding latin1)']);
    expect((await loadEntityNames(dir, 'latin1'))!.get('e1')).toBe('Zürich');
  });
});
