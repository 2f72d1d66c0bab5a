/**
 * The fast path of reading a tab-separated triple file into ids: the bytes are scanned once for tabs and newlines
 * while each field's FNV-1a hash is computed, and each field is looked up by its bytes in the name tables
 * (name-table.ts), so an ordinary line makes no string and no array. An ordinary line has exactly three non-empty
 * fields with nothing to trim, is not a comment, comes after the first data line (which may be a header) and, in a
 * Latin-1 file, is ASCII (other bytes are not their names' UTF-8). Every other line — blank, comment, header, a
 * field count or empty field to report, spaces to trim, `--columns` positions — is decoded and handed to the
 * readers' shared per-line logic (`recordAcceptor` in triple-reader.ts), so both paths follow the same rules and
 * give the same errors.
 */
import { isUtf8 } from 'node:buffer';
import type { FileHandle } from 'node:fs/promises';
import { notUtf8Error, type TextEncodingName } from './utf8.js';
import { FNV_OFFSET } from './byte-name-index.js';
import { KgInputError } from './errors.js';
import { MAX_LINE_BYTES, MAX_NAME_LENGTH, lineTooLongReason } from './name-limits.js';
import type { NameTable } from './name-table.js';
import type { ColumnOrder } from './types.js';

/** The shared per-line logic, with the columns of an ordinary line once they are known. */
export interface LineAcceptor {
  (fields: string[], line: number): void;
  /** Head, relation and tail positions among three fields; undefined while every line must go through the acceptor. */
  columns(): readonly [number, number, number] | undefined;
  /** The column order the file's header line named, once one was read. */
  headerOrder(): ColumnOrder | undefined;
  /** Comment lines skipped so far. */
  comments(): number;
  /** The line read as a header and skipped (recognised, or declared by `--header yes`), once there was one. */
  header(): SkippedHeader | undefined;
}

/** A first line skipped as a header: where it was and what it said (its fields joined by commas). */
export interface SkippedHeader {
  line: number;
  text: string;
  /** Its head, relation and tail fields, when only `--header yes` made it a header (not a recognised header line). */
  declared?: [head: string, relation: string, tail: string];
}

/** Receives the ids of an ordinary line's triple. */
export type IdSink = (head: number, relation: number, tail: number, line: number) => void;

const CHUNK_BYTES = 4 << 20;
const NEWLINE = 0x0a;
const CR = 0x0d;
const TAB = 0x09;
const HASH = 0x23;
const SPACE = 0x20;
const FNV_PRIME = 0x01000193;

/**
 * Scans the line at bytes[start, limit) as an ordinary line: on success stores each field's start, end and hash in
 * `fields` (three ints a field) and returns the index of the line's newline (or `limit`); -1 when it is not one.
 */
function scanOrdinary(bytes: Uint8Array, start: number, limit: number, fields: Int32Array, asciiOnly: boolean): number {
  if (bytes[start] === HASH) return -1;
  let i = start;
  for (let k = 0; k < 9; k += 3) {
    const from = i;
    let hash = FNV_OFFSET;
    let any = 0;
    let b = 0;
    for (; i < limit; i++) {
      b = bytes[i]!;
      if (b <= CR && (b === TAB || b === NEWLINE || b === CR)) break;
      any |= b;
      hash = Math.imul(hash ^ b, FNV_PRIME);
    }
    // more bytes than a name's characters may be (a UTF-8 character has at least as many bytes as UTF-16 units): the
    // acceptor counts its characters, and refuses it if it has too many
    if (i === from || bytes[from]! <= SPACE || bytes[i - 1]! <= SPACE || (asciiOnly && any >= 0x80) || i - from > MAX_NAME_LENGTH) return -1;
    fields[k] = from;
    fields[k + 1] = i;
    fields[k + 2] = hash;
    if (k < 6) {
      if (i === limit || b !== TAB) return -1;
      i++;
    } else if (i < limit && b !== NEWLINE) { // a fourth field, or a CR: the line's end when a newline (or the end) follows
      if (b === TAB || (i + 1 < limit && bytes[i + 1] !== NEWLINE)) return -1;
      i++;
    }
  }
  return i;
}

/** The id of the name in field `k` of `fields` (bytes as scanned), added to `table` when new. */
function fieldId(table: NameTable, buffer: Buffer, fields: Int32Array, k: number, encoding: TextEncodingName): number {
  const start = fields[3 * k]!, end = fields[3 * k + 1]!, hash = fields[3 * k + 2]!;
  const id = table.find(buffer, start, end, hash);
  return id >= 0 ? id : table.add(buffer, start, end, hash, buffer.toString(encoding, start, end));
}

/**
 * Reads a tab-separated file: ordinary lines into `sink` by bytes, the others through `accept`. A line longer than
 * `maxLineBytes` is an error naming it, as soon as that many of it are read without its end.
 */
export async function readTabTriples(handle: FileHandle, file: string, encoding: TextEncodingName, accept: LineAcceptor,
  entities: NameTable, relations: NameTable, sink: IdSink, onBytes?: (bytes: number) => void, maxLineBytes = MAX_LINE_BYTES): Promise<void> {
  let buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let carried = 0;
  let position = 0;
  let line = 1;
  let first = true;
  const fields = new Int32Array(9);
  const asciiOnly = encoding !== 'utf8';
  let columns = accept.columns();
  for (;;) {
    if (carried === buffer.length) { // a line longer than the buffer (up to the most a line may hold, and a chunk)
      const grown = Buffer.allocUnsafe(Math.min(2 * buffer.length, maxLineBytes + CHUNK_BYTES));
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
        const newline = columns ? scanOrdinary(buffer, start, cut, fields, asciiOnly) : -1;
        if (newline >= 0) {
          const [h, r, t] = columns!;
          sink(fieldId(entities, buffer, fields, h, encoding), fieldId(relations, buffer, fields, r, encoding), fieldId(entities, buffer, fields, t, encoding), line);
          start = newline + 1;
        } else {
          let end = buffer.indexOf(NEWLINE, start);
          if (end < 0 || end >= cut) end = cut;
          if (end - start > maxLineBytes) throw new KgInputError(file, line, lineTooLongReason(maxLineBytes)); // (an ordinary line is shorter)
          const next = end + 1;
          if (end > start && buffer[end - 1] === CR) end--;
          accept(buffer.toString(encoding, start, end).split('\t'), line);
          columns = accept.columns();
          start = next;
        }
        line++;
      }
    }
    if (atEnd) return;
    carried = filled - cut;
    if (carried > maxLineBytes) throw new KgInputError(file, line, lineTooLongReason(maxLineBytes)); // `line`: the unfinished one
    buffer.copy(buffer, 0, cut, filled);
  }
}
