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
import { TripleSet } from './triple-set.js';
import { NameTable, readTripleIds, type ReadTripleOptions, type TripleIds } from './triple-reader.js';
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

/** The split's local-id triples of a file, read into the dataset's shared name tables. */
interface SplitIds extends TripleIds {
  file: string;
}

/** Which local names occur in train (names of valid/test only, when any, stay false). */
function trainNames(train: Int32Array, entityCount: number, relationCount: number): { entities: Uint8Array; relations: Uint8Array } {
  const entities = new Uint8Array(entityCount);
  const relations = new Uint8Array(relationCount);
  for (let i = 0; i < train.length; i += 3) {
    entities[train[i]!] = 1;
    relations[train[i + 1]!] = 1;
    entities[train[i + 2]!] = 1;
  }
  return { entities, relations };
}

/** Maps local ids to vocabulary ids (−1 for names the vocabulary left out). */
function remap(table: NameTable, vocabulary: Vocabulary): Int32Array {
  return Int32Array.from(table.names, (name) => vocabulary.id(name) ?? -1);
}

interface EncodedSplit {
  triples: Triples;
  duplicates: number;
  unseen: number;
}

/** Converts a split's local ids to vocabulary ids, applying the unseen policy and removing duplicates. */
function encodeSplit(split: SplitIds, names: { entities: NameTable; relations: NameTable }, ids: { entities: Int32Array; relations: Int32Array },
  unseenCheck: { policy: UnseenPolicy; inTrain: { entities: Uint8Array; relations: Uint8Array } } | undefined): EncodedSplit {
  const raw = split.triples;
  const out = new Int32Array(raw.length);
  const seen = new TripleSet(raw.length / 3);
  let count = 0;
  let duplicates = 0;
  let unseen = 0;
  for (let i = 0, k = 0; i < raw.length; i += 3, k++) {
    const lh = raw[i]!, lr = raw[i + 1]!, lt = raw[i + 2]!;
    if (unseenCheck) {
      const train = unseenCheck.inTrain;
      const missing = !train.entities[lh] ? `head entity "${names.entities.names[lh]}"` : !train.relations[lr] ? `relation "${names.relations.names[lr]}"`
        : !train.entities[lt] ? `tail entity "${names.entities.names[lt]}"` : undefined;
      if (missing !== undefined) {
        unseen++;
        if (unseenCheck.policy === 'error') throw new KgInputError(split.file, split.lines[k], `${missing} does not occur in train (--unseen error; use drop or keep)`);
        if (unseenCheck.policy === 'drop') continue;
      }
    }
    const h = ids.entities[lh]!, r = ids.relations[lr]!, t = ids.entities[lt]!;
    if (!seen.add(h, r, t)) {
      duplicates++;
      continue;
    }
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
  const names = { entities: new NameTable(), relations: new NameTable() };
  const read = (split: SplitName): Promise<SplitIds> => readTripleIds(files[split], readOptions, names.entities, names.relations).then((ids) => ({ ...ids, file: files[split] }));
  // read concurrently, but report a failure deterministically: the first in this order (manifest, train, valid, …)
  const outcomes = await Promise.allSettled([
    verify ? verifyManifest(dir) : Promise.resolve({ verified: false, cached: false, skipped: true }),
    read('train'),
    read('valid'),
    read('test'),
    loadEntityNames(dir),
  ] as const);
  for (const outcome of outcomes) if (outcome.status === 'rejected') throw outcome.reason;
  const [manifest, train, valid, test, entityNames] = outcomes.map((o) => (o as PromiseFulfilledResult<unknown>).value) as [
    Awaited<ReturnType<typeof verifyManifest>>, SplitIds, SplitIds, SplitIds, Awaited<ReturnType<typeof loadEntityNames>>];
  const raw: Record<SplitName, SplitIds> = { train, valid, test };

  // Vocabularies: the names of train, or (keep) of every split; ids in sorted-name order, whatever the files' order.
  const inTrain = trainNames(train.triples, names.entities.names.length, names.relations.names.length);
  const keepAll = policy === 'keep';
  const entities = Vocabulary.fromNames(names.entities.names.filter((_, i) => keepAll || inTrain.entities[i]));
  const relations = Vocabulary.fromNames(names.relations.names.filter((_, i) => keepAll || inTrain.relations[i]));
  const ids = { entities: remap(names.entities, entities), relations: remap(names.relations, relations) };

  const unseenCheck = { policy, inTrain };
  const encoded = {} as Record<SplitName, EncodedSplit>;
  for (const split of SPLIT_NAMES) {
    encoded[split] = encodeSplit(raw[split], names, ids, split === 'train' ? undefined : unseenCheck);
  }

  const perSplit = <T>(pick: (split: SplitName) => T): Record<SplitName, T> =>
    ({ train: pick('train'), valid: pick('valid'), test: pick('test') });
  const report: LoadReport = {
    files,
    lines: perSplit((split) => raw[split].lines.length),
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
