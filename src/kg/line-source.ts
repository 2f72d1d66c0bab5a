/**
 * The lines of a text file, fast: the file is read in large chunks, each chunk up to its last newline is checked
 * (strict UTF-8 by default: bytes that are not UTF-8 are an error naming the line, never a silent U+FFFD that
 * would merge distinct names) and decoded at once, then split into lines. Latin-1 is read byte for byte. The encodings,
 * line ends and the error for bytes that are not UTF-8 are utf8.ts's (no Node module: the in-memory reader uses them too).
 */
import { isUtf8 } from 'node:buffer';
import type { FileHandle } from 'node:fs/promises';
import { lineEndOf, notUtf8Error, type LineEnd, type TextEncodingName } from './utf8.js';

export { lineEndOf, notUtf8Error, type LineEnd, type TextEncodingName };

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
