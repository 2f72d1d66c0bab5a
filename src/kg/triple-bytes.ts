/**
 * Reading a triple file held in memory — a file dropped into a browser page — with the same rules and the same
 * `file:line: reason` errors as the streaming reader (triple-reader.ts: the same delimiter detection, header,
 * columns, comment and field checks through triple-format.ts's `recordAcceptor`, the same strict UTF-8 check of
 * utf8.ts), but without a file system, streams or Buffer: the bytes are decoded at once (a dropped file is small;
 * strict UTF-8 by TextDecoder's `fatal`), comma-separated text goes through csv-parse's synchronous parser (its browser build outside Node).
 */
// csv-parse's synchronous parser: its Node build in Node, its browser build (no Buffer) elsewhere (package.json "imports")
import { parse as parseCsv, CsvError } from '#csv-sync';
import { KgInputError } from './errors.js';
import { lineEndOf, notUtf8Error } from './utf8.js';
import { csvOptions, detectDelimiter, recordAcceptor, trimField, type ReadTripleOptions, type TripleSink } from './triple-format.js';
import { newNameCheck } from './new-name-check.js';
import type { NameTable } from './name-table.js';
import type { TripleIds } from './triple-reader.js';

const WHITESPACE = /[ \t]+/;

/** The text of `bytes` in `encoding` (strict UTF-8: a bad byte is an error naming its line), without a BOM. */
function decode(file: string, bytes: Uint8Array, encoding: 'utf8' | 'latin1', flagHints: boolean): string {
  let text: string;
  if (encoding === 'latin1') {
    // a UTF-8 byte-order mark is skipped by its bytes (decoded as Latin-1 it would be "ï»¿", part of the first name)
    const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    text = new TextDecoder('latin1').decode(bytes.subarray(bom));
  } else {
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch {
      throw notUtf8Error(file, bytes, 1, flagHints);
    }
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** A growing (head, relation, tail) id list with the line of each triple. */
function collector(file: string, entities: NameTable, relations: NameTable): { sink: TripleSink; result(): TripleIds } {
  const triples: number[] = [];
  const lines: number[] = [];
  const checkNewNames = newNameCheck(file, entities, relations);
  return {
    sink: (head, relation, tail, line) => {
      triples.push(entities.id(head), relations.id(relation), entities.id(tail));
      checkNewNames(line);
      lines.push(line);
    },
    result: () => ({ triples: Int32Array.from(triples), lines: Int32Array.from(lines), comments: 0 }),
  };
}

/**
 * Reads the triples of one in-memory file (`file` names it in errors) into local ids of shared name tables, as
 * `readTripleIds` does for a file on disk. Throws KgInputError (file, line, reason) on bad input.
 */
export function readTripleBytes(file: string, bytes: Uint8Array, options: ReadTripleOptions, entities: NameTable, relations: NameTable): TripleIds {
  const text = decode(file, bytes, options.encoding ?? 'utf8', options.flagHints ?? true);
  const lineEnd = lineEndOf(text); // LF (a CR before it is trimmed), or a CR alone, as the file readers tell
  const delimiter = options.delimiter ?? detectDelimiter(text, lineEnd) ?? '\t';
  const out = collector(file, entities, relations);
  const accept = recordAcceptor(file, delimiter, options, out.sink);
  let csvComments = 0;
  if (delimiter === ',') {
    let records: Array<{ record: string[]; info: { lines: number; comment_lines: number } }>;
    try {
      // the text is decoded already: csv-parse re-encodes a string as UTF-8, so it reads it back as UTF-8
      records = parseCsv(text, { ...csvOptions('utf8'), bom: false }) as unknown as typeof records;
    } catch (error) {
      if (error instanceof CsvError) throw new KgInputError(file, (error as CsvError & { lines?: number }).lines, error.message, { cause: error });
      throw new KgInputError(file, undefined, `cannot parse (${(error as Error).message})`, { cause: error });
    }
    for (const { record, info } of records) accept(record, info.lines);
    // each record's info counts the comments before it; those after the last record go uncounted here
    csvComments = records.at(-1)?.info.comment_lines ?? 0;
  } else {
    const lines = text.split(lineEnd);
    const last = lines.length - (text.endsWith(lineEnd) ? 1 : 0);
    for (let i = 0; i < last; i++) {
      const line = lines[i]!;
      accept(delimiter === '\t' ? line.split('\t') : trimField(line).split(WHITESPACE), i + 1);
    }
  }
  const header = accept.header();
  return { ...out.result(), comments: csvComments + accept.comments(), ...(header ? { header } : {}) };
}
