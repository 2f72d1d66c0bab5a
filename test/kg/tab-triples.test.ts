// The byte reader of tab-separated files (tab-triples.ts, used by readTripleIds) against the string reader
// (readTripleFile): the same ids in the same order, the same lines, the same errors, on ordinary files and on every
// kind of line the byte reader hands back to the shared per-line logic; and across its 4 MiB chunk boundary.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NameTable, readTripleFile, readTripleIds, type ReadTripleOptions } from '../../src/kg/triple-reader.js';
import { tempDir } from './helpers.js';

const dir = tempDir('kgdistill-tab-');
let files = 0;

function write(content: string | Buffer): string {
  const file = path.join(dir, `f${files++}.tsv`);
  fs.writeFileSync(file, content);
  return file;
}

/** What the string reader gives, as ids of fresh name tables in order of first appearance (head, relation, tail). */
async function viaStrings(file: string, options: ReadTripleOptions): Promise<{ triples: number[]; lines: number[]; entities: string[]; relations: string[] }> {
  const entities = new NameTable();
  const relations = new NameTable();
  const triples: number[] = [];
  const lines: number[] = [];
  for (const t of await readTripleFile(file, options)) {
    triples.push(entities.id(t.head), relations.id(t.relation), entities.id(t.tail));
    lines.push(t.line);
  }
  return { triples, lines, entities: entities.names, relations: relations.names };
}

async function viaBytes(file: string, options: ReadTripleOptions): Promise<{ triples: number[]; lines: number[]; entities: string[]; relations: string[] }> {
  const entities = new NameTable();
  const relations = new NameTable();
  const ids = await readTripleIds(file, options, entities, relations);
  return { triples: Array.from(ids.triples), lines: Array.from(ids.lines), entities: entities.names, relations: relations.names };
}

async function errorOf(read: () => Promise<unknown>): Promise<string> {
  try {
    await read();
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
}

const CASES: Array<[string, string | Buffer, ReadTripleOptions?]> = [
  ['ordinary lines', 'a\tr1\tb\nb\tr2\tc\na\tr1\tc\n'],
  ['no final newline, CRLF, BOM', '\ufeffa\tr\tb\r\nb\tr\tc\r\nc\tr\ta'],
  ['comments, blank lines, spaces to trim', '# comment\n\na\tr\tb\n  b \tr\t c\n\n# x\tr\ty\nc\tr\ta  \n'],
  ['a header naming the order', 'head\ttail\trelation\na\tb\tr\nb\tc\ts\n'],
  ['htr without a header', 'a\tb\tr\nb\tc\ts\n', { columns: 'htr' }],
  ['positions of a wider file', 'a\tx\tr\tb\nc\ty\ts\td\n', { columns: [0, 2, 3] }],
  ['names with spaces and Unicode', 'New York\tlocated in\tÉtats-Unis\n東京\tlocated in\t日本\nNew York\tlocated in\t日本\n'],
  ['Latin-1', Buffer.from('Z\xfcrich\tin\tSchweiz\nBern\tin\tSchweiz\n', 'latin1'), { encoding: 'latin1' }],
  ['a line with a name repeated in every role', 'x\tx\tx\nx\ty\tx\n'],
  ['a final CR without newline', 'a\tr\tb\nb\tr\ta\r'],
  ['Latin-1 lines beside ASCII lines naming the same entities', Buffer.from('Z\xfcrich\tin\tSchweiz\nSchweiz\tin\tZ\xfcrich\nBern\tin\tSchweiz\n', 'latin1'), { encoding: 'latin1' }],
];

describe('the byte reader of tab-separated files', () => {
  it.each(CASES)('%s: the same ids, names and lines as the string reader', async (_name, content, options = {}) => {
    const file = write(content);
    const want = await viaStrings(file, options);
    expect(want.triples.length).toBeGreaterThan(0);
    expect(await viaBytes(file, options)).toEqual(want);
  });

  const ERRORS: Array<[string, string | Buffer, number, ReadTripleOptions?]> = [
    ['four fields', 'a\tr\tb\na\tr\tb\textra\n', 2],
    ['a trailing tab (an empty fourth field)', 'a\tr\tb\na\tr\tb\t\n', 2],
    ['a trailing tab before CRLF', 'a\tr\tb\r\na\tr\tb\t\r\n', 2],
    ['two fields', 'a\tr\tb\na\tr\n', 2],
    ['an empty field', 'a\tr\tb\na\t\tb\n', 2],
    ['bytes that are not UTF-8', Buffer.concat([Buffer.from('a\tr\tb\nc\tr\t'), Buffer.from([0xff, 0xfe]), Buffer.from('\n')]), 2],
    ['a header contradicting --columns', 'head\ttail\trelation\na\tb\tr\n', 1, { columns: 'hrt' }],
    ['a CR inside a field (a control character in a name)', 'a\tr\tb\na\u000dc\tr\tb\nb\tr\ta\r', 2],
  ];
  it.each(ERRORS)('%s: the same error as the string reader, naming file and line', async (_name, content, line, options = {}) => {
    const file = write(content);
    const want = await errorOf(() => viaStrings(file, options));
    expect(want.startsWith(`${file}:${line}: `)).toBe(true);
    expect(await errorOf(() => viaBytes(file, options))).toBe(want);
  });

  it('reads across the 4 MiB chunk boundary (200,000 lines) as the string reader does', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 200_000; i++) lines.push(`entity-${(i * 7919) % 50_000}\trel-${i % 37}\tentity-${(i * 104_729) % 50_000}`);
    const file = write(`${lines.join('\n')}\n`);
    expect(fs.statSync(file).size).toBeGreaterThan(4 << 20);
    const want = await viaStrings(file, {});
    const got = await viaBytes(file, {});
    expect(got.triples.length).toBe(600_000);
    expect(got.entities).toEqual(want.entities);
    expect(got.relations).toEqual(want.relations);
    expect(got.triples).toEqual(want.triples);
    expect(got.lines[199_999]).toBe(200_000);
  });

  it('keeps the ids of one name table across files (a name first met as bytes, then as a string, or the reverse)', async () => {
    const entities = new NameTable();
    const relations = new NameTable();
    const first = await readTripleIds(write('a\tr\tb\nb\tr\tc\n'), {}, entities, relations);
    const second = await readTripleIds(write('c,r,a\nd,s,b\n'), {}, entities, relations); // comma-separated: the string path
    const third = await readTripleIds(write('d\ts\ta\n'), {}, entities, relations);
    expect(Array.from(first.triples)).toEqual([0, 0, 1, 1, 0, 2]);
    expect(Array.from(second.triples)).toEqual([2, 0, 0, 3, 1, 1]);
    expect(Array.from(third.triples)).toEqual([3, 1, 0]);
    expect(entities.names).toEqual(['a', 'b', 'c', 'd']);
  });

  it('gives a name the same id from a UTF-8 file, a Latin-1 file and a string', async () => {
    const entities = new NameTable();
    const relations = new NameTable();
    const utf8 = await readTripleIds(write('Zürich\tin\tSchweiz\n'), {}, entities, relations);
    const latin1 = await readTripleIds(write(Buffer.from('Schweiz\tin\tZ\xfcrich\n', 'latin1')), { encoding: 'latin1' }, entities, relations);
    expect(Array.from(utf8.triples)).toEqual([0, 0, 1]);
    expect(Array.from(latin1.triples)).toEqual([1, 0, 0]);
    expect(entities.id('Zürich')).toBe(0);
    expect(entities.names).toEqual(['Zürich', 'Schweiz']);
  });
});
