// A comma-separated file is checked for strict UTF-8 on its way into csv-parse (utf8-check-stream.ts), in one read:
// names with multi-byte characters across the reader's 1 MiB chunks pass, a bad byte is named by its line wherever it
// lies (deep in the file, on a last line without its end, under CR line ends), and the validation probe, which stops at
// the first triple, no longer reads (and fails on) the rest of the file first.
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hasTriple, readTripleFile } from '../../src/kg/triple-reader.js';
import { kgErrorOf, tripleFile } from './helpers.js';

const LINES = 60_000; // ~2.6 MiB: three of the reader's chunks

/** Line i (1-based) of a CSV file whose names hold 2- and 3-byte characters. */
const csvLine = (i: number): string => `café-${i},日本-${i % 7},naïve-${i + 1}`;

const CHUNK = 1 << 20; // the CSV reader's read size

/**
 * A CSV file of LINES lines, `bad` bytes put in the head of line `badLine` (if any), each line ended by `end`; the
 * line that crosses the first chunk boundary is cut there inside its 3-byte '日'.
 */
function csvFile(end: string, badLine?: number, lastEnd = true): string {
  const parts: Buffer[] = [];
  let bytes = 0;
  for (let i = 1; i <= LINES; i++) {
    let text = csvLine(i) + (i < LINES || lastEnd ? end : '');
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
  it('reads multi-byte names across chunk boundaries, with LF and CR line ends', async () => {
    for (const end of ['\n', '\r']) {
      const triples = await readTripleFile(csvFile(end));
      expect(triples).toHaveLength(LINES);
      expect([triples[0]!.head, triples[0]!.relation, triples[0]!.tail, triples[0]!.line]).toEqual(['café-1', '日本-1', 'naïve-2', 1]);
      const last = triples[LINES - 1]!;
      expect([last.head, last.relation, last.tail, last.line]).toEqual([`café-${LINES}`, `日本-${LINES % 7}`, `naïve-${LINES + 1}`, LINES]);
      expect(triples.filter((t) => t.head.startsWith('xxx')).map((t) => t.relation)).toHaveLength(1); // the line cut inside '日'
    }
  });

  it('names the line of a bad byte deep in the file, on a last line without its end, and under CR line ends', async () => {
    const cases: [string, number, boolean][] = [['\n', 41_234, true], ['\n', LINES, false], ['\r', 30_001, true], ['\r\n', 59_999, true]];
    for (const [end, line, lastEnd] of cases) {
      const file = csvFile(end, line, lastEnd);
      const error = await kgErrorOf(readTripleFile(file));
      expect([error.file, error.line, error.reason], JSON.stringify(end)).toEqual([file, line,
        'byte 4 of the line is not UTF-8 (distinct names would be merged; if the file is Latin-1, read it with --encoding latin1)']);
    }
  });

  it('reads the same bytes as Latin-1 without the check', async () => {
    const triples = await readTripleFile(csvFile('\n', 2), { encoding: 'latin1' });
    expect(triples).toHaveLength(LINES);
    expect(triples[1]!.head).toBe('café-2'); // 0xE9 is é in Latin-1
  });

  it('the validation probe finds the first triple without reading on to a bad byte past it', async () => {
    // (the probe's whole-file UTF-8 pass before csv-parse failed here, so it answered "unknown")
    expect(await hasTriple(csvFile('\n', 50_000), {})).toBe(true);
    expect(await hasTriple(tripleFile('# only a comment\n', 'valid.csv'), {})).toBe(false);
  });
});
