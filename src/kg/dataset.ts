/**
 * Loading a knowledge-graph dataset (train/valid/test triple files) into id triples with vocabularies.
 *
 * Vocabularies are built from train; with `unseen: 'keep'` (the default, as on every command: the papers' protocol,
 * e.g. KGEmb's) also from valid and test. Valid/test triples whose entity or relation does not occur in train are
 * kept, dropped and counted (`'drop'`), or rejected with the file and line of the first one (`'error'`). Duplicate
 * triples within a split are kept once and counted, as are triples found in two splits. Every count is in the
 * {@link LoadReport}: nothing is dropped silently.
 */
import { checkLoadOptions } from './load-options.js';
import { EntityLimitError, type LimitContext } from './errors.js';
import path from 'node:path';
import { statSync } from 'node:fs';
import type { SplitName, Triples, UnseenPolicy } from './types.js';
import type { Vocabulary } from './vocabulary.js';
import { NameTable, hasTriple, readTripleIds, type ReadTripleOptions } from './triple-reader.js';
import type { SkippedHeader } from './tab-triples.js';
import { encodeSplits, skippedHeaders, type SplitIds } from './dataset-encode.js';
import { requireSplitFiles, SPLIT_NAMES } from './resolve-dataset.js';
import { resolveDataset, type ResolveOptions } from './fetch-dataset.js';
import { verifyManifest } from './manifest.js';
import { loadEntityNames } from './entity-names.js';
import { suspectHeader } from './header-suspect.js';
import { readReportLines, type LoadReport } from './load-report.js';

export { hasSharedTriples, overlapLine, sharedTriplesText, type LoadReport } from './load-report.js';
export { EntityLimitError } from './errors.js';

/** Options of {@link loadDataset}: triple-file format, unseen policy (default `'keep'`, as the commands'), checksum verification (default on). */
export interface LoadOptions extends Omit<ReadTripleOptions, 'flagHints' | 'headerlessOrder'> {
  unseen?: UnseenPolicy;
  verify?: boolean;
  /** Directory names are resolved against (default: `process.cwd()`). */
  cwd?: string;
  /** Fetch a known benchmark (FB15k-237, WN18RR) found nowhere on this machine into the cache (default true). */
  download?: boolean;
  /** Called as the split files are read: bytes read so far of all three, and their total size. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Where the lines of a download go (what is fetched, from where, verified; default stderr). */
  log?: (line: string) => void;
  /** Aborts a download of the dataset (Ctrl-C): it stops, nothing is kept, and a FetchInterruptedError is thrown. */
  signal?: AbortSignal;
  /**
   * The most entities the dataset may name: reading stops with an EntityLimitError (file, line, counts, split) at the
   * first line past it, before the rest is read. With `unseen: 'keep'` every split is bounded (what valid and test
   * add is part of the vocabulary); otherwise train alone, since the names valid and test add are dropped or
   * refused. Default: none.
   */
  maxEntities?: number;
  /**
   * A lower bound once the valid split has a triple (a caller whose run validates sizes that scoring by the entities):
   * valid's first triple is looked for before train is read, and when there is one it bounds train (unless `unseen:
   * 'drop'`, which may drop every valid triple), and under `keep` valid from its first triple and test. Its crossings
   * are EntityLimitErrors as `maxEntities`'s, with `withValid` set. Default: none.
   */
  maxEntitiesWithValid?: number;
}

/** A loaded dataset: vocabularies, id triples per split, the load report and optional entity names. */
export interface KgDataset {
  name: string;
  dir: string;
  entities: Vocabulary;
  relations: Vocabulary;
  train: Triples;
  valid: Triples;
  test: Triples;
  report: LoadReport;
  entityNames?: Map<string, string>;
}

/**
 * Loads a dataset by name or directory (see `resolveDatasetDir`; a known benchmark found nowhere is fetched
 * first, see `resolveDataset`), verifying `SHA256SUMS` when present.
 * Throws {@link KgInputError} on any bad input (file, line, reason), `DatasetFetchError` when a fetch fails.
 */
export async function loadDataset(spec: string, options: LoadOptions = {}): Promise<KgDataset> {
  checkLoadOptions(options);
  const policy: UnseenPolicy = options.unseen ?? 'keep';
  const resolveOptions: ResolveOptions = {};
  if (options.cwd !== undefined) resolveOptions.cwd = options.cwd;
  if (options.download !== undefined) resolveOptions.download = options.download;
  if (options.log !== undefined || options.signal !== undefined) {
    resolveOptions.fetch = { ...(options.log ? { log: options.log } : {}), ...(options.signal ? { signal: options.signal } : {}) };
  }
  const { name, dir } = await resolveDataset(spec, resolveOptions);
  const files = requireSplitFiles(dir);
  const readOptions: ReadTripleOptions = {};
  if (options.delimiter !== undefined) readOptions.delimiter = options.delimiter;
  if (options.columns !== undefined) readOptions.columns = options.columns;
  if (options.header !== undefined) readOptions.header = options.header;
  if (options.encoding !== undefined) readOptions.encoding = options.encoding;
  const onProgress = options.onProgress;
  if (onProgress) {
    const total = SPLIT_NAMES.reduce((sum, split) => sum + statSync(files[split]).size, 0);
    let done = 0;
    readOptions.onBytes = (bytes) => onProgress((done += bytes), total);
  }

  const verify = options.verify ?? true;
  const names = { entities: new NameTable(), relations: new NameTable() };
  // does the valid split have a triple? Then the run validates, and maxEntitiesWithValid bounds every split that adds
  // to the vocabulary, train included, unless (drop) valid's triples may all be dropped as unseen
  const probeValid = options.maxEntitiesWithValid !== undefined && policy !== 'drop';
  const { onBytes: _counted, ...probeOptions } = readOptions; // the progress counts valid's bytes when valid is read
  const validFirst = probeValid ? hasTriple(files.valid, probeOptions) : Promise.resolve(undefined);
  const read = (split: SplitName, bounds: EntityBounds, withValid: boolean, train?: SplitIds & { trainEntities: number }): Promise<SplitIds> => {
    const headerlessOrder = options.columns === undefined ? train?.headerOrder : undefined;
    const bound = entityBoundOf(bounds, withValid);
    const context: LimitContext = { split, withValid, ...(bound ? { option: bound.option } : {}), ...(train ? { trainEntities: train.trainEntities } : {}) };
    return readTripleIds(files[split], headerlessOrder ? { ...readOptions, headerlessOrder } : readOptions, names.entities, names.relations, bound?.limit)
      .then((ids) => ({ ...ids, file: files[split] }), (error: unknown) => { throw error instanceof EntityLimitError ? error.inContext(context) : error; });
  };
  // valid after train, test after valid: a header line in train alone names the columns of all three (their own
  // header, if any, still names theirs), and the names valid and test add come in one order, so a bound is passed at
  // the same line on every run; under drop and error valid and test add no names, and are not bounded
  const later: EntityBounds = policy === 'keep' ? options : {};
  const trainRead = validFirst.then((hasValid) => read('train', options, hasValid === true)).then((train) => ({ ...train, trainEntities: names.entities.names.length }));
  const validRead = trainRead.then((train) => read('valid', later, true, train)); // a crossing in valid is at one of its own triples
  const testRead = validRead.then((valid) => trainRead.then((train) => read('test', later, valid.lines.length > 0, train)));
  // the manifest and names beside them, but a failure is reported deterministically: the first in this order
  // (manifest, train, valid, …)
  const outcomes = await Promise.allSettled([
    verify ? verifyManifest(dir) : Promise.resolve({ verified: false, skipped: true }),
    trainRead,
    validRead,
    testRead,
    loadEntityNames(dir, options.encoding),
  ] as const);
  for (const outcome of outcomes) if (outcome.status === 'rejected') throw outcome.reason;
  const [manifest, train, valid, test, entityNames] = outcomes.map((o) => (o as PromiseFulfilledResult<unknown>).value) as [
    Awaited<ReturnType<typeof verifyManifest>>, SplitIds, SplitIds, SplitIds, Awaited<ReturnType<typeof loadEntityNames>>];
  const raw: Record<SplitName, SplitIds> = { train, valid, test };

  // before encoding: a header read as a triple is still train's first (encoding may drop valid/test lines)
  const suspect = (options.header ?? 'auto') === 'auto' && train.headerOrder === undefined ? suspectHeader([train, valid, test], train, names) : undefined;
  const { entities, relations, encoded, overlap } = encodeSplits(raw, names, policy);

  const perSplit = <T>(pick: (split: SplitName) => T): Record<SplitName, T> =>
    ({ train: pick('train'), valid: pick('valid'), test: pick('test') });
  const report: LoadReport = {
    files,
    lines: perSplit((split) => raw[split].lines.length),
    comments: perSplit((split) => raw[split].comments),
    headers: Object.fromEntries(Object.entries(skippedHeaders(raw)).map(([split, { line, text }]) => [split, { line, text }])),
    duplicates: perSplit((split) => encoded[split].duplicates),
    unseen: { valid: encoded.valid.unseen, test: encoded.test.unseen },
    unseenPolicy: policy,
    overlap,
    manifest,
    ...(suspect ? { suspectHeader: suspect } : {}),
  };
  const headerTriples = headersLikeTriples(raw, names);
  if (Object.keys(headerTriples).length > 0) report.headerTriples = headerTriples;
  const dataset: KgDataset = {
    name,
    dir,
    entities,
    relations,
    train: encoded.train.triples,
    valid: encoded.valid.triples,
    test: encoded.test.triples,
    report,
  };
  if (entityNames) dataset.entityNames = entityNames;
  return dataset;
}

/** The entity bounds of LoadOptions. */
type EntityBounds = Pick<LoadOptions, 'maxEntities' | 'maxEntitiesWithValid'>;

/** The most entities a split's reading allows, and the option it is: maxEntities, and once the valid split has a triple the lower of the two. */
function entityBoundOf(bounds: EntityBounds, withValid: boolean): { limit: number; option: keyof EntityBounds } | undefined {
  const { maxEntities, maxEntitiesWithValid } = bounds;
  if (withValid && maxEntitiesWithValid !== undefined && (maxEntities === undefined || maxEntitiesWithValid < maxEntities)) return { limit: maxEntitiesWithValid, option: 'maxEntitiesWithValid' };
  return maxEntities === undefined ? undefined : { limit: maxEntities, option: 'maxEntities' };
}

/**
 * The valid/test lines `--header yes` skipped that are no recognised header and share a name with the triples read
 * (the reverse of header-suspect.ts's tell: a header's names occur nowhere else).
 */
function headersLikeTriples(raw: Record<SplitName, SplitIds>, names: { entities: NameTable; relations: NameTable }): Partial<Record<'valid' | 'test', SkippedHeader>> {
  const found: Partial<Record<'valid' | 'test', SkippedHeader>> = {};
  for (const split of ['valid', 'test'] as const) {
    const header = raw[split].header;
    if (!header?.declared) continue;
    const [head, relation, tail] = header.declared;
    const entities = names.entities.names;
    if (entities.includes(head) || entities.includes(tail) || names.relations.names.includes(relation)) found[split] = { line: header.line, text: header.text };
  }
  return found;
}

/** The error for a split with no triples, naming its file, and why that matters to the caller (`why`, if given). */
export function emptySplitError(dataset: KgDataset, split: SplitName, why?: string): Error {
  return new Error(`${dataset.report.files[split]}: the ${split} split has no triples${why ? `: ${why}` : ''}`);
}

/** Human-readable lines describing a load report, e.g. "test: 210 triples with entities or relations unseen in train dropped (--unseen drop)". */
export function formatLoadReport(report: LoadReport): string[] {
  const lines = readReportLines(report);
  const { verified, skipped, listed } = report.manifest;
  const dir = path.dirname(report.files.train);
  // a split file the manifest does not list was not verified: "all files match" would vouch for it
  const unlisted = listed === undefined ? [] : SPLIT_NAMES.map((split) => report.files[split]).filter((file) => file !== undefined && !listed.includes(path.resolve(file)));
  if (skipped) lines.push('checksums: not verified (--no-verify)');
  else if (verified && unlisted.length > 0) lines.push(`checksums: the files listed in ${path.join(dir, 'SHA256SUMS')} match; not listed there, so not verified: ${unlisted.map((file) => path.basename(file)).join(', ')}`);
  else if (verified) lines.push(`checksums: all files match ${path.join(dir, 'SHA256SUMS')}`);
  else lines.push(`checksums: not verified (no SHA256SUMS in ${dir})`);
  return lines;
}
