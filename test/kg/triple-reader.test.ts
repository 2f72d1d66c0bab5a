import { writeFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { readTripleFile, detectDelimiter, headerColumnOrder } from '../../src/kg/triple-reader.js';
import { KgInputError } from '../../src/kg/errors.js';
import { tempDir, tripleFile, kgErrorOf } from './helpers.js';

/** The (head, relation, tail, line) tuples of a file. */
async function tuples(content: string, options?: Parameters<typeof readTripleFile>[1]): Promise<[string, string, string, number][]> {
  const triples = await readTripleFile(tripleFile(content), options);
  return triples.map((t) => [t.head, t.relation, t.tail, t.line]);
}

/** The KgInputError thrown by reading `content`. */
async function readError(content: string, options?: Parameters<typeof readTripleFile>[1], name = 'train.txt'): Promise<KgInputError> {
  const file = tripleFile(content, name);
  const error = await readTripleFile(file, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KgInputError);
  const kgError = error as KgInputError;
  expect(kgError.file).toBe(file);
  return kgError;
}

describe('readTripleFile: good input', () => {
  it('reads tab-separated triples with 1-based line numbers', async () => {
    expect(await tuples('a\tr1\tb\nb\tr2\tc\n')).toEqual([
      ['a', 'r1', 'b', 1],
      ['b', 'r2', 'c', 2],
    ]);
  });

  it('reads a last line without a newline', async () => {
    expect(await tuples('a\tr\tb\nc\tr\td')).toEqual([
      ['a', 'r', 'b', 1],
      ['c', 'r', 'd', 2],
    ]);
  });

  it('detects comma-separated files', async () => {
    expect(await tuples('a,r,b\nc,s,d\n')).toEqual([
      ['a', 'r', 'b', 1],
      ['c', 's', 'd', 2],
    ]);
  });

  it('honours CSV quotes in comma-separated files', async () => {
    expect(await tuples('"Washington, D.C.",capital_of,USA\n')).toEqual([['Washington, D.C.', 'capital_of', 'USA', 1]]);
  });

  it('skips # comments and blank lines, keeping physical line numbers (tab)', async () => {
    expect(await tuples('# comment\ttab\n\na\tr\tb\n   \n  # indented comment\nc\tr\td\n')).toEqual([
      ['a', 'r', 'b', 3],
      ['c', 'r', 'd', 6],
    ]);
  });

  it('skips # comments and blank lines, keeping physical line numbers (comma)', async () => {
    expect(await tuples('# a comment, with a comma\n\na,r,b\n\nc,r,d\n')).toEqual([
      ['a', 'r', 'b', 3],
      ['c', 'r', 'd', 5],
    ]);
  });

  it('detects the delimiter from the first non-comment line', async () => {
    expect(detectDelimiter('# x\ty\n\na,b,c\n')).toBe(',');
    expect(detectDelimiter('# x,y\na\tb,c\tc\n')).toBe('\t');
    expect(detectDelimiter('abc\n')).toBeUndefined();
    expect(await tuples('# x\ty\tz\na,r,b\n')).toEqual([['a', 'r', 'b', 2]]);
  });

  it('tolerates CRLF line ends', async () => {
    expect(await tuples('a\tr\tb\r\nc\tr\td\r\n')).toEqual([
      ['a', 'r', 'b', 1],
      ['c', 'r', 'd', 2],
    ]);
    expect(await tuples('a,r,b\r\n\r\nc,r,d\r\n')).toEqual([
      ['a', 'r', 'b', 1],
      ['c', 'r', 'd', 3],
    ]);
  });

  it('strips a UTF-8 BOM and keeps non-ASCII names', async () => {
    expect(await tuples('\uFEFFMünchen\tliegt_in\tBayern\n')).toEqual([['München', 'liegt_in', 'Bayern', 1]]);
    expect(await tuples('\uFEFFhead,relation,tail\nÅ,r,日本\n')).toEqual([['Å', 'r', '日本', 2]]);
  });

  it('trims whitespace around fields', async () => {
    expect(await tuples(' a \t r \tb  \n')).toEqual([['a', 'r', 'b', 1]]);
  });

  it('recognises header lines case-insensitively and skips them', async () => {
    expect(await tuples('head,relation,tail\na,r,b\n')).toEqual([['a', 'r', 'b', 2]]);
    expect(await tuples('H\tR\tT\na\tr\tb\n')).toEqual([['a', 'r', 'b', 2]]);
    expect(await tuples('# data\nSubject,Predicate,Object\na,r,b\n')).toEqual([['a', 'r', 'b', 3]]);
  });

  it('takes the column order from a header when none is requested', async () => {
    expect(await tuples('head,tail,relation\na,b,r\n')).toEqual([['a', 'r', 'b', 2]]);
  });

  it('reads the htr column order when requested', async () => {
    expect(await tuples('a\tb\tr\n', { columns: 'htr' })).toEqual([['a', 'r', 'b', 1]]);
  });

  it('header: true skips an unrecognised first line; header: false keeps a header-like one', async () => {
    expect(await tuples('from_node,edge_type,to_node\na,r,b\n', { header: true })).toEqual([['a', 'r', 'b', 2]]);
    expect(await tuples('head,relation,tail\na,r,b\n', { header: false })).toEqual([
      ['head', 'relation', 'tail', 1],
      ['a', 'r', 'b', 2],
    ]);
  });

  it('uses an explicit delimiter', async () => {
    expect(await tuples('a b,r,c d\n', { delimiter: ',' })).toEqual([['a b', 'r', 'c d', 1]]);
  });

  it('returns no triples for an empty or comment-only file', async () => {
    expect(await tuples('')).toEqual([]);
    expect(await tuples('# nothing here\n\n')).toEqual([]);
  });

  it('classifies header lines', () => {
    expect(headerColumnOrder(['head', 'relation', 'tail'])).toBe('hrt');
    expect(headerColumnOrder(['s', 'o', 'p'])).toBe('htr');
    expect(headerColumnOrder(['relation', 'head', 'tail'])).toBe('unsupported');
    expect(headerColumnOrder(['head', 'head', 'tail'])).toBeUndefined();
    expect(headerColumnOrder(['/m/0', '/r', '/m/1'])).toBeUndefined();
    // the words of common exports: from/label/to, subj/pred/obj, source/type/destination, head/property/dest
    for (const words of [['from', 'label', 'to'], ['subj', 'pred', 'obj'], ['source', 'type', 'destination'], ['head', 'property', 'dest'], ['h', 'relationship', 't']]) {
      expect(headerColumnOrder(words), words.join(',')).toBe('hrt');
    }
  });

  it('skips a header of those words under header auto (it was read as a triple: a relation and two entities more)', async () => {
    expect(await tuples('from\tlabel\tto\na\tr\tb\n')).toEqual([['a', 'r', 'b', 2]]);
  });
});

describe('readTripleFile: bad input names file, line and reason', () => {
  it('too few fields', async () => {
    const error = await readError('a\tr\tb\nc\td\n');
    expect(error.line).toBe(2);
    expect(error.reason).toBe('expected 3 fields, found 2');
    expect(error.message).toBe(`${error.file}:2: expected 3 fields, found 2`);
    expect(error.message).toContain('train.txt:2:');
  });

  it('too many fields, after comments (comma)', async () => {
    const error = await readError('# c\n\na,r,b\na,r,b,extra\n', undefined, 'valid.csv');
    expect(error.message).toContain('valid.csv:4: expected 3 fields, found 4');
    expect(error.line).toBe(4);
  });

  it('a name with spaces in a space-separated file: the hint is a tab or comma file, not --columns alone (which would cut the name)', async () => {
    const error = await readError('e1 parent e2\ne3 has child e4\n', undefined, 'graph.txt');
    expect(error.line).toBe(2);
    expect(error.reason).toBe('expected 3 fields, found 4 (separated by spaces; a name with spaces needs a file separated by tabs or commas (quoted), or pick the head, relation and tail columns with --columns, e.g. 0,1,2, if every line has these 4 fields)');
  });

  it('too few fields with a separator detected from the first line says which (a comma in a space-separated name misleads it)', async () => {
    const error = await readError('Washington,_D.C. capital_of USA\nParis located_in France\n');
    expect([error.line, error.reason]).toEqual([1, 'expected 3 fields, found 2 (separated by commas, as detected from the first line; see --delimiter)']);
    expect((await readError('a r b\nc d\n', { delimiter: ' ' })).reason).toBe('expected 3 fields, found 2'); // given, not detected
  });

  it('a CSV mixing LF and CRLF line ends names the right line (it said 7 for line 4)', async () => {
    const error = await readError('a,r,b\nc,r,d\r\ne,r,f\r\ng,r\r\n', undefined, 'train.csv');
    expect([error.line, error.reason]).toEqual([4, 'expected 3 fields, found 2 (separated by commas, as detected from the first line; see --delimiter)']);
    const file = tripleFile('a,r,b\r\nc,r,d\ne,r,f\r\n', 'ok.csv');
    expect((await readTripleFile(file)).map((t) => `${t.head}|${t.relation}|${t.tail}@${t.line}`)).toEqual(['a|r|b@1', 'c|r|d@2', 'e|r|f@3']);
  });

  it('a UTF-16 file is named as such (the advice was --encoding latin1, which only led to another error)', async () => {
    const file = tripleFile('', 'u16.txt');
    writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a\tr\tb\n', 'utf16le')]));
    const error = await kgErrorOf(readTripleFile(file));
    expect([error.line, error.reason]).toEqual([1, 'the file is UTF-16 (it starts with a UTF-16 byte-order mark), which kgdistill does not read: save it as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8)']);
  });

  it('a single field on a line', async () => {
    const error = await readError('a\tr\tb\n\nlonely\n');
    expect(error.line).toBe(3);
    expect(error.reason).toBe('expected 3 fields, found 1');
  });

  it('a line using the other delimiter gets a hint', async () => {
    const error = await readError('a\tr\tb\nc,r,d\n');
    expect(error.message).toBe(`${error.file}:2: expected 3 fields, found 1 (separated by tabs; this line has commas, see --delimiter)`);
  });

  it('empty relation field', async () => {
    const error = await readError('a\tr\tb\na\t\tb\n', undefined, 'test.txt');
    expect(error.message).toContain('test.txt:2: empty relation field (field 2 of 3)');
  });

  it('empty tail field (comma) and empty fields in htr order', async () => {
    expect((await readError('a,r,\n')).message).toContain('train.txt:1: empty tail field (field 3 of 3)');
    expect((await readError('a\t \tr\n', { columns: 'htr' })).reason).toBe('empty tail field (field 2 of 3)');
  });

  it('unsupported header order and a header contradicting --columns', async () => {
    expect((await readError('relation,head,tail\n')).message).toMatch(/train\.txt:1: header column order "relation,head,tail" is not supported/);
    expect((await readError('head,tail,relation\na,b,r\n', { columns: 'hrt' })).reason).toBe(
      'header says column order htr but columns hrt was requested',
    );
  });

  it('unclosed CSV quote', async () => {
    const error = await readError('a,r,b\n"open,r,b\n');
    expect(error.message).toMatch(/train\.txt:\d+: Quote Not Closed/);
  });

  it('missing file', async () => {
    const file = `${tempDir()}/nope.txt`;
    const error = await kgErrorOf(readTripleFile(file));
    expect(error).toBeInstanceOf(KgInputError);
    expect(error).toMatchObject({ file, line: undefined, reason: 'file not found', message: `${file}: file not found` });
  });

  it('unreadable file (a directory)', async () => {
    const dir = tempDir();
    const error = await kgErrorOf(readTripleFile(dir));
    expect(error).toBeInstanceOf(KgInputError);
    expect(error.message).toBe(`${dir}: is a directory, expected a file`);
  });
});

describe('readTripleFile: whitespace files, column positions, encodings', () => {
  it('reads whitespace-separated files (runs of spaces and tabs)', async () => {
    expect(await tuples('a  r1 b\n# c\n\tb r2\t\tc\n')).toEqual([['a', 'r1', 'b', 1], ['b', 'r2', 'c', 3]]);
  });

  it('picks head, relation and tail by position from wider files, ignoring the other columns', async () => {
    expect(await tuples('x\tb\tr\ta\t0.9\ny\tc\ts\tb\t0.1\n', { columns: [3, 2, 1] })).toEqual([['a', 'r', 'b', 1], ['b', 's', 'c', 2]]);
    expect(await tuples('id,head,tail,relation\n1,a,b,r\n', { columns: [1, 3, 2] })).toEqual([['a', 'r', 'b', 2]]);
    const narrow = await readError('a\tr\tb\n', { columns: [0, 1, 4] });
    expect(narrow.message).toMatch(/train\.txt:1: expected at least 5 fields for --columns 0,1,4, found 3/);
    const wide = await readError('a\tr\tb\textra\n');
    expect(wide.message).toMatch(/train\.txt:1: expected 3 fields, found 4 .*--columns/);
  });

  it('rejects bytes that are not UTF-8, naming the line, unless read as Latin-1', async () => {
    const file = tripleFile('');
    writeFileSync(file, Buffer.concat([Buffer.from('ok\tr\tx\n'), Buffer.from([0x63, 0x61, 0x66, 0xe9]), Buffer.from('\tr\tb\n')]));
    const error = await readTripleFile(file).then(() => undefined, (e: KgInputError) => e);
    expect(error?.message).toMatch(/:2: byte 4 of the line is not UTF-8 .*--encoding latin1/);
    const latin = await readTripleFile(file, { encoding: 'latin1' });
    expect(latin.map((t) => t.head)).toEqual(['ok', 'café']);
  });
});
