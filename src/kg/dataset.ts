/**
 * Loading a knowledge-graph dataset (train/valid/test triple files) into id triples with vocabularies.
 *
 * Vocabularies are built from train; with `unseen: 'keep'` also from valid and test. Valid/test triples whose
 * entity or relation does not occur in train are dropped and counted (`'drop'`, the benchmark convention), kept
 * (`'keep'`) or rejected with the file and line of the first one (`'error'`). Duplicate triples within a split are
 * kept once and counted. Every count is in the {@link LoadReport}: nothing is dropped silently.
 */
import path from 'node:path';
import type { SplitName, Triples, UnseenPolicy } from './types.js';
import { Vocabulary } from './vocabulary.js';
import { KgInputError } from './errors.js';
import { readTripleFile, type RawTriple, type ReadTripleOptions } from './triple-reader.js';
import { requireSplitFiles, SPLIT_NAMES } from './resolve-dataset.js';
import { resolveDataset } from './fetch-dataset.js';
import { verifyManifest } from './manifest.js';
import { loadEntityNames } from './entity-names.js';

/** Options of {@link loadDataset}: triple-file format, unseen policy (default `'drop'`), checksum verification (default on). */
export interface LoadOptions extends ReadTripleOptions {
  unseen?: UnseenPolicy;
  verify?: boolean;
  /** Directory names are resolved against (default: `process.cwd()`). */
  cwd?: string;
  /** Fetch a known benchmark (FB15k-237, WN18RR) found nowhere on this machine into the cache (default true). */
  download?: boolean;
}

/** What loading did: files, lines read, duplicates and unseen triples per split, the policy and checksum status. */
export interface LoadReport {
  files: Record<SplitName, string>;
  /** Triple lines read per split (comments, blank lines and a header excluded). */
  lines: Record<SplitName, number>;
  /** Repeated triples per split, kept once. */
  duplicates: Record<SplitName, number>;
  /** Valid/test lines whose entity or relation is not in train (dropped, kept or rejected per `unseenPolicy`). */
  unseen: Record<'valid' | 'test', number>;
  unseenPolicy: UnseenPolicy;
  /** Checksum status; `skipped` when verification was turned off (`verify: false`). */
  manifest: { verified: boolean; cached: boolean; skipped?: boolean };
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

/** Adds the entities and relations of raw triples to name sets. */
function collectNames(raw: readonly RawTriple[], entities: Set<string>, relations: Set<string>): void {
  for (const { head, relation, tail } of raw) {
    entities.add(head);
    entities.add(tail);
    relations.add(relation);
  }
}

/** First name of a raw triple missing from train, described for an error message, or undefined. */
function unseenPart(triple: RawTriple, trainEntities: Set<string>, trainRelations: Set<string>): string | undefined {
  if (!trainEntities.has(triple.head)) return `head entity "${triple.head}"`;
  if (!trainRelations.has(triple.relation)) return `relation "${triple.relation}"`;
  if (!trainEntities.has(triple.tail)) return `tail entity "${triple.tail}"`;
  return undefined;
}

/** Key identifying an id triple for duplicate detection: an exact number when it fits, else a string. */
function tripleKeyFunction(numEntities: number, numRelations: number): (h: number, r: number, t: number) => number | string {
  if (numEntities * numEntities * numRelations < Number.MAX_SAFE_INTEGER) {
    return (h, r, t) => (h * numRelations + r) * numEntities + t;
  }
  return (h, r, t) => `${h},${r},${t}`;
}

interface EncodedSplit {
  triples: Triples;
  duplicates: number;
  unseen: number;
}

/** Converts raw triples of one split to ids, applying the unseen policy and removing duplicates. */
function encodeSplit(
  raw: readonly RawTriple[],
  file: string,
  entities: Vocabulary,
  relations: Vocabulary,
  unseenCheck: { policy: UnseenPolicy; trainEntities: Set<string>; trainRelations: Set<string> } | undefined,
): EncodedSplit {
  const out = new Int32Array(raw.length * 3);
  const seen = new Set<number | string>();
  const key = tripleKeyFunction(entities.size, relations.size);
  let count = 0;
  let duplicates = 0;
  let unseen = 0;
  for (const triple of raw) {
    if (unseenCheck) {
      const missing = unseenPart(triple, unseenCheck.trainEntities, unseenCheck.trainRelations);
      if (missing !== undefined) {
        unseen++;
        if (unseenCheck.policy === 'error') {
          throw new KgInputError(file, triple.line, `${missing} does not occur in train (--unseen error; use drop or keep)`);
        }
        if (unseenCheck.policy === 'drop') continue;
      }
    }
    const h = entities.id(triple.head)!;
    const r = relations.id(triple.relation)!;
    const t = entities.id(triple.tail)!;
    const k = key(h, r, t);
    if (seen.has(k)) {
      duplicates++;
      continue;
    }
    seen.add(k);
    out[3 * count] = h;
    out[3 * count + 1] = r;
    out[3 * count + 2] = t;
    count++;
  }
  return { triples: count * 3 === out.length ? out : out.slice(0, count * 3), duplicates, unseen };
}

/**
 * Loads a dataset by name or directory (see `resolveDatasetDir`; a known benchmark found nowhere is fetched
 * first, see `resolveDataset`), verifying `SHA256SUMS` when present.
 * Throws {@link KgInputError} on any bad input (file, line, reason), `DatasetFetchError` when a fetch fails.
 */
export async function loadDataset(spec: string, options: LoadOptions = {}): Promise<KgDataset> {
  const policy: UnseenPolicy = options.unseen ?? 'drop';
  const resolveOptions: { cwd?: string; download?: boolean } = {};
  if (options.cwd !== undefined) resolveOptions.cwd = options.cwd;
  if (options.download !== undefined) resolveOptions.download = options.download;
  const { name, dir } = await resolveDataset(spec, resolveOptions);
  const files = requireSplitFiles(dir);
  const readOptions: ReadTripleOptions = {};
  if (options.delimiter !== undefined) readOptions.delimiter = options.delimiter;
  if (options.columns !== undefined) readOptions.columns = options.columns;
  if (options.header !== undefined) readOptions.header = options.header;
  if (options.encoding !== undefined) readOptions.encoding = options.encoding;

  const verify = options.verify ?? true;
  // read concurrently, but report a failure deterministically: the first in this order (manifest, train, valid, …)
  const outcomes = await Promise.allSettled([
    verify ? verifyManifest(dir) : Promise.resolve({ verified: false, cached: false, skipped: true }),
    readTripleFile(files.train, readOptions),
    readTripleFile(files.valid, readOptions),
    readTripleFile(files.test, readOptions),
    loadEntityNames(dir),
  ] as const);
  for (const outcome of outcomes) if (outcome.status === 'rejected') throw outcome.reason;
  const [manifest, train, valid, test, entityNames] = outcomes.map((o) => (o as PromiseFulfilledResult<unknown>).value) as [
    Awaited<ReturnType<typeof verifyManifest>>, RawTriple[], RawTriple[], RawTriple[], Awaited<ReturnType<typeof loadEntityNames>>];
  const raw: Record<SplitName, RawTriple[]> = { train, valid, test };

  const trainEntities = new Set<string>();
  const trainRelations = new Set<string>();
  collectNames(train, trainEntities, trainRelations);
  let entityNamesForVocab = trainEntities;
  let relationNamesForVocab = trainRelations;
  if (policy === 'keep') {
    entityNamesForVocab = new Set(trainEntities);
    relationNamesForVocab = new Set(trainRelations);
    collectNames(valid, entityNamesForVocab, relationNamesForVocab);
    collectNames(test, entityNamesForVocab, relationNamesForVocab);
  }
  const entities = Vocabulary.fromNames(entityNamesForVocab);
  const relations = Vocabulary.fromNames(relationNamesForVocab);

  const unseenCheck = { policy, trainEntities, trainRelations };
  const encoded = {} as Record<SplitName, EncodedSplit>;
  for (const split of SPLIT_NAMES) {
    encoded[split] = encodeSplit(raw[split], files[split], entities, relations, split === 'train' ? undefined : unseenCheck);
  }

  const perSplit = <T>(pick: (split: SplitName) => T): Record<SplitName, T> =>
    ({ train: pick('train'), valid: pick('valid'), test: pick('test') });
  const report: LoadReport = {
    files,
    lines: perSplit((split) => raw[split].length),
    duplicates: perSplit((split) => encoded[split].duplicates),
    unseen: { valid: encoded.valid.unseen, test: encoded.test.unseen },
    unseenPolicy: policy,
    manifest,
  };
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

/** Formats an integer with thousands separators (14,541). */
function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** Human-readable lines describing a load report, e.g. "test: 210 triples with entities unseen in train dropped (--unseen drop)". */
export function formatLoadReport(report: LoadReport): string[] {
  const lines: string[] = [];
  for (const split of SPLIT_NAMES) {
    const duplicates = report.duplicates[split];
    lines.push(
      `${split}: ${count(report.lines[split])} triples read from ${report.files[split]}, ` +
        `${count(duplicates)} duplicate${duplicates === 1 ? '' : 's'}${duplicates > 0 ? ' (kept once)' : ''}`,
    );
  }
  const verb = { drop: 'dropped', keep: 'kept', error: 'rejected' }[report.unseenPolicy];
  for (const split of ['valid', 'test'] as const) {
    const unseen = report.unseen[split];
    lines.push(
      `${split}: ${count(unseen)} triple${unseen === 1 ? '' : 's'} with entities or relations unseen in train ${verb} (--unseen ${report.unseenPolicy})`,
    );
  }
  const { verified, cached, skipped } = report.manifest;
  const dir = path.dirname(report.files.train);
  if (skipped) lines.push('checksums: not verified (--no-verify)');
  else if (verified) lines.push(`checksums: all files match ${path.join(dir, 'SHA256SUMS')}${cached ? ' (cached)' : ''}`);
  else lines.push(`checksums: not verified (no SHA256SUMS in ${dir})`);
  return lines;
}
