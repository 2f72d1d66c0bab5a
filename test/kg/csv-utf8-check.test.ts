// A comma-separated file is checked for strict UTF-8 in one read, by the line reader while its lines quote nothing, and
// from the first quote on on its way into csv-parse (utf8-check-stream.ts): names with multi-byte characters across
// the readers' chunks pass, a bad byte is named by its line wherever it lies (deep in the file, on a last line without
// its end, under CR line ends), and the validation probe, which stops at the first triple, no longer reads (and fails
// on) the rest of the file first.
import { writeFileSync } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { hasTriple, readTripleFile } from '../../src/kg/triple-reader.js';
import { utf8CheckStream } from '../../src/kg/utf8-check-stream.js';
import { lineTooLongReason } from '../../src/kg/name-limits.js';
import { kgErrorOf, tripleFile } from './helpers.js';

const LINES = 60_000; // ~2.6 MiB: three of the reader's chunks

/** Line i (1-based) of a CSV file whose names hold 2- and 3-byte characters. */
const csvLine = (i: number): string => `café-${i},日本-${i % 7},naïve-${i + 1}`;

const CHUNK = 1 << 20; // the CSV reader's read size

/**
 * A CSV file of `lines` lines, `bad` bytes put in the head of line `badLine` (if any), each line ended by `end`, the
 * head of line `quoteLine` quoted (csv-parse reads from there); the line that crosses the first 1 MiB boundary is cut
 * there inside its 3-byte '日'.
 */
function csvFile(end: string, badLine?: number, lastEnd = true, lines = LINES, quoteLine?: number): string {
  const parts: Buffer[] = [];
  let bytes = 0;
  for (let i = 1; i <= lines; i++) {
    let text = (i === quoteLine ? `"café-${i}"${csvLine(i).slice(`café-${i}`.length)}` : csvLine(i)) + (i < lines || lastEnd ? end : '');
    if (bytes < CHUNK && bytes + 64 > CHUNK) text = `${'x'.repeat(CHUNK - 2 - bytes)},日本-${i % 7},naïve-${i + 1}${end}`; // '日' at CHUNK − 1
    const line = i !== badLine ? [Buffer.from(text)] : [Buffer.from('caf'), Buffer.from([0xe9]), Buffer.from(text.slice(4))]; // Latin-1 é
    parts.push(...line);
    bytes += line.reduce((sum, part) => sum + part.length, 0);
  }
  const file = tripleFile('', 'valid.csv');
  writeFileSync(file, Buffer.concat(parts));
  return file;
}

describe('CSV files: strict UTF-8 checked in the same read as the parse', () => {
  /** Where csv-parse takes over: nowhere, from the start, in the middle. */
  const QUOTES = [undefined, 1, 20_000] as const;

  it('reads multi-byte names across chunk boundaries, with LF and CR line ends', async () => {
    for (const [end, quoteLine] of ['\n', '\r'].flatMap((e) => QUOTES.map((q) => [e, q] as const))) {
      const triples = await readTripleFile(csvFile(end, undefined, true, LINES, quoteLine));
      expect(triples).toHaveLength(LINES);
      expect([triples[0]!.head, triples[0]!.relation, triples[0]!.tail, triples[0]!.line]).toEqual(['café-1', '日本-1', 'naïve-2', 1]);
      const last = triples[LINES - 1]!;
      expect([last.head, last.relation, last.tail, last.line]).toEqual([`café-${LINES}`, `日本-${LINES % 7}`, `naïve-${LINES + 1}`, LINES]);
      expect(triples.filter((t) => t.head.startsWith('xxx')).map((t) => t.relation)).toHaveLength(1); // the line cut inside '日'
    }
  });

  it('names the line of a bad byte deep in the file, on a last line without its end, and under CR line ends', async () => {
    const cases: [string, number, boolean][] = [['\n', 41_234, true], ['\n', LINES, false], ['\r', 30_001, true], ['\r\n', 59_999, true]];
    for (const [[end, line, lastEnd], quoteLine] of cases.flatMap((c) => QUOTES.map((q) => [c, q] as const))) {
      const file = csvFile(end, line, lastEnd, LINES, quoteLine);
      const error = await kgErrorOf(readTripleFile(file));
      expect([error.file, error.line, error.reason], `${JSON.stringify(end)} ${quoteLine}`).toEqual([file, line,
        'byte 4 of the line is not UTF-8 (distinct names would be merged; if the file is Latin-1, read it with --encoding latin1)']);
    }
  });

  it('reads the same bytes as Latin-1 without the check', async () => {
    const triples = await readTripleFile(csvFile('\n', 2), { encoding: 'latin1' });
    expect(triples).toHaveLength(LINES);
    expect(triples[1]!.head).toBe('café-2'); // 0xE9 is é in Latin-1
  });

  it('the validation probe finds the first triple without reading on to a bad byte past the first 4 MiB', async () => {
    // (the probe's whole-file UTF-8 pass before csv-parse failed here, so it answered "unknown"; the line reader checks
    // a 4 MiB block before its lines, so a bad byte inside the first block still fails it)
    expect(await hasTriple(csvFile('\n', 140_000, true, 150_000), {})).toBe(true);
    expect(await hasTriple(tripleFile('# only a comment\n', 'valid.csv'), {})).toBe(false);
  });
});

describe('utf8CheckStream: lines longer than the limit, whichever chunk their end comes in', () => {
  /** What the stream does with `chunks` under a limit of 10 bytes a line: the bytes it passed on, or its error. */
  async function through(chunks: string[]): Promise<string> {
    let passed = '';
    const sink = new Writable({ write(chunk: Buffer, _encoding, done) { passed += chunk.toString(); done(); } });
    return pipeline(Readable.from(chunks.map((c) => Buffer.from(c))), utf8CheckStream('f.csv', '\n', 10), sink)
      .then(() => passed, (error: Error) => error.message);
  }
  const tooLong = `f.csv:2: ${lineTooLongReason(10)}`;

  it('refuses a line of 13 bytes whose end comes in the chunk after its first 8, or that never ends', async () => {
    expect(await through(['a,r,b\nxxxxxxxx', 'xxxxx\nc,r,d\n'])).toBe(tooLong);
    expect(await through(['a,r,b\n', 'x'.repeat(6), 'x'.repeat(6)])).toBe(tooLong);
  });

  it('passes a line of exactly 10 bytes across three chunks, and every byte unchanged', async () => {
    expect(await through(['a,r,b\nxxx', 'xxxx', 'xxx\nc,r,d'])).toBe('a,r,b\nxxxxxxxxxx\nc,r,d');
  });
});

describe('CSV files: the first problem in the file is the one named, a 4 MiB block at a time', () => {
  it('a line of two fields before a bad byte some blocks after it, as the tab reader does', async () => {
    const file = tripleFile('', 'train.csv');
    const good = Array.from({ length: 400_000 }, (_, i) => `a${i},r,b${i}\n`); // 6.9 MB
    good[5] = 'a5,r\n'; // line 6
    writeFileSync(file, Buffer.concat([Buffer.from(good.join('')), Buffer.from([0x63, 0xe9, 0x2c, 0x72, 0x2c, 0x62, 0x0a])])); // line 400001: 'c\xe9,r,b'
    const error = await kgErrorOf(readTripleFile(file));
    expect([error.line, error.reason.slice(0, 26)]).toEqual([6, 'expected 3 fields, found 2']);
  });
});
