/**
 * The lines of a text file, fast: the file is read in large chunks, each chunk up to its last newline is checked
 * (strict UTF-8 by default: bytes that are not UTF-8 are an error naming the line, never a silent U+FFFD that
 * would merge distinct names) and decoded at once, then split into lines. Latin-1 is read byte for byte. The encodings,
 * line ends and the error for bytes that are not UTF-8 are utf8.ts's (no Node module: the in-memory reader uses them too).
 */
import { isUtf8 } from 'node:buffer';
import type { FileHandle } from 'node:fs/promises';
import { lineEndOf, notUtf8Error, type LineEnd, type TextEncodingName } from './utf8.js';
import { MAX_LINE_BYTES } from './name-limits.js';
import { LineBlocks } from './line-blocks.js';

export { notUtf8Error, type LineEnd, type TextEncodingName };

const CHUNK_BYTES = 4 << 20;
const SNIFF_BYTES = 64 * 1024;

/** The line end of a file (lineEndOf its first 64 KiB). */
export async function sniffLineEnd(handle: FileHandle): Promise<LineEnd> {
  const buffer = Buffer.alloc(SNIFF_BYTES);
  const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
  return lineEndOf(buffer.toString('latin1', 0, bytesRead)); // (one character per byte: CR and LF are found whatever the encoding)
}

/**
 * Calls `onLine(text, line)` for every line of the file (1-based line numbers, the `lineEnd` removed, a CR before an
 * LF kept for the caller to trim, a leading BOM removed). Throws KgInputError(file, line) on bytes that are not
 * valid in `encoding`, and on a line longer than `maxLineBytes` (as soon as that many of it are read without its end).
 * `onLine` returning true stops the reading before that line: the result is then the line's byte offset in the file
 * (else undefined). Bytes are checked a block of lines at a time, so a bad byte shortly after that line still throws.
 */
export async function forEachLine(handle: FileHandle, file: string, encoding: TextEncodingName, onLine: (text: string, line: number) => boolean | void,
  onBytes?: (bytes: number) => void, lineEnd: LineEnd = '\n', maxLineBytes = MAX_LINE_BYTES): Promise<number | undefined> {
  const blocks = new LineBlocks(file, lineEnd.charCodeAt(0), maxLineBytes);
  let line = 1;
  let position = 0;
  let first = true;
  for (;;) {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, position);
    if (bytesRead > 0) onBytes?.(bytesRead);
    const blockStart = position - blocks.held; // where the next block starts in the file
    position += bytesRead;
    const done = bytesRead === 0;
    const complete = blocks.push(buffer.subarray(0, bytesRead), line, done);
    if (complete === undefined) continue; // the line goes on
    if (complete.length > 0) {
      if (encoding === 'utf8' && !isUtf8(complete)) {
        throw notUtf8Error(file, complete, line, true, lineEnd);
      }
      // a UTF-8 byte-order mark is skipped by its bytes, whatever the encoding (read as Latin-1 it would be "ï»¿", part of the first name)
      const bom = first && complete[0] === 0xef && complete[1] === 0xbb && complete[2] === 0xbf ? 3 : 0;
      first = false;
      const text = complete.subarray(bom).toString(encoding);
      const lines = text.split(lineEnd);
      const last = lines.length - (text.endsWith(lineEnd) ? 1 : 0);
      let at = 0; // where line i starts in `text`, in characters
      for (let i = 0; i < last; i++) {
        if (onLine(lines[i]!, line) === true) return blockStart + bom + Buffer.byteLength(text.slice(0, at), encoding);
        line++;
        at += lines[i]!.length + lineEnd.length;
      }
    }
    if (done) return undefined;
    blocks.refuseLongLine(line); // `line`: the unfinished one
  }
}
