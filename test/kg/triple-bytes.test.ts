import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { KgInputError } from '../../src/kg/errors.js';
import { NameTable, readTripleIds, type ReadTripleOptions } from '../../src/kg/triple-reader.js';
import { readTripleBytes } from '../../src/kg/triple-bytes.js';
import { tempDir } from '../lookup/helpers.js';

const dir = tempDir('triple-bytes');

/** What the file reader and the in-memory reader make of the same bytes: triples (as names) and lines, or the error. */
async function both(name: string, bytes: Uint8Array, options: ReadTripleOptions = {}): Promise<{ file: unknown; memory: unknown }> {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  const outcome = async (read: (e: NameTable, r: NameTable) => Promise<{ triples: Int32Array; lines: Int32Array }> | { triples: Int32Array; lines: Int32Array }) => {
    const entities = new NameTable(), relations = new NameTable();
    try {
      const ids = await read(entities, relations);
      return { triples: Array.from({ length: ids.lines.length }, (_, i) => [entities.names[ids.triples[3 * i]!], relations.names[ids.triples[3 * i + 1]!], entities.names[ids.triples[3 * i + 2]!]]), lines: [...ids.lines] };
    } catch (error) {
      expect(error).toBeInstanceOf(KgInputError);
      const e = error as KgInputError;
      return { error: e.reason, line: e.line ?? null };
    }
  };
  return {
    file: await outcome((e, r) => readTripleIds(file, options, e, r)),
    memory: await outcome((e, r) => readTripleBytes(name, bytes, options, e, r)),
  };
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('readTripleBytes: the CLI reader\'s rules and messages on a file held in memory', () => {
  const cases: Array<[string, string, Uint8Array, ReadTripleOptions?]> = [
    ['tab-separated with comments, blank lines, CRLF and a BOM', 'a.tsv', text('\uFEFF# comment\r\nx\tr\ty\r\n\r\ny\tr\tz\r\n')],
    ['whitespace-separated', 'b.txt', text('x r y\n  y   s   z  \n')],
    ['comma-separated with quotes and a header', 'c.csv', text('head,relation,tail\n"a, b",r,c\nc,r,"d ""e"""\n')],
    ['a header naming head-tail-relation', 'd.tsv', text('h\tt\tr\nx\ty\tlikes\n')],
    ['too few fields', 'e.tsv', text('x\tr\ty\nx\tr\n')],
    ['CR-only line ends (tab)', 'cr.tsv', text('x\tr\ty\ry\tr\tz\r# comment\rz\tr\tx')],
    ['CR-only line ends (whitespace)', 'cr.txt', text('x r y\r  y  r  z \r')],
    ['a no-break space at a name\'s end is part of it (only ASCII space is trimmed)', 'nbsp.txt', text('x r y\u00a0\ny\u00a0 r x \n')],
    ['too many fields', 'f.tsv', text('x\tr\ty\tw\n')],
    ['an empty field', 'g.tsv', text('x\tr\ty\n\tr\ty\n')],
    ['another delimiter on a line', 'h.tsv', text('x\tr\ty\nx,r,y\n')],
    ['bytes that are not UTF-8 on line 3', 'i.tsv', Uint8Array.from([...text('a\tr\tb\nb\tr\tc\nc\tr\t'), 0xff, 0x0a])],
    ['an unsupported header order', 'j.tsv', text('relation\thead\ttail\nr\tx\ty\n')],
    ['a broken CSV quote', 'k.csv', text('a,r,b\n"c,r,d\n')],
    ['Latin-1', 'l.tsv', Uint8Array.from([...text('caf'), 0xe9, ...text('\tr\tb\n')]), { encoding: 'latin1' }],
    ['chosen columns of a wider file', 'm.tsv', text('x\t1\ty\tr\n'), { columns: [0, 3, 2] }],
  ];
  for (const [title, name, bytes, options] of cases) {
    it(title, async () => {
      const { file, memory } = await both(name, bytes, options);
      expect(memory).toEqual(file);
    });
  }

  it('CR-only line ends and a no-break space: the triples both readers agree on are the right ones', async () => {
    expect((await both('cr2.tsv', text('x\tr\ty\ry\tr\tz\r# comment\rz\tr\tx'))).memory).toEqual({ triples: [['x', 'r', 'y'], ['y', 'r', 'z'], ['z', 'r', 'x']], lines: [1, 2, 4] });
    expect((await both('nbsp2.txt', text('x r y\u00a0\ny\u00a0 r x \n'))).memory).toEqual({ triples: [['x', 'r', 'y\u00a0'], ['y\u00a0', 'r', 'x']], lines: [1, 2] });
  });

  it('a UTF-8 byte-order mark read as Latin-1 is skipped by every delimiter, not made part of the first name', async () => {
    for (const [name, body] of [['bom.tsv', 'x\tr\ty\ny\tr\tz\n'], ['bom.txt', 'x r y\ny r z\n'], ['bom.csv', 'x,r,y\ny,r,z\n']] as const) {
      const outcome = await both(name, text(`\uFEFF${body}`), { encoding: 'latin1' });
      expect(outcome.file).toEqual({ triples: [['x', 'r', 'y'], ['y', 'r', 'z']], lines: [1, 2] });
      expect(outcome.memory).toEqual(outcome.file);
    }
  });

  it('names the file and line like the CLI: "name:line: reason"', () => {
    const entities = new NameTable(), relations = new NameTable();
    expect(() => readTripleBytes('graph.tsv', text('a\tr\tb\nc\td\n'), {}, entities, relations)).toThrow('graph.tsv:2: expected 3 fields, found 2');
  });

  it('without flagHints (the explorer page, which has no flags) the hints name no --delimiter or --columns', () => {
    const reason = (bytes: string, options: ReadTripleOptions): string => {
      try {
        readTripleBytes('graph.tsv', text(bytes), options, new NameTable(), new NameTable());
      } catch (error) {
        return (error as KgInputError).reason;
      }
      throw new Error('no error');
    };
    const otherDelimiter = 'x\tr\ty\nx,r,y\n', wider = 'x\tr\ty\tw\n', spaced = 'e1 parent e2\ne3 has child e4\n';
    expect(reason(otherDelimiter, {})).toBe('expected 3 fields, found 1 (separated by tabs; this line has commas, see --delimiter)');
    expect(reason(otherDelimiter, { flagHints: false })).toBe("expected 3 fields, found 1 (separated by tabs; this line has commas, the separator is taken from the file's first line: use one throughout)");
    expect(reason(wider, {})).toBe('expected 3 fields, found 4 (separated by tabs; pick the head, relation and tail columns with --columns, e.g. 0,1,2)');
    expect(reason(wider, { flagHints: false })).toBe('expected 3 fields, found 4 (separated by tabs; a file of exactly three columns is needed here (the command line picks three of more with --columns))');
    expect(reason(spaced, { flagHints: false })).toBe('expected 3 fields, found 4 (separated by spaces; a name with spaces needs a file separated by tabs or commas (quoted))');
  });
});
