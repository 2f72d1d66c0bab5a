/**
 * The lines of a text file, fast: the file is read in large chunks, each chunk up to its last newline is checked
 * (strict UTF-8 by default: bytes that are not UTF-8 are an error naming the line, never a silent U+FFFD that
 * would merge distinct names) and decoded at once, then split into lines. Latin-1 is read byte for byte.
 */
import { isUtf8 } from 'node:buffer';
import type { FileHandle } from 'node:fs/promises';
import { KgInputError } from './errors.js';

/** Text encodings a triple file may use. */
export type TextEncodingName = 'utf8' | 'latin1';

/** What ends a file's lines: LF (with or without a CR before it), or a CR alone (classic Mac). */
export type LineEnd = '\n' | '\r';

const CHUNK_BYTES = 4 << 20;
const SNIFF_BYTES = 64 * 1024;

/** `'\r'` when lines end in a CR alone (classic Mac): `text` holds a CR and no LF; else `'\n'`. */
export function lineEndOf(text: string): LineEnd {
  return text.includes('\r') && !text.includes('\n') ? '\r' : '\n';
}

/** The line end of a file (lineEndOf its first 64 KiB). */
export async function sniffLineEnd(handle: FileHandle): Promise<LineEnd> {
  const buffer = Buffer.alloc(SNIFF_BYTES);
  const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
  return lineEndOf(buffer.toString('latin1', 0, bytesRead)); // (one character per byte: CR and LF are found whatever the encoding)
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

/**
 * Calls `onLine(text, line)` for every line of the file (1-based line numbers, the `lineEnd` removed, a CR before an
 * LF kept for the caller to trim, a leading BOM removed). Throws KgInputError(file, line) on bytes that are not
 * valid in `encoding`.
 */
export async function forEachLine(handle: FileHandle, file: string, encoding: TextEncodingName, onLine: (text: string, line: number) => void,
  onBytes?: (bytes: number) => void, lineEnd: LineEnd = '\n'): Promise<void> {
  const endByte = lineEnd.charCodeAt(0);
  let carry: Buffer = Buffer.alloc(0);
  let line = 1;
  let position = 0;
  let first = true;
  for (;;) {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, position);
    position += bytesRead;
    if (bytesRead > 0) onBytes?.(bytesRead);
    const data = carry.length > 0 ? Buffer.concat([carry, buffer.subarray(0, bytesRead)]) : buffer.subarray(0, bytesRead);
    const done = bytesRead === 0;
    const cut = done ? data.length : data.lastIndexOf(endByte) + 1;
    const complete = data.subarray(0, cut);
    carry = Buffer.from(data.subarray(cut));
    if (complete.length > 0) {
      if (encoding === 'utf8' && !isUtf8(complete)) {
        throw notUtf8Error(file, complete, line, true, lineEnd);
      }
      let text = complete.toString(encoding);
      if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
      const lines = text.split(lineEnd);
      const last = lines.length - (text.endsWith(lineEnd) ? 1 : 0);
      for (let i = 0; i < last; i++) onLine(lines[i]!, line++);
    }
    if (done) return;
  }
}
