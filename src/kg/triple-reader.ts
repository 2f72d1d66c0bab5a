/**
 * Streaming reader of one triple file (one triple a line).
 *
 * Accepts tab-, comma- or whitespace-separated files (detected from the first non-comment line: tab, else comma,
 * else spaces), `#` comment lines, empty lines, UTF-8 (strict: other bytes are an error naming the line) with or
 * without BOM or Latin-1, LF, CRLF or CR-only (classic Mac) line ends, an optional header line, and the column
 * orders head-relation-tail (`hrt`), head-tail-relation (`htr`) or three positions of a wider file (`[0, 2, 1]`:
 * head, relation, tail columns; other columns are ignored). Fields are trimmed (ASCII whitespace only). Every bad
 * line is an error naming file, 1-based line and reason; nothing is skipped silently except comments and blank lines.
 *
 * Tab- and whitespace-separated files are split line by line from large decoded chunks (line-source.ts; no quote
 * handling, the TSV convention, and fast). Comma-separated files honour CSV double quotes through csv-parse, and
 * line numbers then come from csv-parse's `info`.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { ColumnOrder } from './types.js';
import { EntityLimitError, KgInputError, describeFileError } from './errors.js';
import { forEachLine, sniffLineEnd, type LineEnd } from './line-source.js';
import { readCsvFile } from './csv-reader.js';
import { NameTable } from './name-table.js';
import { newNameCheck } from './new-name-check.js';
import { controlCharacterReason } from './name-limits.js';
import { readTabTriples, type IdSink, type SkippedHeader } from './tab-triples.js';
import { detectDelimiter, recordAcceptor, trimField, type ReadTripleOptions, type TripleDelimiter, type TripleSink } from './triple-format.js';

export { NameTable };
// the format rules live in triple-format.ts (no Node module: the in-memory reader shares them); their names stay here
export { csvOptions, detectDelimiter, headerColumnOrder, recordAcceptor, trimField, type ColumnChoice, type ReadTripleOptions, type TripleDelimiter, type TripleSink } from './triple-format.js';

/** One triple as written in a file, with the 1-based line it came from. */
export interface RawTriple {
  head: string;
  relation: string;
  tail: string;
  line: number;
}

const DETECTION_CHUNK_BYTES = 64 * 1024;
const DETECTION_MAX_BYTES = 4 * 1024 * 1024;

/** Reads the start of the file until a complete first data line (ended by `lineEnd`) is seen, to detect the delimiter. */
async function sniffDelimiter(handle: FileHandle, lineEnd: LineEnd): Promise<TripleDelimiter> {
  const chunks: Buffer[] = [];
  let total = 0;
  while (total < DETECTION_MAX_BYTES) {
    const buffer = Buffer.alloc(DETECTION_CHUNK_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, total);
    if (bytesRead === 0) break;
    chunks.push(buffer.subarray(0, bytesRead));
    total += bytesRead;
    const text = Buffer.concat(chunks).toString('utf8');
    const lastNewline = text.lastIndexOf(lineEnd);
    const detected = lastNewline >= 0 ? detectDelimiter(text.slice(0, lastNewline), lineEnd) : undefined;
    if (detected) return detected;
  }
  return detectDelimiter(Buffer.concat(chunks).toString('utf8'), lineEnd) ?? '\t';
}

const WHITESPACE = /[ \t]+/;

/**
 * Reads one triple file into raw string triples, streaming it through csv-parse.
 * Throws {@link KgInputError} (file, line, reason) on an unreadable file, a wrong field count or an empty field.
 */
export async function readTripleFile(file: string, options: ReadTripleOptions = {}): Promise<RawTriple[]> {
  return (await readTripleFileWithHeader(file, options)).triples;
}

/**
 * {@link readTripleFile}, with the column order the file's header line named (when it had one the reader
 * recognised), the line skipped as a header (recognised, or `--header yes`) and the comment lines skipped.
 */
export async function readTripleFileWithHeader(file: string, options: ReadTripleOptions = {}): Promise<{ triples: RawTriple[]; headerOrder?: ColumnOrder; header?: SkippedHeader; comments: number }> {
  const triples: RawTriple[] = [];
  let line = 0;
  const intern = interner((name, kind) => { // each distinct name checked once, as the id readers' new names are
    const reason = controlCharacterReason(kind, name);
    if (reason !== undefined) throw new KgInputError(file, line, reason);
  });
  const { headerOrder, header, comments } = await readTriples(file, options, (head, relation, tail, at) => {
    line = at;
    triples.push({ head: intern(head, 'entity'), relation: intern(relation, 'relation'), tail: intern(tail, 'entity'), line: at });
  });
  return { triples, comments, ...(headerOrder ? { headerOrder } : {}), ...(header ? { header } : {}) };
}

/** A file's triples as local ids of two name tables, with their lines. */
export interface TripleIds {
  /** (head, relation, tail) local ids, three per triple. */
  triples: Int32Array;
  /** 1-based line of each triple. */
  lines: Int32Array;
  /** The column order the file's header line named, when it had one that was recognised. */
  headerOrder?: ColumnOrder;
  /** Comment lines (starting with `#`) skipped. */
  comments: number;
  /** The first line, when it was skipped as a header. */
  header?: SkippedHeader;
}

/**
 * Reads one triple file straight into local ids of shared name tables (no object per line: the fast path of
 * `loadDataset`). Same input rules and errors as {@link readTripleFile}; an {@link EntityLimitError} at the first line
 * that brings `entities` past `maxEntities` names.
 */
export async function readTripleIds(file: string, options: ReadTripleOptions, entities: NameTable, relations: NameTable, maxEntities = Infinity): Promise<TripleIds> {
  let triples = new Int32Array(3 * 4096);
  let lines = new Int32Array(4096);
  let n = 0;
  const checkNewNames = newNameCheck(file, entities, relations);
  const add: IdSink = (head, relation, tail, line) => {
    if (entities.names.length > maxEntities) throw new EntityLimitError(file, line, entities.names.length, relations.names.length, maxEntities);
    checkNewNames(line);
    if (n === lines.length) {
      const grownTriples = new Int32Array(triples.length * 2);
      grownTriples.set(triples);
      triples = grownTriples;
      const grownLines = new Int32Array(lines.length * 2);
      grownLines.set(lines);
      lines = grownLines;
    }
    triples[3 * n] = head;
    triples[3 * n + 1] = relation;
    triples[3 * n + 2] = tail;
    lines[n++] = line;
  };
  const { headerOrder, comments, header } = await readTriples(file, options, (head, relation, tail, line) => add(entities.id(head), relations.id(relation), entities.id(tail), line),
    { entities, relations, sink: add });
  return { triples: triples.slice(0, 3 * n), lines: lines.slice(0, n), comments, ...(headerOrder ? { headerOrder } : {}), ...(header ? { header } : {}) };
}

/**
 * Whether the file has a triple line, read only up to the first (its names go to tables of their own). Undefined
 * when the reader stops at an error first: the file's own read says it.
 */
export async function hasTriple(file: string, options: ReadTripleOptions): Promise<boolean | undefined> {
  // a bound of no entities stops the reader at its first triple, whatever its path (tab bytes, csv-parse, lines)
  return readTripleIds(file, options, new NameTable(), new NameTable(), 0).then(() => false, (error: unknown) => (error instanceof EntityLimitError ? true : undefined));
}

/** One string instance per distinct name (names repeat many times: this saves memory and GC time); `onNew` sees each distinct name once. */
function interner(onNew: (name: string, kind: 'entity' | 'relation') => void): (name: string, kind: 'entity' | 'relation') => string {
  const interned = new Map<string, string>();
  return (name, kind) => {
    const known = interned.get(name);
    if (known !== undefined) return known;
    onNew(name, kind);
    interned.set(name, name);
    return name;
  };
}

/** Where a tab-separated file's ordinary lines go as ids (tab-triples.ts), when the caller wants ids. */
interface IdTarget {
  entities: NameTable;
  relations: NameTable;
  sink: IdSink;
}

/**
 * Reads the triples of a file into `sink` (every line source, every check); tab-separated files by bytes into `ids`.
 * Returns the column order its header line named, if it had one, the line skipped as a header, and the number of
 * comment lines skipped.
 */
async function readTriples(file: string, options: ReadTripleOptions, sink: TripleSink, ids?: IdTarget): Promise<{ headerOrder: ColumnOrder | undefined; comments: number; header: SkippedHeader | undefined }> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw new KgInputError(file, undefined, describeFileError(error), { cause: error });
  }
  try {
    let delimiter: TripleDelimiter;
    let lineEnd: LineEnd;
    try {
      lineEnd = await sniffLineEnd(handle);
      delimiter = options.delimiter ?? (await sniffDelimiter(handle, lineEnd));
    } catch (error) {
      throw new KgInputError(file, undefined, describeFileError(error), { cause: error });
    }
    const accept = recordAcceptor(file, delimiter, options, sink);
    const encoding = options.encoding ?? 'utf8';
    let csvComments = 0;
    try {
      if (delimiter === ',') csvComments = await readCsvFile(handle, file, encoding, lineEnd, accept, options.onBytes);
      // CR-only line ends go through the line reader (the byte path splits at LF)
      else if (delimiter === '\t' && ids && lineEnd === '\n') await readTabTriples(handle, file, encoding, accept, ids.entities, ids.relations, ids.sink, options.onBytes);
      else await forEachLine(handle, file, encoding, (text, line) => accept(delimiter === '\t' ? text.split('\t') : trimField(text).split(WHITESPACE), line), options.onBytes, lineEnd);
    } catch (error) {
      if (error instanceof KgInputError) throw error;
      throw new KgInputError(file, undefined, describeFileError(error), { cause: error });
    }
    return { headerOrder: accept.headerOrder(), comments: csvComments + accept.comments(), header: accept.header() };
  } finally {
    await handle.close().catch(() => undefined);
  }
}
