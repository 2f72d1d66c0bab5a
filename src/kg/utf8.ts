/**
 * Text encodings and line ends of triple files, and the error for bytes that are not UTF-8, naming the line and byte
 * of the first bad one: shared by the streaming reader (line-source.ts, tab-triples.ts) and the in-memory one of a page
 * (triple-bytes.ts). No Node module.
 */
import { KgInputError } from './errors.js';

/** Text encodings a triple file may use. */
export type TextEncodingName = 'utf8' | 'latin1';

/** What ends a file's lines: LF (with or without a CR before it), or a CR alone (classic Mac). */
export type LineEnd = '\n' | '\r';

/** `'\r'` when lines end in a CR alone (classic Mac): `text` holds a CR and no LF; else `'\n'`. */
export function lineEndOf(text: string): LineEnd {
  return text.includes('\r') && !text.includes('\n') ? '\r' : '\n';
}

/** Index of the first byte of `bytes` that does not belong to a well-formed UTF-8 sequence (-1 when all do). */
function firstBadUtf8Byte(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]!;
    const length = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0 || i + length > bytes.length) return i;
    for (let k = 1; k < length; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    i += length;
  }
  return -1;
}

/** The line (from `firstLine`) and 1-based byte column of the first invalid UTF-8 byte of `bytes`. */
function badUtf8Line(bytes: Uint8Array, firstLine: number, lineEnd: number): { line: number; column: number } {
  let line = firstLine;
  for (let start = 0; start < bytes.length; line++) {
    let end = bytes.indexOf(lineEnd, start);
    if (end < 0) end = bytes.length;
    const bad = firstBadUtf8Byte(bytes.subarray(start, end));
    if (bad >= 0) return { line, column: bad + 1 };
    start = end + 1;
  }
  return { line: firstLine, column: 1 };
}

/**
 * The error for bytes (lines from `firstLine` on, ended by `lineEnd`) that are not all UTF-8, naming the line of the
 * first bad byte; its advice names the `--encoding` flag unless `flagHints` is false (the explorer's page has no flags).
 */
export function notUtf8Error(file: string, bytes: Uint8Array, firstLine: number, flagHints = true, lineEnd: LineEnd = '\n'): KgInputError {
  const utf16 = firstLine === 1 && bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff));
  if (utf16) return new KgInputError(file, 1, 'the file is UTF-16 (it starts with a UTF-16 byte-order mark), which kgdistill does not read: save it as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8)');
  const at = badUtf8Line(bytes, firstLine, lineEnd.charCodeAt(0));
  const advice = flagHints ? 'read it with --encoding latin1' : 'save it as UTF-8 (e.g. iconv -f LATIN1 -t UTF-8)';
  return new KgInputError(file, at.line, `byte ${at.column} of the line is not UTF-8 (distinct names would be merged; if the file is Latin-1, ${advice})`);
}
