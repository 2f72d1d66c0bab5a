/**
 * The fast path of reading a tab-separated triple file into ids: the bytes are scanned for tabs and newlines and
 * each field is looked up by its bytes (byte-name-index.ts), so an ordinary line makes no string and no array.
 * An ordinary line has exactly three non-empty fields with nothing to trim, is not a comment, and comes after the
 * first data line (which may be a header). Every other line — blank, comment, header, a field count or empty field
 * to report, spaces to trim, `--columns` positions — is decoded and handed to the readers' shared per-line logic
 * (`recordAcceptor` in triple-reader.ts), so both paths follow the same rules and give the same errors.
 */
import { isUtf8 } from 'node:buffer';
import type { FileHandle } from 'node:fs/promises';
import { notUtf8Error, type TextEncodingName } from './line-source.js';
import type { ByteNameIndex } from './byte-name-index.js';

/** The shared per-line logic, with the columns of an ordinary line once they are known. */
export interface LineAcceptor {
  (fields: string[], line: number): void;
  /** Head, relation and tail positions among three fields; undefined while every line must go through the acceptor. */
  columns(): readonly [number, number, number] | undefined;
}

/** Receives the ids of an ordinary line's triple. */
export type IdSink = (head: number, relation: number, tail: number, line: number) => void;

const CHUNK_BYTES = 4 << 20;
const NEWLINE = 0x0a;
const CR = 0x0d;
const TAB = 0x09;
const HASH = 0x23;
const SPACE = 0x20;

/** Reads a tab-separated file: ordinary lines into `sink` by bytes, the others through `accept`. */
export async function readTabTriples(handle: FileHandle, file: string, encoding: TextEncodingName, accept: LineAcceptor,
  entities: ByteNameIndex, relations: ByteNameIndex, sink: IdSink, onBytes?: (bytes: number) => void): Promise<void> {
  let buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let carried = 0;
  let position = 0;
  let line = 1;
  let first = true;
  const fieldStart = [0, 0, 0];
  const fieldEnd = [0, 0, 0];
  for (;;) {
    if (carried === buffer.length) { // a line longer than the buffer
      const grown = Buffer.allocUnsafe(2 * buffer.length);
      buffer.copy(grown, 0, 0, carried);
      buffer = grown;
    }
    const { bytesRead } = await handle.read(buffer, carried, buffer.length - carried, position);
    position += bytesRead;
    if (bytesRead > 0) onBytes?.(bytesRead);
    const filled = carried + bytesRead;
    const atEnd = bytesRead === 0;
    const cut = atEnd ? filled : buffer.lastIndexOf(NEWLINE, filled - 1) + 1;
    if (cut > 0) {
      const complete = buffer.subarray(0, cut);
      if (encoding === 'utf8' && !isUtf8(complete)) throw notUtf8Error(file, complete, line);
      let start = 0;
      if (first && cut >= 3 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) start = 3; // BOM
      first = false;
      while (start < cut) {
        let end = buffer.indexOf(NEWLINE, start);
        if (end < 0 || end >= cut) end = cut;
        const next = end + 1;
        if (end > start && buffer[end - 1] === CR) end--;
        const columns = accept.columns();
        if (columns && ordinaryLine(buffer, start, end, fieldStart, fieldEnd)) {
          const [h, r, t] = columns;
          sink(entities.id(buffer, fieldStart[h]!, fieldEnd[h]!), relations.id(buffer, fieldStart[r]!, fieldEnd[r]!), entities.id(buffer, fieldStart[t]!, fieldEnd[t]!), line);
        } else {
          accept(buffer.toString(encoding, start, end).split('\t'), line);
        }
        line++;
        start = next;
      }
    }
    if (atEnd) return;
    carried = filled - cut;
    buffer.copy(buffer, 0, cut, filled);
  }
}

/** Whether bytes[start, end) are three non-empty tab-separated fields with nothing to trim, not a comment. */
function ordinaryLine(bytes: Buffer, start: number, end: number, fieldStart: number[], fieldEnd: number[]): boolean {
  if (end - start < 5 || bytes[start] === HASH) return false;
  let field = 0;
  let from = start;
  for (let i = start; i <= end; i++) {
    if (i < end && bytes[i] !== TAB) continue;
    if (field === 3 || i === from || bytes[from]! <= SPACE || bytes[i - 1]! <= SPACE) return false;
    fieldStart[field] = from;
    fieldEnd[field++] = i;
    from = i + 1;
  }
  return field === 3;
}
