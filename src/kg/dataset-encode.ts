/**
 * From the local-id triples of the three split files to a dataset's vocabularies and id triples: vocabularies from
 * train (with `unseen: 'keep'`, from every split) with ids in sorted-name order, the unseen policy applied to
 * valid/test (drop and count, keep, or an error naming the file and line), duplicates within a split kept once and
 * counted, triples shared between splits counted. Shared by `loadDataset` (files on disk) and the explorer's
 * in-page training (files dropped in a page).
 */
import type { SplitName, Triples, UnseenPolicy } from './types.js';
import { Vocabulary } from './vocabulary.js';
import { KgInputError } from './errors.js';
import { countSharedTriples, dedupeTriples } from './triple-set.js';
import type { NameTable, TripleIds } from './triple-reader.js';
import type { SkippedHeader } from './tab-triples.js';

const SPLITS: readonly SplitName[] = ['train', 'valid', 'test'];

/** The split's local-id triples of a file, read into the dataset's shared name tables. */
export interface SplitIds extends TripleIds {
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

/** The vocabulary of the names of `table` flagged in `keep` (all when undefined), and each local id's vocabulary id (−1: left out). */
function vocabularyOf(table: NameTable, keep: Uint8Array | undefined): { vocabulary: Vocabulary; ids: Int32Array } {
  const vocabulary = Vocabulary.fromUniqueNames(keep ? table.names.filter((_, i) => keep[i]) : [...table.names]);
  const ids = new Int32Array(table.names.length).fill(-1);
  const names = vocabulary.names;
  for (let id = 0; id < names.length; id++) ids[table.id(names[id]!)] = id; // the table finds each name by its bytes
  return { vocabulary, ids };
}

/** One split's id triples and what encoding dropped from it. */
export interface EncodedSplit {
  triples: Triples;
  duplicates: number;
  unseen: number;
}

/** Converts a split's local ids to vocabulary ids, applying the unseen policy and removing duplicates. */
function encodeSplit(split: SplitIds, names: { entities: NameTable; relations: NameTable }, ids: { entities: Int32Array; relations: Int32Array },
  unseenCheck: { policy: UnseenPolicy; inTrain: { entities: Uint8Array; relations: Uint8Array } } | undefined): EncodedSplit {
  const raw = split.triples;
  const out = new Int32Array(raw.length);
  let count = 0;
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
    out[3 * count] = ids.entities[lh]!;
    out[3 * count + 1] = ids.relations[lr]!;
    out[3 * count + 2] = ids.entities[lt]!;
    count++;
  }
  const kept = dedupeTriples(out, count);
  return { triples: kept * 3 === out.length ? out : out.slice(0, kept * 3), duplicates: count - kept, unseen };
}

/** What encoding the splits gives: the vocabularies and, per split, the id triples with their counts. */
export interface EncodedSplits {
  entities: Vocabulary;
  relations: Vocabulary;
  encoded: Record<SplitName, EncodedSplit>;
  overlap: SplitOverlap;
}

/** Triples found in two splits (after the unseen policy and de-duplication): evaluation would rank facts the model trained on. */
export interface SplitOverlap {
  validInTrain: number;
  testInTrain: number;
  testInValid: number;
}

/** Builds the vocabularies of the splits' names and encodes every split (see the file's comment). */
export function encodeSplits(raw: Record<SplitName, SplitIds>, names: { entities: NameTable; relations: NameTable }, policy: UnseenPolicy): EncodedSplits {
  // Vocabularies: the names of train, or (keep) of every split; ids in sorted-name order, whatever the files' order.
  const inTrain = trainNames(raw.train.triples, names.entities.names.length, names.relations.names.length);
  const keepAll = policy === 'keep';
  const entities = vocabularyOf(names.entities, keepAll ? undefined : inTrain.entities);
  const relations = vocabularyOf(names.relations, keepAll ? undefined : inTrain.relations);
  const ids = { entities: entities.ids, relations: relations.ids };

  const unseenCheck = { policy, inTrain };
  const encoded = {} as Record<SplitName, EncodedSplit>;
  for (const split of SPLITS) {
    encoded[split] = encodeSplit(raw[split], names, ids, split === 'train' ? undefined : unseenCheck);
  }
  const overlap: SplitOverlap = {
    validInTrain: countSharedTriples(encoded.valid.triples, encoded.train.triples),
    testInTrain: countSharedTriples(encoded.test.triples, encoded.train.triples),
    testInValid: countSharedTriples(encoded.test.triples, encoded.valid.triples),
  };
  return { entities: entities.vocabulary, relations: relations.vocabulary, encoded, overlap };
}

/** The line each split skipped as a header, by split (splits without one left out). */
export function skippedHeaders(raw: Record<SplitName, SplitIds>): Partial<Record<SplitName, SkippedHeader>> {
  return Object.fromEntries(Object.entries(raw).flatMap(([split, ids]) => (ids.header ? [[split, ids.header]] : [])));
}
