/**
 * Streaming reader of one triple file (one triple a line), built on csv-parse.
 *
 * Accepts tab- or comma-separated files (detected from the first non-comment line, tab preferred), `#` comment
 * lines, empty lines, UTF-8 with or without BOM, LF or CRLF line ends, an optional header line and the column
 * orders head-relation-tail (`hrt`) or head-tail-relation (`htr`). Fields are trimmed. Every bad line is an
 * error naming file, 1-based line and reason; nothing is skipped silently except comments and blank lines.
 *
 * Tab-separated files are parsed without quote handling (TSV convention, and fast: one csv-parse record per
 * physical line, so the line number is the record index). Comma-separated files honour CSV double quotes, and
 * line numbers then come from csv-parse's `info`.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { parse, type Options as CsvOptions, CsvError } from 'csv-parse';
import type { ColumnOrder } from './types.js';
import { KgInputError, describeFileError } from './errors.js';

/** One triple as written in a file, with the 1-based line it came from. */
export interface RawTriple {
  head: string;
  relation: string;
  tail: string;
  line: number;
}

/** Field delimiters a triple file may use. */
export type TripleDelimiter = '\t' | ',';

/** Options of {@link readTripleFile}; everything is detected when left out. */
export interface ReadTripleOptions {
  /** Field delimiter; detected from the first non-comment line when absent (tab preferred, else comma). */
  delimiter?: TripleDelimiter;
  /** Column order; when absent, taken from a recognised header line, else `hrt`. */
  columns?: ColumnOrder;
  /** `true`: the first data line is a header; `false`: there is none; `'auto'` (default): recognise it. */
  header?: boolean | 'auto';
}

type Role = 'head' | 'relation' | 'tail';

const HEADER_WORDS: Record<string, Role> = {
  head: 'head', h: 'head', subject: 'head', s: 'head', source: 'head', src: 'head', from: 'head',
  relation: 'relation', r: 'relation', rel: 'relation', predicate: 'relation', p: 'relation', edge: 'relation',
  tail: 'tail', t: 'tail', object: 'tail', o: 'tail', target: 'tail', dst: 'tail', to: 'tail',
};

const ROLES_BY_ORDER: Record<ColumnOrder, readonly [Role, Role, Role]> = {
  hrt: ['head', 'relation', 'tail'],
  htr: ['head', 'tail', 'relation'],
};

const DETECTION_CHUNK_BYTES = 64 * 1024;
const DETECTION_MAX_BYTES = 4 * 1024 * 1024;

const HASH = 0x23;
const SPACE = 0x20;

/** Trims whitespace (and a stray CR) around a field, without allocating when there is none. */
function trimField(field: string): string {
  const length = field.length;
  if (length === 0) return field;
  return field.charCodeAt(0) <= SPACE || field.charCodeAt(length - 1) <= SPACE ? field.trim() : field;
}

/** Picks the delimiter from the first non-empty, non-comment line of `text`: tab if it has one, else comma. */
export function detectDelimiter(text: string): TripleDelimiter | undefined {
  for (const rawLine of text.replace(/^\uFEFF/, '').split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.includes('\t')) return '\t';
    if (line.includes(',')) return ',';
    return undefined;
  }
  return undefined;
}

/** Column order named by a header line (`head,relation,tail`, `h r t`, `subject predicate object`...), if it is one. */
export function headerColumnOrder(fields: readonly string[]): ColumnOrder | 'unsupported' | undefined {
  if (fields.length !== 3) return undefined;
  const roles = fields.map((field) => HEADER_WORDS[field.trim().toLowerCase()]);
  if (roles.some((role) => role === undefined) || new Set(roles).size !== 3) return undefined;
  for (const order of Object.keys(ROLES_BY_ORDER) as ColumnOrder[]) {
    if (ROLES_BY_ORDER[order].every((role, i) => roles[i] === role)) return order;
  }
  return 'unsupported';
}

/** "expected 3 fields, found n", with a hint when a lone field contains the other delimiter. */
function fieldCountReason(fields: readonly string[], delimiter: TripleDelimiter): string {
  const reason = `expected 3 fields, found ${fields.length}`;
  const [used, other, otherName] = delimiter === '\t' ? ['tabs', ',', 'commas'] : ['commas', '\t', 'tabs'];
  if (fields.length !== 1 || !fields[0]!.includes(other)) return reason;
  return `${reason} (separated by ${used}; this line has ${otherName}, see --delimiter)`;
}

/** Reads the start of the file until a complete first data line is seen, to detect the delimiter. */
async function sniffDelimiter(handle: FileHandle): Promise<TripleDelimiter> {
  const chunks: Buffer[] = [];
  let total = 0;
  while (total < DETECTION_MAX_BYTES) {
    const buffer = Buffer.alloc(DETECTION_CHUNK_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, total);
    if (bytesRead === 0) break;
    chunks.push(buffer.subarray(0, bytesRead));
    total += bytesRead;
    const text = Buffer.concat(chunks).toString('utf8');
    const lastNewline = text.lastIndexOf('\n');
    const detected = lastNewline >= 0 ? detectDelimiter(text.slice(0, lastNewline)) : undefined;
    if (detected) return detected;
  }
  return detectDelimiter(Buffer.concat(chunks).toString('utf8')) ?? '\t';
}

/** csv-parse options for one delimiter; see the module comment for why tab and comma differ. */
function csvOptions(delimiter: TripleDelimiter): CsvOptions {
  const common: CsvOptions = { delimiter, bom: true, relax_column_count: true, encoding: 'utf8' };
  if (delimiter === '\t') return { ...common, quote: null, skip_empty_lines: false };
  return { ...common, quote: '"', relax_quotes: true, comment: '#', comment_no_infix: true, skip_empty_lines: true, info: true };
}

/**
 * Reads one triple file into raw string triples, streaming it through csv-parse.
 * Throws {@link KgInputError} (file, line, reason) on an unreadable file, a wrong field count or an empty field.
 */
export async function readTripleFile(file: string, options: ReadTripleOptions = {}): Promise<RawTriple[]> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw new KgInputError(file, undefined, describeFileError(error), { cause: error });
  }
  let delimiter: TripleDelimiter;
  try {
    delimiter = options.delimiter ?? (await sniffDelimiter(handle));
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw new KgInputError(file, undefined, describeFileError(error), { cause: error });
  }

  const headerMode = options.header ?? 'auto';
  let order: ColumnOrder = options.columns ?? 'hrt';
  let roles = ROLES_BY_ORDER[order];
  let relationIndex = roles.indexOf('relation');
  let tailIndex = roles.indexOf('tail');
  let seenFirstDataLine = false;
  const triples: RawTriple[] = [];
  // Each name repeats many times; keeping one string instance per distinct name saves memory and GC time.
  const interned = new Map<string, string>();
  const intern = (name: string): string => {
    const known = interned.get(name);
    if (known !== undefined) return known;
    interned.set(name, name);
    return name;
  };

  const acceptRecord = (fields: string[], line: number): void => {
    for (let i = 0; i < fields.length; i++) fields[i] = trimField(fields[i]!);
    if (fields.length === 1 && fields[0] === '') return; // blank line
    if (delimiter === '\t' && fields[0]!.charCodeAt(0) === HASH) return; // comment line

    if (!seenFirstDataLine) {
      seenFirstDataLine = true;
      if (headerMode !== false) {
        const headerOrder = headerColumnOrder(fields);
        if (headerOrder === 'unsupported') {
          throw new KgInputError(file, line, `header column order "${fields.join(',')}" is not supported (use head,relation,tail or head,tail,relation)`);
        }
        if (headerOrder !== undefined) {
          if (options.columns !== undefined && options.columns !== headerOrder) {
            throw new KgInputError(file, line, `header says column order ${headerOrder} but columns ${options.columns} was requested`);
          }
          order = headerOrder;
          roles = ROLES_BY_ORDER[order];
          relationIndex = roles.indexOf('relation');
          tailIndex = roles.indexOf('tail');
          return;
        }
        if (headerMode === true) return; // declared header we do not recognise: skip it as told
      }
    }

    if (fields.length !== 3) {
      throw new KgInputError(file, line, fieldCountReason(fields, delimiter));
    }
    for (let i = 0; i < 3; i++) {
      if (fields[i] === '') throw new KgInputError(file, line, `empty ${roles[i]} field (field ${i + 1} of 3)`);
    }
    triples.push({ head: intern(fields[0]!), relation: intern(fields[relationIndex]!), tail: intern(fields[tailIndex]!), line });
  };

  const input = handle.createReadStream({ start: 0, highWaterMark: 1 << 20 });
  const parser = parse(csvOptions(delimiter));
  input.on('error', (error) => parser.destroy(new KgInputError(file, undefined, describeFileError(error), { cause: error })));
  input.pipe(parser);
  try {
    let recordIndex = 0;
    for await (const record of parser) {
      recordIndex++;
      if (delimiter === '\t') acceptRecord(record as string[], recordIndex);
      else {
        const { record: fields, info } = record as { record: string[]; info: { lines: number } };
        acceptRecord(fields, info.lines);
      }
    }
  } catch (error) {
    if (error instanceof KgInputError) throw error;
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines;
      throw new KgInputError(file, line, error.message, { cause: error });
    }
    throw new KgInputError(file, undefined, describeFileError(error), { cause: error });
  } finally {
    input.destroy();
  }
  return triples;
}
