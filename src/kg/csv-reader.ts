/**
 * Reading a comma-separated triple file. csv-parse (`csvOptions`) is the reference for what a CSV line means, but it
 * reads about a third as fast as the line reader; most triple files quote nothing. So the lines go through the line
 * reader (line-source.ts) and are split at commas while they hold no quote and no line break csv-parse would split at
 * that the line reader does not (a CR inside a line of an LF file, an LF inside a line of a CR file), and while no
 * Latin-1 file starts with a byte-order mark (csv-parse strips it by its bytes); from the first line that does, the
 * rest of the file goes through csv-parse. For such lines the two agree: a line starting with `#` is a comment
 * (`comment_no_infix`), an empty one is skipped, any other is its fields; the acceptor trims each field (a CRLF's CR
 * with it). test/kg/csv-reader.test.ts compares the two on generated files: the same records at the same lines, the
 * same comments and csv-parse's errors. Where they differ is which of two errors comes first: the line reader checks
 * a 4 MiB block of lines for bad bytes before it hands them out, and hands out a quote-free line before csv-parse
 * would have seen a broken quote after it.
 */
import type { FileHandle } from 'node:fs/promises';
import { PassThrough, Readable } from 'node:stream';
import { parse, CsvError } from 'csv-parse';
import { KgInputError, describeFileError } from './errors.js';
import { forEachLine, type LineEnd, type TextEncodingName } from './line-source.js';
import { utf8CheckStream } from './utf8-check-stream.js';
import { MAX_LINE_BYTES, lineTooLongReason } from './name-limits.js';
import { csvOptions } from './triple-format.js';

/** Where a CSV reader sends each record (its fields and 1-based line). */
export type CsvRecordSink = (fields: string[], line: number) => void;

const HASH = 0x23;
const LF = 0x0a;

/** A UTF-16LE byte-order mark read as Latin-1 (a UTF-8 one the line reader skips): csv-parse strips it by its bytes (and reads UTF-16 as such). */
const LATIN1_BOM = /^\u00ff\u00fe/;

/** True when csv-parse could read `text`, line `line` of the line reader, as anything but its comma-separated fields. */
function needsCsvParse(text: string, line: number, lineEnd: LineEnd, encoding: TextEncodingName): boolean {
  if (text.includes('"')) return true;
  if (line === 1 && encoding === 'latin1' && LATIN1_BOM.test(text)) return true;
  if (lineEnd === '\r') return text.includes('\n');
  const cr = text.indexOf('\r');
  return cr >= 0 && cr < text.length - 1; // a CR before the LF ends the line for both
}

/** Whether the file begins with the bytes of a UTF-8 byte-order mark. */
async function startsWithUtf8Bom(handle: FileHandle): Promise<boolean> {
  const head = Buffer.alloc(3);
  const { bytesRead } = await handle.read(head, 0, 3, 0);
  return bytesRead === 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
}

/**
 * Reads a CSV file into `accept`, quote-free lines split at commas and the rest from the first other line by
 * csv-parse; returns the number of comment lines skipped.
 */
export async function readCsvFile(handle: FileHandle, file: string, encoding: TextEncodingName, lineEnd: LineEnd, accept: CsvRecordSink,
  onBytes?: (bytes: number) => void): Promise<number> {
  let comments = 0;
  let read = 0;
  let parseFrom = 0; // the line csv-parse takes over at
  let skipLf = false;
  const count = (bytes: number): void => {
    read += bytes;
    onBytes?.(bytes);
  };
  // a UTF-8 byte-order mark under Latin-1 (which the line reader skips): csv-parse alone reads such a file as UTF-8, so it reads it all
  if (encoding === 'latin1' && await startsWithUtf8Bom(handle)) return parseCsv(handle, file, encoding, lineEnd, accept, { start: 0, firstLine: 1, onBytes });
  // (a reading error is the caller's to put in a file's words, as for its other readers)
  let stoppedAt = await forEachLine(handle, file, encoding, (text, line) => {
    if (needsCsvParse(text, line, lineEnd, encoding)) {
      parseFrom = line;
      // the LF of a CRLF in a CR file begins this line: csv-parse alone took the two bytes for one line end
      skipLf = lineEnd === '\r' && text.charCodeAt(0) === LF;
      return true;
    }
    if (text === '') return; // csv-parse's skip_empty_lines
    if (text.charCodeAt(0) === HASH) comments++;
    else accept(text.split(','), line);
  }, count, lineEnd);
  if (stoppedAt === undefined) return comments;
  if (skipLf) stoppedAt++;
  let counted = read - stoppedAt; // the bytes past `stoppedAt` the line reader has already counted
  const countRest = (bytes: number): void => {
    const skipped = Math.min(bytes, counted);
    counted -= skipped;
    if (bytes > skipped) onBytes?.(bytes - skipped);
  };
  return comments + await parseCsv(handle, file, encoding, lineEnd, accept, { start: stoppedAt, firstLine: parseFrom, onBytes: onBytes ? countRest : undefined });
}

/** Where csv-parse starts: a byte offset at the start of line `firstLine`. */
interface CsvStart {
  start: number;
  firstLine: number;
  onBytes?: (bytes: number) => void;
}

/** `count` blank lines, in pieces of at most 1 MiB, then the chunks of `rest`. */
async function* afterBlankLines(count: number, rest: Readable): AsyncGenerator<Buffer> {
  for (let left = count; left > 0; left -= 1 << 20) yield Buffer.alloc(Math.min(left, 1 << 20), 0x0a);
  yield* rest;
}

/**
 * Streams a comma-separated file from `at.start` through csv-parse into `accept`; returns the number of comment lines
 * it skipped. Started inside the file, csv-parse is given a blank line for each line before, which it skips: its
 * line numbers, in its records and in its own error messages, are then the file's.
 */
export async function parseCsv(handle: FileHandle, file: string, encoding: TextEncodingName, lineEnd: LineEnd, accept: CsvRecordSink,
  at: CsvStart = { start: 0, firstLine: 1 }): Promise<number> {
  const input = handle.createReadStream({ start: at.start, highWaterMark: 1 << 20, autoClose: false });
  const { onBytes } = at;
  const parser = parse({ ...csvOptions(encoding), bom: at.start === 0 }); // a BOM only at the file's start, as csv-parse alone
  input.on('error', (error) => parser.destroy(new KgInputError(file, undefined, describeFileError(error), { cause: error })));
  // csv-parse would replace bad bytes silently: they are checked on their way to it
  const check = encoding === 'utf8' ? utf8CheckStream(file, lineEnd, MAX_LINE_BYTES, at.firstLine) : undefined;
  check?.on('error', (error: Error) => parser.destroy(error));
  // piped at once (a stream that flows for `onBytes` before the blank lines are read would drop what it read meanwhile)
  const bytes: Readable = input.pipe(check ?? new PassThrough());
  if (onBytes) input.on('data', (chunk: Buffer | string) => onBytes(chunk.length));
  const source: Readable = at.firstLine > 1 ? Readable.from(afterBlankLines(at.firstLine - 1, bytes), { objectMode: false }) : bytes;
  if (source !== bytes) source.on('error', (error: Error) => parser.destroy(error));
  source.pipe(parser);
  try {
    for await (const record of parser) {
      const { record: fields, info } = record as { record: string[]; info: { lines: number } };
      accept(fields, info.lines);
    }
    return (parser.info as { comment_lines: number }).comment_lines;
  } catch (error) {
    if (error instanceof KgInputError) throw error;
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines;
      // csvOptions' max_record_size: in the words of the other readers
      throw new KgInputError(file, line, error.code === 'CSV_MAX_RECORD_SIZE' ? lineTooLongReason(MAX_LINE_BYTES) : error.message, { cause: error });
    }
    throw new KgInputError(file, undefined, describeFileError(error), { cause: error });
  } finally {
    input.destroy();
    bytes.destroy();
    if (source !== bytes) source.destroy();
  }
}
