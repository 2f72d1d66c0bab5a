/** Turning a loaded dataset into what the trainer and evaluator need (filter index over all splits, names). */
import type { KgDataset } from '../kg/dataset.js';
import { FilterIndex } from '../kg/filter-index.js';
import { fingerprintCount, tripleFingerprint } from '../kg/triple-fingerprint.js';
import type { SplitName, Triples } from '../kg/types.js';
import type { TrainingData } from './trainer.js';

/** Training data plus the valid and test splits and the known-true filter over all three. */
export interface RunData extends TrainingData {
  valid: Triples;
  test: Triples;
  numEntities: number;
  numRelations: number;
  known: FilterIndex;
}

/** Builds the run data of a dataset: the known-true filter covers train + valid + test, as in the literature. */
export function runDataFromDataset(dataset: KgDataset): RunData {
  const numEntities = dataset.entities.size;
  const numRelations = dataset.relations.size;
  return {
    datasetName: dataset.name,
    datasetDir: dataset.dir,
    unseen: dataset.report.unseenPolicy,
    entityNames: dataset.entities.names,
    relationNames: dataset.relations.names,
    train: dataset.train,
    valid: dataset.valid,
    test: dataset.test,
    known: FilterIndex.build(numEntities, numRelations, [dataset.train, dataset.valid, dataset.test]),
    tripleFingerprints: { train: tripleFingerprint(dataset.train), valid: tripleFingerprint(dataset.valid), test: tripleFingerprint(dataset.test) },
    numEntities,
    numRelations,
  };
}

/** The first index at which two name lists differ (where the shorter one ends, when one extends the other), or −1 when they are the same list. */
export function firstDifference(a: readonly string[], b: readonly string[]): number {
  const at = a.findIndex((name, i) => name !== b[i]);
  if (at >= 0) return at;
  return a.length === b.length ? -1 : a.length;
}

/** Throws unless a checkpoint's vocabulary is exactly the dataset's (same names, same ids). */
export function requireSameVocabulary(source: string, saved: { entities: readonly string[]; relations: readonly string[] }, dataset: { entityNames: readonly string[]; relationNames: readonly string[] }): void {
  /** "the checkpoint's 300 entities differ from the dataset's 300 (id 0: 'x0' in the checkpoint, 'e0' in the dataset)". */
  const difference = (kind: string, a: readonly string[], b: readonly string[]): string | undefined => {
    const at = firstDifference(a, b);
    if (at < 0) return undefined;
    const name = (names: readonly string[]): string => (at < names.length ? `'${names[at]}'` : 'none');
    return `the checkpoint's ${a.length} ${kind} differ from the dataset's ${b.length} (id ${at}: ${name(a)} in the checkpoint, ${name(b)} in the dataset)`;
  };
  const entities = difference('entities', saved.entities, dataset.entityNames);
  if (entities) throw new Error(`${source}: ${entities}; another dataset, or another --unseen policy?`);
  const relations = difference('relations', saved.relations, dataset.relationNames);
  if (relations) throw new Error(`${source}: ${relations}`);
}

/**
 * Throws unless each split holds the triples a checkpoint recorded (by fingerprint; checkpoints of 2026-12-06 and
 * before record none, and are not checked): the files were changed since the run trained, so test triples may be
 * ones the model trained on. `files` names each split's file; `remedy` says what to do instead.
 */
export function requireSameTriples(source: string, saved: Record<SplitName, string> | undefined, data: Pick<RunData, 'tripleFingerprints'>, files: Record<SplitName, string>, remedy: string): void {
  if (!saved || !data.tripleFingerprints) return;
  for (const split of ['train', 'valid', 'test'] as const) {
    const then = saved[split], now = data.tripleFingerprints[split];
    if (then === now) continue;
    const counts = fingerprintCount(then) === fingerprintCount(now) ? `${fingerprintCount(now)} triples then and now, other ones or in another order` : `${fingerprintCount(then)} triples then, ${fingerprintCount(now)} now`;
    throw new Error(`${files[split]}: the ${split} triples differ from those ${source} was trained with (${counts}): the dataset changed since; ${remedy}`);
  }
}
