/**
 * Relation categories of Bordes et al. (2013, "Translating Embeddings for Modeling Multi-relational Data"):
 * for relation r, tph = mean number of distinct tails per (head, r) pair and hpt = mean number of distinct heads
 * per (r, tail) pair; a side is "1" when its mean is below 1.5, else "N". So 1-1: tph < 1.5 and hpt < 1.5;
 * 1-N: tph ≥ 1.5 (one head, many tails), hpt < 1.5; N-1: tph < 1.5, hpt ≥ 1.5; N-N: both ≥ 1.5.
 * A relation without triples in the triples given (e.g. one seen only in valid or test, when the categories come from
 * train) has no category: null.
 */
import type { RelationCategory, Triples } from './types.js';

/** Threshold on tph/hpt separating "1" from "N" (Bordes et al. 2013). */
export const CATEGORY_THRESHOLD = 1.5;

/** Per-relation statistics behind a category: distinct triples, heads, tails, and the two means. */
export interface RelationCategoryStats {
  triples: number;
  heads: number;
  tails: number;
  tailsPerHead: number;
  headsPerTail: number;
  /** null when the relation has no triples here. */
  category: RelationCategory | null;
}

/** Category from the mean tails per head (tph) and heads per tail (hpt). */
export function categorize(tailsPerHead: number, headsPerTail: number): RelationCategory {
  const manyTails = tailsPerHead >= CATEGORY_THRESHOLD;
  const manyHeads = headsPerTail >= CATEGORY_THRESHOLD;
  if (manyTails) return manyHeads ? 'N-N' : '1-N';
  return manyHeads ? 'N-1' : '1-1';
}

/**
 * Statistics per relation id over the given triples (duplicates counted once). tph = distinct triples / distinct
 * heads, hpt = distinct triples / distinct tails. A relation without triples gets zeros and no category (null).
 */
export function relationCategoryStats(triples: Triples, numRelations: number): RelationCategoryStats[] {
  const heads = Array.from({ length: numRelations }, () => new Set<number>());
  const tails = Array.from({ length: numRelations }, () => new Set<number>());
  const pairs = Array.from({ length: numRelations }, () => new Set<number>());
  let maxEntity = 0;
  for (let i = 0; i < triples.length; i += 3) maxEntity = Math.max(maxEntity, triples[i]!, triples[i + 2]!);
  const stride = maxEntity + 1;
  for (let i = 0; i < triples.length; i += 3) {
    const h = triples[i]!;
    const r = triples[i + 1]!;
    const t = triples[i + 2]!;
    if (r < 0 || r >= numRelations) throw new RangeError(`relation id ${r} outside [0, ${numRelations})`);
    heads[r]!.add(h);
    tails[r]!.add(t);
    pairs[r]!.add(h * stride + t);
  }
  return pairs.map((pairSet, r) => {
    const distinct = pairSet.size;
    const tailsPerHead = distinct === 0 ? 0 : distinct / heads[r]!.size;
    const headsPerTail = distinct === 0 ? 0 : distinct / tails[r]!.size;
    return {
      triples: distinct,
      heads: heads[r]!.size,
      tails: tails[r]!.size,
      tailsPerHead,
      headsPerTail,
      category: distinct === 0 ? null : categorize(tailsPerHead, headsPerTail),
    };
  });
}

/**
 * Category of every relation id (Bordes et al. 2013), computed on the triples passed (caller picks train or all);
 * null for a relation without triples there.
 */
export function relationCategories(triples: Triples, numRelations: number): (RelationCategory | null)[] {
  return relationCategoryStats(triples, numRelations).map((stats) => stats.category);
}
