/**
 * Subsampling weights of training queries (Sun et al., "RotatE", ICLR 2019, §3.3 and appendix; the authors' code,
 * github.com/DeepGraphLearning/KnowledgeGraphEmbedding, codes/dataloader.py, `count_frequency(triples, start=4)` and
 * `subsampling_weight = torch.sqrt(1 / torch.Tensor([count[(head, relation)] + count[(tail, -relation-1)]]))`).
 *
 * A query is an (entity, directed relation) pair: (h, r) asks for tails, (t, r⁻¹) for heads, r⁻¹ = r + R as
 * everywhere in kgdistill. Its count is 3 + n for n training triples that ask it (`start = 4`: the first occurrence
 * sets 4, each further one adds 1). A triple (h, r, t) weighs w = 1/√(count(h, r) + count(t, r⁻¹)), the same for
 * its tail query (h, r, ?) → t and its head query (t, r⁻¹, ?) → h: rare queries weigh more than frequent ones.
 */
import type { Triples } from './types.js';

/** What `count_frequency` adds to the number of triples that ask a query (its `start` − 1). */
export const SUBSAMPLING_COUNT_OFFSET = 3;

/** Counts of the (entity, directed relation) queries of the triples: count(e, q) = 3 + #triples asking it, q ∈ [0, 2R). */
export function queryCounts(triples: Triples, numRelations: number): (entity: number, queryRelation: number) => number {
  const asked = new Map<number, number>();
  const key = (entity: number, queryRelation: number): number => entity * 2 * numRelations + queryRelation;
  const add = (k: number): void => void asked.set(k, (asked.get(k) ?? 0) + 1);
  for (let i = 0; i < triples.length; i += 3) {
    const h = triples[i]!, r = triples[i + 1]!, t = triples[i + 2]!;
    add(key(h, r));
    add(key(t, r + numRelations));
  }
  return (entity, queryRelation) => SUBSAMPLING_COUNT_OFFSET + (asked.get(key(entity, queryRelation)) ?? 0);
}

/** The subsampling weight 1/√(count(h, r) + count(t, r⁻¹)) of every triple, in the triples' order. */
export function subsamplingWeights(triples: Triples, numRelations: number): Float32Array {
  const count = queryCounts(triples, numRelations);
  const weights = new Float32Array(triples.length / 3);
  for (let i = 0; i < weights.length; i++) {
    const h = triples[3 * i]!, r = triples[3 * i + 1]!, t = triples[3 * i + 2]!;
    weights[i] = 1 / Math.sqrt(count(h, r) + count(t, r + numRelations));
  }
  return weights;
}
