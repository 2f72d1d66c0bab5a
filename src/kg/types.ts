/**
 * Shared types of the knowledge-graph data layer.
 *
 * Triples are stored flat in an Int32Array: triple i is (t[3i], t[3i+1], t[3i+2]) = (head, relation, tail),
 * with entity ids in [0, numEntities) and relation ids in [0, numRelations). Reciprocal relations r⁻¹ used for
 * head prediction have ids r + numRelations, so a "query relation" lies in [0, 2·numRelations).
 */

/** Column order of a triple file: head-relation-tail (default) or head-tail-relation. */
export type ColumnOrder = 'hrt' | 'htr';

/** What to do with valid/test triples whose entity or relation never occurs in train. */
export type UnseenPolicy = 'drop' | 'keep' | 'error';

/** Names of the three splits. */
export type SplitName = 'train' | 'valid' | 'test';

/** The three splits, in their order. */
export const SPLIT_NAMES: readonly SplitName[] = ['train', 'valid', 'test'];

/** Relation category of Bordes et al. (2013): by mean tails per head (tph) and heads per tail (hpt), threshold 1.5. */
export type RelationCategory = '1-1' | '1-N' | 'N-1' | 'N-N';

/** Flat (head, relation, tail) id triples. */
export type Triples = Int32Array;

/** Number of triples in a flat triple array. */
export function tripleCount(triples: Triples): number {
  return triples.length / 3;
}
