/**
 * A dataset of triple files held in memory (files dropped into a web page, or bytes from anywhere), read by the same parser as the CLI (kg/triple-bytes.ts, so a bad
 * file gets the CLI's `file:line: reason`) and encoded by the same code as `loadDataset` (kg/dataset-encode.ts):
 * one file is split 80/10/10 by `kgdistill data split`'s seeded split (valid/test triples with an entity or
 * relation unseen in train move to train); three files whose names say train, valid and test are taken as they are
 * (unseen valid/test entities kept, the CLI's default). `readNotes` says what reading did, in words that name no
 * command-line flag: the page has none.
 */
import type { KgDataset } from './dataset.js';
import { readReportLines, type LoadReport } from './load-report.js';
import { suspectHeader, type SuspectHeader } from './header-suspect.js';
import { encodeSplits, skippedHeaders, type SplitIds } from './dataset-encode.js';
import { KgInputError } from './errors.js';
import { MAX_NAME_LENGTH, controlCharacterReason, longNameWords } from './name-limits.js';
import { NameTable } from './name-table.js';
import { splitTriples, type NamedTriple } from './split-triples.js';
import type { ReadTripleOptions, TripleIds } from './triple-reader.js';
import { readTripleBytes } from './triple-bytes.js';
import { SPLIT_NAMES, type SplitName, type UnseenPolicy } from './types.js';
import { plural } from './plural.js';

/** One triple file in memory: its name (for errors and to tell train, valid and test apart) and its bytes. */
export interface TripleBytesFile {
  name: string;
  bytes: ArrayBuffer | Uint8Array;
}

/** Most bytes read, the files together: in-memory datasets are small graphs (a page's). */
export const MAX_FILE_BYTES = 64 << 20;
/** Most triples read, the files together. */
export const MAX_TRIPLES = 500_000;

/** How the page reads a file: everything detected, and hints that name no command-line flag (the page has none). */
const PAGE_READ_OPTIONS: ReadTripleOptions = { flagHints: false };

/** A split's name as a word of a file name (train.txt, wn-valid.tsv, dev.txt; not constraint-test's "train"). */
const SPLIT_WORD = /(?:^|[^a-z])(train|valid|dev|test)(?=[^a-z]|$)/g;

/** Which split a file's name says it is (train.txt, wn-valid.tsv, dev.txt for valid, …): the last split word in it, if any. */
function splitOf(name: string): SplitName | undefined {
  const words = [...name.toLowerCase().matchAll(SPLIT_WORD)].map((m) => m[1]!);
  const word = words.at(-1);
  return word === undefined ? undefined : word === 'dev' ? 'valid' : (word as SplitName);
}

/** The bytes of a file as a Uint8Array (a view, not a copy). */
const bytesOf = (bytes: ArrayBuffer | Uint8Array): Uint8Array => (bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));

/** "70,000,000 bytes" */
const byteCount = (bytes: number): string => `${bytes.toLocaleString('en-US')} bytes`;

/** One file's triples split by `data split`'s seeded split, as the three splits' local ids with their lines. */
function splitOne(file: string, ids: TripleIds, names: { entities: NameTable; relations: NameTable }, seed: number): { splits: Record<SplitName, SplitIds>; note: string } {
  const count = ids.lines.length;
  const named: NamedTriple[] = [];
  const index = new Map<NamedTriple, number>();
  for (let i = 0; i < count; i++) {
    const triple: NamedTriple = [names.entities.names[ids.triples[3 * i]!]!, names.relations.names[ids.triples[3 * i + 1]!]!, names.entities.names[ids.triples[3 * i + 2]!]!];
    named.push(triple);
    index.set(triple, i);
  }
  const split = splitTriples(named, { seed });
  const pick = (triples: readonly NamedTriple[]): SplitIds => {
    const out = new Int32Array(3 * triples.length), lines = new Int32Array(triples.length);
    triples.forEach((t, j) => {
      const i = index.get(t)!;
      out.set(ids.triples.subarray(3 * i, 3 * i + 3), 3 * j);
      lines[j] = ids.lines[i]!;
    });
    return { triples: out, lines, file, comments: 0 }; // one file split in three: its comments are not any split's
  };
  const skipped = [
    ...(ids.comments > 0 ? [`${ids.comments} comment ${plural(ids.comments, 'line')} (#) skipped`] : []),
    ...(ids.header ? [`header line ${ids.header.line} skipped ("${ids.header.text}")`] : []),
  ];
  const note = `${file}: ${count.toLocaleString('en-US')} ${plural(count, 'triple')} read${skipped.map((s) => `, ${s}`).join('')}, ${split.duplicates} repeated (kept once); ` +
    `split 80/10/10 (seed ${seed}): ${split.moved.valid} valid and ${split.moved.test} test triples moved to train, an entity or relation of theirs not being in train`;
  return { splits: { train: pick(split.train), valid: pick(split.valid), test: pick(split.test) }, note };
}

/** A dataset of in-memory files, and what reading (and for one file, splitting) them did, line by line. */
export type BytesDataset = KgDataset & { readNotes: string[] };

/** The page's words for a first train line that may be a header (header-suspect.ts); the CLI's name its flags. */
function suspectHeaderNote(file: string, suspect: SuspectHeader): string {
  return `${file}:${suspect.line}: "${suspect.fields.join('", "')}" may be a header (none of these names occurs anywhere else): it was trained as a triple; if it is a header, delete the line and train again`;
}

/** The page's words for the valid or test triples kept although an entity or relation of theirs is not in train. */
function unseenNote(split: 'valid' | 'test', count: number): string {
  return `${split}: ${count.toLocaleString('en-US')} ${plural(count, 'triple')} with an entity or relation not in train kept and ranked (never trained, such a name ranks as chance would)`;
}

/** The dataset of in-memory triple files (see the file's comment); throws KgInputError naming file and line on bad input. */
export function datasetFromBytes(files: readonly TripleBytesFile[], seed: number): BytesDataset {
  if (files.length !== 1 && files.length !== 3) throw new Error(`drop one triple file (it is split 80/10/10) or three named train, valid and test; got ${files.length} files`);
  const bytes = files.reduce((sum, f) => sum + f.bytes.byteLength, 0);
  if (bytes > MAX_FILE_BYTES) {
    const what = files.length === 1 ? byteCount(bytes) : `${byteCount(bytes)} together`;
    throw new KgInputError(files.map((f) => f.name).join(', '), undefined, `${what} are more than the page handles (${MAX_FILE_BYTES / 2 ** 20} MiB, ${byteCount(MAX_FILE_BYTES)}): train it with the command line`);
  }
  const names = { entities: new NameTable(), relations: new NameTable() };
  let raw: Record<SplitName, SplitIds>;
  let policy: UnseenPolicy;
  let readNote: string | undefined;
  let suspect: SuspectHeader | undefined;
  if (files.length === 1) {
    const file = files[0]!;
    const ids = readTripleBytes(file.name, bytesOf(file.bytes), PAGE_READ_OPTIONS, names.entities, names.relations);
    if (ids.lines.length === 0) throw new KgInputError(file.name, undefined, 'no triples in this file (one triple a line: head, relation, tail separated by tabs, commas or spaces)');
    if (ids.lines.length > MAX_TRIPLES) throw new KgInputError(file.name, undefined, `${ids.lines.length} triples are more than the page trains (${MAX_TRIPLES}): train it with the command line`);
    if (ids.headerOrder === undefined) suspect = suspectHeader([ids], ids, names);
    ({ splits: raw, note: readNote } = splitOne(file.name, ids, names, seed));
    policy = 'drop';
  } else {
    const bySplit = new Map<SplitName, TripleBytesFile>();
    for (const f of files) {
      const split = splitOf(f.name);
      if (!split) throw new KgInputError(f.name, undefined, 'with three files, each name must say train, valid (or dev) or test');
      if (bySplit.has(split)) throw new KgInputError(f.name, undefined, `two files for the ${split} split (${bySplit.get(split)!.name} and ${f.name})`);
      bySplit.set(split, f);
    }
    raw = {} as Record<SplitName, SplitIds>;
    for (const split of SPLIT_NAMES) {
      const f = bySplit.get(split)!;
      raw[split] = { ...readTripleBytes(f.name, bytesOf(f.bytes), PAGE_READ_OPTIONS, names.entities, names.relations), file: f.name };
    }
    if (raw.train.lines.length === 0) throw new KgInputError(raw.train.file, undefined, 'the train split has no triples');
    const triples = SPLIT_NAMES.reduce((sum, split) => sum + raw[split].lines.length, 0);
    if (triples > MAX_TRIPLES) throw new KgInputError(files.map((f) => f.name).join(', '), undefined, `${triples} triples together are more than the page trains (${MAX_TRIPLES}): train them with the command line`);
    if (raw.train.headerOrder === undefined) suspect = suspectHeader([raw.train, raw.valid, raw.test], raw.train, names);
    policy = 'keep';
  }
  const name = files.length === 1 ? files[0]!.name : files.map((f) => f.name).join('+');
  return assemble(name, raw, names, policy, readNote, suspect);
}

/** The dataset of read splits: encoded as `loadDataset` encodes, with its report and what reading did in words. */
function assemble(name: string, raw: Record<SplitName, SplitIds>, names: { entities: NameTable; relations: NameTable }, policy: UnseenPolicy,
  readNote: string | undefined, suspect: SuspectHeader | undefined): BytesDataset {
  const { entities, relations, encoded, overlap } = encodeSplits(raw, names, policy);
  const perSplit = <T>(pick: (split: SplitName) => T): Record<SplitName, T> => ({ train: pick('train'), valid: pick('valid'), test: pick('test') });
  const report: LoadReport = {
    files: perSplit((split) => raw[split].file), lines: perSplit((split) => raw[split].lines.length), comments: perSplit((split) => raw[split].comments), headers: skippedHeaders(raw), duplicates: perSplit((split) => encoded[split].duplicates),
    unseen: { valid: encoded.valid.unseen, test: encoded.test.unseen }, unseenPolicy: policy, overlap, manifest: { verified: false, skipped: true },
  };
  // one file: what reading and splitting it did; three: the load report's lines of the splits and their overlap (its
  // others name command-line flags), and the triples kept with names not in train
  const readNotes = readNote
    ? [readNote]
    : [
        ...readReportLines(report).filter((line) => /^(?:train|valid|test): [\d,]+ triples? read /.test(line) || line.startsWith('overlap: ')),
        ...(['valid', 'test'] as const).filter((split) => report.unseen[split] > 0).map((split) => unseenNote(split, report.unseen[split])),
      ];
  if (suspect) readNotes.push(suspectHeaderNote(raw.train.file, suspect));
  return { name, dir: '', entities, relations, train: encoded.train.triples, valid: encoded.valid.triples, test: encoded.test.triples, report, readNotes };
}

/**
 * One triple held in memory: [head, relation, tail]. Typed as any list of names, so that a plain literal or a line's
 * `split('\t')` is taken as it is; that it holds three names is checked when it is read.
 */
export type GivenTriple = readonly string[];
/** Triples held in memory: one list (split 80/10/10 as one file is), or the three splits (valid and test may be left out). */
export type InMemoryTriples = readonly GivenTriple[] | { train: readonly GivenTriple[]; valid?: readonly GivenTriple[]; test?: readonly GivenTriple[] };

/** A tab or line break in a name: the files kgdistill writes (splits, exports) hold one name per line and field. */
const TAB_OR_LINE_BREAK = /[\t\n\r]/;

/** One list of triples as local ids (line = 1-based position in the list), each checked to be three names. */
function tripleIdsOf(what: string, triples: readonly GivenTriple[], names: { entities: NameTable; relations: NameTable }): TripleIds {
  if (!Array.isArray(triples)) throw new TypeError(`${what} must be an array of [head, relation, tail] triples (got ${typeof triples})`);
  const ids = new Int32Array(3 * triples.length), lines = new Int32Array(triples.length);
  triples.forEach((triple, i) => {
    if (!Array.isArray(triple) || triple.length !== 3 || !triple.every((name) => typeof name === 'string' && name.trim() !== '' && !TAB_OR_LINE_BREAK.test(name))) {
      throw new KgInputError(what, i + 1, `triple ${i + 1} must be three non-empty names without a tab or line break, [head, relation, tail] (got ${JSON.stringify(triple)})`);
    }
    const control = triple.map((name, field) => controlCharacterReason(field === 1 ? 'relation' : 'entity', name!)).find((reason) => reason !== undefined);
    if (control !== undefined) throw new KgInputError(what, i + 1, `triple ${i + 1}: ${control}`);
    const long = triple.findIndex((name) => name.length > MAX_NAME_LENGTH);
    if (long >= 0) {
      const role = (['head', 'relation', 'tail'] as const)[long]!;
      throw new KgInputError(what, i + 1, `the ${role} of triple ${i + 1} is ${longNameWords(role, triple[long]!.length)}`);
    }
    ids[3 * i] = names.entities.id(triple[0]!);
    ids[3 * i + 1] = names.relations.id(triple[1]!);
    ids[3 * i + 2] = names.entities.id(triple[2]!);
    lines[i] = i + 1;
  });
  return { triples: ids, lines, comments: 0 };
}

/**
 * The dataset of triples held in memory, as datasetFromBytes makes it of files with these triples (the same split of
 * one list by `seed`, the same encoding and unseen rules; errors name `train`, `valid`, `test` or `triples` and the
 * triple's 1-based position); `name` names the dataset (default `triples`).
 */
export function datasetFromTriples(given: InMemoryTriples, seed = 0, name = 'triples'): BytesDataset {
  const names = { entities: new NameTable(), relations: new NameTable() };
  if (Array.isArray(given)) {
    const ids = tripleIdsOf('triples', given as readonly GivenTriple[], names);
    if (ids.lines.length === 0) throw new KgInputError('triples', undefined, 'no triples');
    if (ids.lines.length > MAX_TRIPLES) throw new KgInputError('triples', undefined, `${ids.lines.length} triples are more than a page trains (${MAX_TRIPLES})`);
    const { splits, note } = splitOne('triples', ids, names, seed);
    return assemble(name, splits, names, 'drop', note, undefined);
  }
  const splits = given as Exclude<InMemoryTriples, readonly GivenTriple[]>;
  if (typeof splits !== 'object' || splits === null || !('train' in splits)) throw new TypeError('give an array of [head, relation, tail] triples, or { train, valid?, test? }');
  const raw = {} as Record<SplitName, SplitIds>;
  for (const split of SPLIT_NAMES) raw[split] = { ...tripleIdsOf(split, splits[split] ?? [], names), file: split };
  if (raw.train.lines.length === 0) throw new KgInputError('train', undefined, 'the train split has no triples');
  const triples = SPLIT_NAMES.reduce((sum, split) => sum + raw[split].lines.length, 0);
  if (triples > MAX_TRIPLES) throw new KgInputError(name, undefined, `${triples} triples together are more than a page trains (${MAX_TRIPLES})`);
  return assemble(name, raw, names, 'keep', undefined, undefined);
}
