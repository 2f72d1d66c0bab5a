/**
 * From the local-id triples of the three split files to a dataset's vocabularies and id triples: vocabularies from
 * train (with `unseen: 'keep'`, from every split) with ids in sorted-name order, the unseen policy applied to
 * valid/test (drop and count, keep, or an error naming the file and line), duplicates within a split kept once and
 * counted. Shared by `loadDataset` (files on disk) and the explorer's in-page training (files dropped in a page).
 */
import type { SplitName, Triples, UnseenPolicy } from './types.js';
import { Vocabulary } from './vocabulary.js';
import { KgInputError } from './errors.js';
import { TripleSet } from './triple-set.js';
import type { NameTable, TripleIds } from './triple-reader.js';

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

/** Maps local ids to vocabulary ids (−1 for names the vocabulary left out). */
function remap(table: NameTable, vocabulary: Vocabulary): Int32Array {
  return Int32Array.from(table.names, (name) => vocabulary.id(name) ?? -1);
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

/** What encoding the splits gives: the vocabularies and, per split, the id triples with their counts. */
export interface EncodedSplits {
  entities: Vocabulary;
  relations: Vocabulary;
  encoded: Record<SplitName, EncodedSplit>;
}

/** Builds the vocabularies of the splits' names and encodes every split (see the file's comment). */
export function encodeSplits(raw: Record<SplitName, SplitIds>, names: { entities: NameTable; relations: NameTable }, policy: UnseenPolicy): EncodedSplits {
  // Vocabularies: the names of train, or (keep) of every split; ids in sorted-name order, whatever the files' order.
  const inTrain = trainNames(raw.train.triples, names.entities.names.length, names.relations.names.length);
  const keepAll = policy === 'keep';
  const entities = Vocabulary.fromNames(names.entities.names.filter((_, i) => keepAll || inTrain.entities[i]));
  const relations = Vocabulary.fromNames(names.relations.names.filter((_, i) => keepAll || inTrain.relations[i]));
  const ids = { entities: remap(names.entities, entities), relations: remap(names.relations, relations) };

  const unseenCheck = { policy, inTrain };
  const encoded = {} as Record<SplitName, EncodedSplit>;
  for (const split of SPLITS) {
    encoded[split] = encodeSplit(raw[split], names, ids, split === 'train' ? undefined : unseenCheck);
  }
  return { entities, relations, encoded };
}
