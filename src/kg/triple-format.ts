/**
 * The format rules of a triple file, apart from how its bytes are read: delimiter detection, ASCII trimming, header
 * recognition, the column choice, comments and the field checks of every line (`recordAcceptor`), and csv-parse's
 * options for a comma-separated file. No Node module: the streaming reader (triple-reader.ts) and the in-memory one
 * of a page (triple-bytes.ts) apply the same rules through this file.
 */
import type { Options as CsvOptions } from 'csv-parse';
import type { ColumnOrder } from './types.js';
import { KgInputError } from './errors.js';
import { MAX_LINE_BYTES, MAX_NAME_LENGTH, nameTooLongReason } from './name-limits.js';
import type { LineEnd, TextEncodingName } from './utf8.js';
import type { LineAcceptor, SkippedHeader } from './tab-triples.js';

/** Field delimiters a triple file may use (`' '`: runs of spaces or tabs). */
export type TripleDelimiter = '\t' | ',' | ' ';

/** Which columns hold head, relation and tail: an order of a three-column file, or three 0-based positions. */
export type ColumnChoice = ColumnOrder | readonly [head: number, relation: number, tail: number];

/** Options of {@link readTripleFile}; everything is detected when left out. */
export interface ReadTripleOptions {
  /** Field delimiter; detected from the first non-comment line when absent (tab, else comma, else spaces). */
  delimiter?: TripleDelimiter;
  /** Columns; when absent, taken from a recognised header line, else `hrt`. */
  columns?: ColumnChoice;
  /** `true`: the first data line is a header; `false`: there is none; `'auto'` (default): recognise it. */
  header?: boolean | 'auto';
  /** Text encoding (default strict UTF-8). */
  encoding?: TextEncodingName;
  /** Called with the size of every chunk read from the file (progress). */
  onBytes?: (bytes: number) => void;
  /** Whether hints name the CLI's `--delimiter` and `--columns` (default true; false where neither can be set, as in the explorer page). */
  flagHints?: boolean;
  /**
   * The column order of a file without a header line when `columns` is not given (default `hrt`): loadDataset gives
   * valid and test the order train's header named, so that a header in train alone holds for the whole dataset.
   */
  headerlessOrder?: ColumnOrder;
}

type Role = 'head' | 'relation' | 'tail';

const HEADER_WORDS: Record<string, Role> = {
  head: 'head', h: 'head', subject: 'head', subj: 'head', s: 'head', source: 'head', src: 'head', from: 'head',
  relation: 'relation', r: 'relation', rel: 'relation', relationship: 'relation', predicate: 'relation', pred: 'relation', p: 'relation',
  edge: 'relation', label: 'relation', type: 'relation', property: 'relation',
  tail: 'tail', t: 'tail', object: 'tail', obj: 'tail', o: 'tail', target: 'tail', dst: 'tail', dest: 'tail', destination: 'tail', to: 'tail',
};

const ROLES_BY_ORDER: Record<ColumnOrder, readonly [Role, Role, Role]> = {
  hrt: ['head', 'relation', 'tail'],
  htr: ['head', 'tail', 'relation'],
};

const HASH = 0x23;
const SPACE = 0x20;

/** Whether code unit `c` is ASCII whitespace: space, \t, \n, \v, \f or \r. */
const isAsciiSpace = (c: number): boolean => c === SPACE || (c >= 0x09 && c <= 0x0d);

/** Trims ASCII whitespace only (as the tab fast path: NBSP, U+3000, U+FEFF stay part of a name), without allocating when there is none. */
export function trimField(field: string): string {
  let start = 0;
  let end = field.length;
  while (start < end && isAsciiSpace(field.charCodeAt(start))) start++;
  while (end > start && isAsciiSpace(field.charCodeAt(end - 1))) end--;
  return start === 0 && end === field.length ? field : field.slice(start, end);
}

/** Picks the delimiter from the first non-empty, non-comment line of `text` (ended by `lineEnd`): tab if it has one, else comma, else spaces. */
export function detectDelimiter(text: string, lineEnd: LineEnd = '\n'): TripleDelimiter | undefined {
  for (const rawLine of text.replace(/^\uFEFF/, '').split(lineEnd)) {
    const line = trimField(rawLine);
    if (line === '' || line.startsWith('#')) continue;
    if (line.includes('\t')) return '\t';
    if (line.includes(',')) return ',';
    if (/\s/.test(line)) return ' ';
    return undefined;
  }
  return undefined;
}

/** Column order named by a header line (`head,relation,tail`, `h r t`, `subject predicate object`...), if it is one. */
export function headerColumnOrder(fields: readonly string[]): ColumnOrder | 'unsupported' | undefined {
  if (fields.length !== 3) return undefined;
  // own keys only: a name like `constructor` or `__proto__` is no header word
  const roles = fields.map((field) => { const word = trimField(field).toLowerCase(); return Object.hasOwn(HEADER_WORDS, word) ? HEADER_WORDS[word] : undefined; });
  if (roles.some((role) => role === undefined) || new Set(roles).size !== 3) return undefined;
  for (const order of Object.keys(ROLES_BY_ORDER) as ColumnOrder[]) {
    if (ROLES_BY_ORDER[order].every((role, i) => roles[i] === role)) return order;
  }
  return 'unsupported';
}

const DELIMITER_NAMES: Record<TripleDelimiter, string> = { '\t': 'tabs', ',': 'commas', ' ': 'spaces' };

/**
 * "expected 3 fields, found n", with a hint: another delimiter in a lone field, or --columns for wider files. Without
 * `flagHints` (a reader whose delimiter and columns cannot be set) the hints name no flag.
 */
function fieldCountReason(fields: readonly string[], delimiter: TripleDelimiter, flagHints: boolean, detected: boolean): string {
  const reason = `expected 3 fields, found ${fields.length}`;
  const separated = `separated by ${DELIMITER_NAMES[delimiter]}`;
  if (fields.length > 3 && delimiter === ' ') {
    // names with spaces split into more fields on some lines only: --columns would cut them, not pick columns
    const columns = flagHints ? `, or pick the head, relation and tail columns with --columns, e.g. 0,1,2, if every line has these ${fields.length} fields` : '';
    return `${reason} (${separated}; a name with spaces needs a file separated by tabs or commas (quoted)${columns})`;
  }
  if (fields.length > 3) {
    const columns = flagHints ? 'pick the head, relation and tail columns with --columns, e.g. 0,1,2' : 'a file of exactly three columns is needed here (the command line picks three of more with --columns)';
    return `${reason} (${separated}; ${columns})`;
  }
  const other = (Object.keys(DELIMITER_NAMES) as TripleDelimiter[]).find((d) => d !== delimiter && fields.length === 1 && fields[0]!.includes(d));
  // too few fields with commas or spaces taken from the first line: say so, a name there may have misled it (a tab is
  // never a name's)
  if (other === undefined) return detected && flagHints && delimiter !== '\t' ? `${reason} (${separated}, as detected from the first line; see --delimiter)` : reason;
  const fix = flagHints ? 'see --delimiter' : `the separator is taken from the file's first line: use one throughout`;
  return `${reason} (${separated}; this line has ${DELIMITER_NAMES[other]}, ${fix})`;
}

/** A sink of triples in file order. */
export type TripleSink = (head: string, relation: string, tail: string, line: number) => void;

/** csv-parse options of a comma-separated file (CSV double quotes honoured). */
export function csvOptions(encoding: TextEncodingName): CsvOptions {
  // line ends named, not detected: csv-parse fixes the one of the first line, and then counts a file mixing LF and
  // CRLF two lines for one (its error lines were wrong)
  // max_record_size: a record of more than a line may hold is refused (CSV_MAX_RECORD_SIZE) before it outgrows a string
  return { delimiter: ',', record_delimiter: ['\r\n', '\n', '\r'], bom: true, relax_column_count: true, encoding, quote: '"', relax_quotes: true, comment: '#', comment_no_infix: true, skip_empty_lines: true, info: true, max_record_size: MAX_LINE_BYTES };
}

/**
 * The per-line logic shared by every line source: trimming, comments, the header, the columns, empty fields. Its
 * `columns()` tells the byte reader (tab-triples.ts) where head, relation and tail are in a line of three fields,
 * once the first data line (perhaps a header naming the order) has passed, and never with `--columns` positions.
 */
export function recordAcceptor(file: string, delimiter: TripleDelimiter, options: ReadTripleOptions, sink: TripleSink): LineAcceptor {
  const headerMode = options.header ?? 'auto';
  const positions = Array.isArray(options.columns) ? (options.columns as readonly [number, number, number]) : undefined;
  if (positions && (positions.length !== 3 || new Set(positions).size !== 3 || positions.some((p) => !Number.isInteger(p) || p < 0))) {
    throw new KgInputError(file, undefined, `columns must be three different positions ≥ 0 (head, relation, tail), got ${positions.join(',')}`);
  }
  let order: ColumnOrder = positions ? 'hrt' : ((options.columns as ColumnOrder | undefined) ?? options.headerlessOrder ?? 'hrt');
  let headerOrder: ColumnOrder | undefined;
  let comments = 0;
  let header: SkippedHeader | undefined;
  let [h, r, t] = positions ?? indexesOf(order);
  const width = positions ? Math.max(...positions) + 1 : 3;
  let seenFirstDataLine = false;
  let known: readonly [number, number, number] = [h, r, t];
  const columns = (): readonly [number, number, number] | undefined => {
    if (!seenFirstDataLine || positions) return undefined;
    if (known[0] !== h || known[1] !== r || known[2] !== t) known = [h, r, t];
    return known;
  };
  return Object.assign((fields: string[], line: number): void => {
    for (let i = 0; i < fields.length; i++) fields[i] = trimField(fields[i]!);
    if (fields.every((field) => field === '')) return; // blank line, or separators only (`,,` as spreadsheets write an empty row)
    if (delimiter !== ',' && fields[0]!.charCodeAt(0) === HASH) { // comment line (csv-parse skips and counts a CSV's)
      comments++;
      return;
    }
    if (!seenFirstDataLine) {
      seenFirstDataLine = true;
      if (headerMode !== false) {
        const named = headerColumnOrder(positions ? [fields[h] ?? '', fields[r] ?? '', fields[t] ?? ''] : fields);
        if (named === 'unsupported' && !positions) {
          throw new KgInputError(file, line, `header column order "${fields.join(',')}" is not supported (use head,relation,tail or head,tail,relation)`);
        }
        if (named !== undefined && named !== 'unsupported') {
          header = { line, text: fields.join(',') };
          if (positions) return; // the chosen columns' names: a header
          if (options.columns !== undefined && options.columns !== named) {
            throw new KgInputError(file, line, `header says column order ${named} but columns ${String(options.columns)} was requested`);
          }
          order = named;
          headerOrder = named;
          [h, r, t] = indexesOf(order);
          return;
        }
        if (headerMode === true) { // declared header we do not recognise: skip it as told (loadDataset tells whether it looks like a triple)
          header = { line, text: fields.join(',') };
          if (positions ? fields.length >= width : fields.length === 3) header.declared = [fields[h]!, fields[r]!, fields[t]!];
          return;
        }
      }
    }
    if (positions ? fields.length < width : fields.length !== 3) {
      throw new KgInputError(file, line, positions ? `expected at least ${width} fields for --columns ${positions.join(',')}, found ${fields.length}` : fieldCountReason(fields, delimiter, options.flagHints ?? true, options.delimiter === undefined));
    }
    const roles: ['head' | 'relation' | 'tail', number][] = [['head', h], ['relation', r], ['tail', t]];
    for (const [role, index] of roles) {
      if (fields[index] === '') throw new KgInputError(file, line, `empty ${role} field (field ${index + 1} of ${fields.length})`);
      if (fields[index]!.length > MAX_NAME_LENGTH) throw new KgInputError(file, line, nameTooLongReason(role, fields[index]!.length, options.flagHints ?? true));
      // only a quoted CSV field can hold one: lines of the other delimiters are split on tabs and newlines already
      if (delimiter === ',' && LINE_BREAK_OR_TAB.test(fields[index]!)) throw new KgInputError(file, line, lineBreakReason(role, fields[index]!));
    }
    sink(fields[h]!, fields[r]!, fields[t]!, line);
  }, { columns, headerOrder: () => headerOrder, comments: () => comments, header: () => header });
}

/** A tab or newline inside a name (only a quoted CSV field can hold one; a lone CR reads back, so it stays). */
const LINE_BREAK_OR_TAB = /[\t\n]/;

/** Why a name with a tab or line break is refused: every file kgdistill writes (split files, exports) holds one name per line and field. */
function lineBreakReason(role: string, name: string): string {
  const what = name.includes('\n') ? 'a line break' : 'a tab';
  return `the ${role} name ${JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name)} holds ${what} (a quoted field): the split files and exports kgdistill writes keep one name per line and field, so no name may hold a tab or line break`;
}

/** Head, relation and tail positions of a column order. */
function indexesOf(order: ColumnOrder): [number, number, number] {
  const roles = ROLES_BY_ORDER[order];
  return [roles.indexOf('head'), roles.indexOf('relation'), roles.indexOf('tail')];
}
