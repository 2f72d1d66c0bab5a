// The limits of name-limits.ts: every reader refuses a name longer than MAX_NAME_LENGTH characters at its line (the
// tab fast path, the string readers of tabs, spaces and commas, the in-memory reader of a page, triples held in memory)
// and keeps one of exactly that length; the line readers name a line of which more than the most a line may hold
// was read without its end (tested with a small limit: no file of hundreds of MB), and V8's own error for a string
// too long is said in the project's words.
import fs from 'node:fs';
import { open } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { NameTable, readTripleFile, readTripleIds } from '../../src/kg/triple-reader.js';
import { readTripleBytes } from '../../src/kg/triple-bytes.js';
import { datasetFromTriples } from '../../src/kg/bytes-dataset.js';
import { forEachLine } from '../../src/kg/line-source.js';
import { readTabTriples } from '../../src/kg/tab-triples.js';
import { recordAcceptor } from '../../src/kg/triple-format.js';
import { describeFileError } from '../../src/kg/errors.js';
import { MAX_LINE_BYTES, MAX_NAME_LENGTH } from '../../src/kg/name-limits.js';
import { kgErrorOf, tripleFile } from './helpers.js';

const LONG = 'x'.repeat(MAX_NAME_LENGTH + 1);
const LONGEST = 'y'.repeat(MAX_NAME_LENGTH);

const ids = (file: string) => readTripleIds(file, {}, new NameTable(), new NameTable());

describe('a name longer than MAX_NAME_LENGTH', () => {
  it('is 4,096 characters: the shared datasets\' longest names (FB15k-237: 146, WN18RR: 28) and long IRIs fit', () => {
    expect(MAX_NAME_LENGTH).toBe(4096);
  });

  it('is refused at its line by the tab fast path and the string reader, in the same words', async () => {
    const file = tripleFile(`a\tr\tb\nc\tr\t${LONG}\n`);
    const expected = `${file}:2: an entity name of 4,097 characters (at most 4,096) in the tail field: is a delimiter or a line ending missing? (see --delimiter)`;
    expect((await kgErrorOf(ids(file))).message).toBe(expected);
    expect((await kgErrorOf(readTripleFile(file))).message).toBe(expected);
  });

  it('names the role: a relation name, an entity name in the head field', async () => {
    expect((await kgErrorOf(ids(tripleFile(`a\t${LONG}\tb\n`)))).reason).toBe('a relation name of 4,097 characters (at most 4,096) in the relation field: is a delimiter or a line ending missing? (see --delimiter)');
    expect((await kgErrorOf(ids(tripleFile(`a\tr\tb\n${LONG}\tr\tb\n`)))).reason).toMatch(/^an entity name of 4,097 characters \(at most 4,096\) in the head field/);
  });

  it('is refused in files separated by spaces and by commas (csv-parse), and by the in-memory reader of a page (no flag named)', async () => {
    expect((await kgErrorOf(readTripleFile(tripleFile(`a r b\nc r ${LONG}\n`))))).toMatchObject({ line: 2, reason: expect.stringMatching(/^an entity name of 4,097 characters/) });
    expect((await kgErrorOf(readTripleFile(tripleFile(`a,r,b\nc,r,"${LONG}"\n`))))).toMatchObject({ line: 2, reason: expect.stringMatching(/^an entity name of 4,097 characters/) });
    const bytes = new TextEncoder().encode(`a\tr\tb\nc\tr\t${LONG}\n`);
    let message = '';
    try {
      readTripleBytes('dropped.tsv', bytes, { flagHints: false }, new NameTable(), new NameTable());
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe('dropped.tsv:2: an entity name of 4,097 characters (at most 4,096) in the tail field: is a delimiter or a line ending missing?');
  });

  it('is refused in triples held in memory, naming the split and the triple', () => {
    expect(() => datasetFromTriples({ train: [['a', 'r', 'b'], ['a', LONG, 'b']] })).toThrow('train:2: the relation of triple 2 is a relation name of 4,097 characters (at most 4,096)');
  });

  it('of exactly MAX_NAME_LENGTH characters is read, and a name counts characters, not bytes (3,000 é: 6,000 bytes)', async () => {
    const wide = 'é'.repeat(3000);
    const file = tripleFile(`a\tr\t${LONGEST}\n${wide}\tr\tb\n`);
    const entities = new NameTable();
    await readTripleIds(file, {}, entities, new NameTable());
    expect(entities.names).toEqual(['a', LONGEST, wide, 'b']);
    expect((await readTripleFile(file)).map((t) => t.tail)).toEqual([LONGEST, 'b']);
    expect(() => datasetFromTriples({ train: [['a', 'r', LONGEST]] })).not.toThrow();
  });
});

describe('a line longer than the most a line may hold', () => {
  it('is 256 MiB, so that it and a 4 MiB chunk decode under V8\'s longest string (0x1fffffe8 characters)', () => {
    expect(MAX_LINE_BYTES).toBe(256 * 2 ** 20);
    expect(MAX_LINE_BYTES + (4 << 20)).toBeLessThan(0x1fffffe8);
  });

  // a 9 MiB line 2 (no line end) under a limit of 8 MiB: the line readers stop at it across their 4 MiB chunks
  const NINE_MIB = 9 << 20;
  const longLineFile = (): string => tripleFile(`a\tr\tb\n${'z'.repeat(NINE_MIB)}\nc\tr\td\n`);
  const reason = 'a line longer than 8,388,608 bytes (8 MiB), the most a line may hold: is a line ending missing?';

  it('is named by the line reader (tabs with CR line ends, spaces)', async () => {
    const file = longLineFile();
    const handle = await open(file, 'r');
    const lines: number[] = [];
    try {
      const error = await kgErrorOf(forEachLine(handle, file, 'utf8', (_text, line) => void lines.push(line), undefined, '\n', 8 << 20));
      expect(error.message).toBe(`${file}:2: ${reason}`);
      expect(lines).toEqual([1]);
    } finally {
      await handle.close();
    }
  });

  it('is named by the tab fast path', async () => {
    const file = longLineFile();
    const handle = await open(file, 'r');
    try {
      const accept = recordAcceptor(file, '\t', {}, () => undefined);
      const error = await kgErrorOf(readTabTriples(handle, file, 'utf8', accept, new NameTable(), new NameTable(), () => undefined, undefined, 8 << 20));
      expect(error.message).toBe(`${file}:2: ${reason}`);
    } finally {
      await handle.close();
    }
  });

  it('up to the limit is read whole by the line reader across its chunks (the unfinished line kept apart, joined once)', async () => {
    const long = 'w'.repeat(NINE_MIB);
    const file = tripleFile(`a b c\n${long}\nd e f`);
    const handle = await open(file, 'r');
    const seen: Array<[number, number]> = [];
    try {
      await forEachLine(handle, file, 'utf8', (text, line) => void seen.push([line, text.length]), undefined, '\n', 10 << 20);
    } finally {
      await handle.close();
    }
    expect(seen).toEqual([[1, 5], [2, NINE_MIB], [3, 5]]);
    expect(fs.statSync(file).size).toBe(NINE_MIB + 12);
  });

  it('past V8\'s longest string is said in the project\'s words, not V8\'s', () => {
    const v8 = Object.assign(new Error('Cannot create a string longer than 0x1fffffe8 characters'), { code: 'ERR_STRING_TOO_LONG' });
    expect(describeFileError(v8)).toBe('cannot read file: it has a line longer than the longest text Node can hold (0x1fffffe8 characters, 512 MiB): is a line ending missing?');
  });
});

describe('a pipe given as a triple file', () => {
  it('is refused as a pipe with the way round it, not as "cannot read file (ESPIPE: invalid seek)"', () => {
    const espipe = Object.assign(new Error('ESPIPE: invalid seek, read'), { code: 'ESPIPE' });
    expect(describeFileError(espipe)).toBe('is a pipe, not a file: kgdistill reads triple files by position, so save the triples to a file first (e.g. zcat x.gz > x.tsv)');
  });
});
