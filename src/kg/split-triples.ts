/**
 * Splitting one triple file into train/valid/test (PyKEEN's `TriplesFactory.split` with its cleanup): repeated
 * triples are kept once (a copy in train and one in test would test what was trained on), a seeded shuffle is cut by
 * the ratios, then every valid/test triple whose entity or relation does not occur in train yet is moved to train —
 * so that no valid/test triple has an unseen entity or relation — and the repeats and moves are counted.
 */
import seedrandom from 'seedrandom';

/** A triple of names. */
export type NamedTriple = readonly [head: string, relation: string, tail: string];

/** The three splits and what the cleanup moved. */
export interface TripleSplit {
  train: NamedTriple[];
  valid: NamedTriple[];
  test: NamedTriple[];
  /** Triples moved from valid (test) to train because an entity or relation was not in train. */
  moved: { valid: number; test: number };
  /** Triples left out because they repeat an earlier one (each triple is split once). */
  duplicates: number;
}

/** Options of {@link splitTriples}. */
export interface SplitOptions {
  /** Fractions of train, valid and test; positive and summing to 1 (default 0.8, 0.1, 0.1). */
  ratios?: readonly [number, number, number];
  /** Seed of the shuffle (default 0). */
  seed?: number;
}

/** What split ratios must be. */
export const RATIOS_RULE = 'three fractions ≥ 0 summing to 1, train > 0';

/** Whether `ratios` are split ratios: {@link RATIOS_RULE}. */
export function areSplitRatios(ratios: readonly number[]): boolean {
  return ratios.length === 3 && ratios.every((r) => r >= 0) && ratios[0]! > 0 && Math.abs(ratios[0]! + ratios[1]! + ratios[2]! - 1) <= 1e-9;
}

/** Splits triples into train/valid/test with a seeded shuffle (each distinct triple once), moving valid/test triples with unseen parts to train. */
export function splitTriples(given: readonly NamedTriple[], options: SplitOptions = {}): TripleSplit {
  const ratios = options.ratios ?? [0.8, 0.1, 0.1];
  if (!areSplitRatios(ratios)) throw new Error(`ratios must be ${RATIOS_RULE} (got ${ratios.join(',')})`);
  given.forEach((triple, i) => {
    if (!Array.isArray(triple) || triple.length !== 3 || !triple.every((field) => typeof field === 'string')) {
      throw new TypeError(`triples[${i}] must be three strings [head, relation, tail] (got ${JSON.stringify(triple)})`);
    }
  });
  const seen = new Set<string>();
  const triples = given.filter((triple) => {
    const key = JSON.stringify(triple);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const rng = seedrandom.alea(`split:${options.seed ?? 0}`);
  const order = triples.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) { // Fisher–Yates
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const nValid = Math.round(ratios[1] * triples.length);
  const nTest = Math.round(ratios[2] * triples.length);
  const nTrain = triples.length - nValid - nTest;
  const pick = (from: number, to: number): NamedTriple[] => order.slice(from, to).map((i) => triples[i]!);
  const train = pick(0, nTrain);
  const seenEntities = new Set<string>();
  const seenRelations = new Set<string>();
  const see = ([h, r, t]: NamedTriple): void => {
    seenEntities.add(h);
    seenEntities.add(t);
    seenRelations.add(r);
  };
  train.forEach(see);
  const clean = (split: NamedTriple[]): { kept: NamedTriple[]; moved: number } => {
    const kept: NamedTriple[] = [];
    let moved = 0;
    for (const triple of split) {
      if (seenEntities.has(triple[0]) && seenRelations.has(triple[1]) && seenEntities.has(triple[2])) {
        kept.push(triple);
      } else {
        train.push(triple);
        see(triple);
        moved++;
      }
    }
    return { kept, moved };
  };
  const valid = clean(pick(nTrain, nTrain + nValid));
  const test = clean(pick(nTrain + nValid, triples.length));
  return { train, valid: valid.kept, test: test.kept, moved: { valid: valid.moved, test: test.moved }, duplicates: given.length - triples.length };
}
