// The CSV reader splits quote-free lines itself and hands the rest of the file to csv-parse from the first line that
// needs it (csv-reader.ts). Here it is compared with csv-parse alone on generated files mixing every kind of line —
// plain, padded, comments at and after the start, empty and blank lines, quoted fields holding commas, line breaks
// and quotes, wrong field counts, a BOM, LF, CRLF and CR line ends and stray CRs: the same records (trimmed as the
// acceptor trims them), at the same lines, the same comment count, the same error at the same line.
import { statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseCsv, readCsvFile } from '../../src/kg/csv-reader.js';
import { sniffLineEnd } from '../../src/kg/line-source.js';
import { trimField } from '../../src/kg/triple-format.js';
import { tempDir } from './helpers.js';
import path from 'node:path';

/** A small seeded generator (LCG), so that a failure names a file that can be made again. */
function random(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
}

/** Kinds of line, each a function of the line's index. */
const LINE_KINDS: ((i: number) => string)[] = [
  (i) => `e${i},r${i % 3},e${i + 1}`,
  (i) => ` e${i} , r , e${i + 2} `,
  (i) => `# comment ${i}`,
  (i) => `  # not a comment at the start ${i}`,
  () => '',
  () => '   ',
  (i) => `"e${i}",r,"e,${i}"`,
  (i) => `"multi\nline ${i}",r,e${i}`,
  (i) => `"say ""hi"" ${i}",r,e${i}`,
  (i) => `e${i},r`,
  (i) => `e${i},r,e,extra`,
  (i) => `e${i},r\r,e${i}`, // a stray CR inside a line
  (i) => `é${i},日本,ü${i}`,
  () => ',,',
];

/** What a reader makes of a file: its records (trimmed, blank ones dropped) with their lines and the comments, or its error. */
async function outcome(file: string, read: 'fast' | 'csv-parse', encoding: 'utf8' | 'latin1' = 'utf8'): Promise<unknown> {
  const handle = await open(file, 'r');
  const records: [string[], number][] = [];
  try {
    const lineEnd = await sniffLineEnd(handle);
    const accept = (fields: string[], line: number): void => {
      const trimmed = fields.map(trimField);
      if (!trimmed.every((f) => f === '')) records.push([trimmed, line]);
    };
    const comments = read === 'fast' ? await readCsvFile(handle, file, encoding, lineEnd, accept) : await parseCsv(handle, file, encoding, lineEnd, accept);
    return { records, comments };
  } catch (error) {
    const { line, message } = error as { line?: number; message: string };
    return { error: message, line, recordsBefore: records.length };
  } finally {
    await handle.close();
  }
}

describe('readCsvFile: the same records, lines, comments and errors as csv-parse alone', () => {
  it('on 400 generated files', async () => {
    const dir = tempDir('kgdistill-csv-reader-');
    let switched = 0;
    for (let seed = 0; seed < 400; seed++) {
      const pick = random(seed);
      const end = ['\n', '\r\n', '\r'][pick(3)]!;
      const quoteFree = pick(3) === 0; // a third of the files never needs csv-parse
      const kinds = quoteFree ? [0, 1, 2, 3, 4, 5, 12, 13] : LINE_KINDS.map((_, k) => k);
      const lines = Array.from({ length: 1 + pick(30) }, (_, i) => LINE_KINDS[kinds[pick(kinds.length)]!]!(i));
      const text = (pick(4) === 0 ? '\ufeff' : '') + lines.join(end) + (pick(2) === 0 ? end : '');
      const file = path.join(dir, `${seed}.csv`);
      writeFileSync(file, text);
      for (const encoding of ['utf8', 'latin1'] as const) {
        const fast = await outcome(file, 'fast', encoding);
        expect(fast, `seed ${seed}, ${encoding}: ${JSON.stringify(text)}`).toEqual(await outcome(file, 'csv-parse', encoding));
      }
      if (/"|\r(?!\n)/.test(text.replaceAll('\r\n', '')) && end !== '\r') switched++;
    }
    expect(switched).toBeGreaterThan(100); // most files hand over to csv-parse somewhere
  });

  it('on the cases a review found: a CRLF in a CR file past the 64 KiB its line end is told from, a BOM read as Latin-1', async () => {
    const dir = tempDir('kgdistill-csv-reader-');
    const cases: [string, Buffer, 'utf8' | 'latin1'][] = [
      ['crlf-in-cr.csv', Buffer.from(`${'a,b,c\r'.repeat(11_000)}\nd,e\r`), 'utf8'], // csv-parse: `d,e` on line 11001
      ['bom-latin1.csv', Buffer.from('\ufeff#c\nhead,relation,tail\nx,y,z\n'), 'latin1'],
      ['utf16-latin1.csv', Buffer.from([0xff, 0xfe, 0x61, 0x2c, 0x62, 0x2c, 0x63, 0x0a]), 'latin1'],
    ];
    for (const [name, bytes, encoding] of cases) {
      const file = path.join(dir, name);
      writeFileSync(file, bytes);
      expect(await outcome(file, 'fast', encoding), name).toEqual(await outcome(file, 'csv-parse', encoding));
    }
    expect(await outcome(path.join(dir, 'crlf-in-cr.csv'), 'fast')).toMatchObject({ records: expect.arrayContaining([[['d', 'e'], 11_001]]) });
  });
});

describe('readCsvFile: progress', () => {
  it('counts every byte of the file once, when csv-parse takes over in the middle of the line reader\'s block', async () => {
    const lines = Array.from({ length: 300_000 }, (_, i) => (i === 150_000 ? `"e${i}",r,e${i}` : `e${i},r,e${i + 1}`));
    const file = path.join(tempDir('kgdistill-csv-progress-'), 'train.csv');
    writeFileSync(file, `${lines.join('\n')}\n`); // 5.3 MB: the quote on line 150001 is inside the first 4 MiB block
    const handle = await open(file, 'r');
    let bytes = 0, records = 0;
    try {
      await readCsvFile(handle, file, 'utf8', '\n', () => void records++, (n) => void (bytes += n));
    } finally {
      await handle.close();
    }
    expect([records, bytes]).toEqual([300_000, statSync(file).size]);
  });
});
