/**
 * Filtered link-prediction metrics per relation (`kgdistill eval --by-relation`): the tail queries (h, r) → t and
 * the head queries (t, r⁻¹) → h of each relation's triples, and both together, named by the relation's name, as
 * LibKGE's and PyKEEN's per-relation evaluations report them. Relations without a triple in the split are left out.
 */
import type { TailAndHeadMetrics } from './evaluate.js';
import type { LinkPredictionMetrics } from './metrics.js';

/** One relation's filtered metrics on a split. */
export interface RelationMetrics {
  /** The relation's name in the dataset. */
  relation: string;
  /** Triples of the relation in the split (each gives a tail and a head query). */
  triples: number;
  /** Both directions together. */
  both: LinkPredictionMetrics;
  tail: LinkPredictionMetrics;
  head: LinkPredictionMetrics;
}

/** Metrics of two disjoint sets of queries together: each figure is a mean over queries, so the count-weighted mean of the two is exact. */
export function pooledMetrics(a: LinkPredictionMetrics, b: LinkPredictionMetrics): LinkPredictionMetrics {
  const count = a.count + b.count;
  if (a.count === 0) return { ...b };
  if (b.count === 0) return { ...a };
  const mean = (key: Exclude<keyof LinkPredictionMetrics, 'count'>): number => (a[key] * a.count + b[key] * b.count) / count;
  return { count, mrr: mean('mrr'), mr: mean('mr'), 'hits@1': mean('hits@1'), 'hits@3': mean('hits@3'), 'hits@10': mean('hits@10') };
}

/** The per-relation metrics of an evaluation made with `byRelation` (indexed by relation id), named, in vocabulary order. */
export function relationBreakdown(byRelation: readonly TailAndHeadMetrics[], relationNames: readonly string[]): RelationMetrics[] {
  if (byRelation.length > relationNames.length) throw new RangeError(`${byRelation.length} relations evaluated but ${relationNames.length} named`);
  return byRelation.flatMap(({ tail, head }, id) => (tail.count === 0 ? []
    : [{ relation: relationNames[id]!, triples: tail.count, both: pooledMetrics(tail, head), tail, head }]));
}
