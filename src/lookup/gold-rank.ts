/**
 * Where a model puts a gold answer: its rank among all entities for the query (entity, query relation) — raw, and
 * filtered when the known-true triples are at hand (ties: the evaluation's realistic rank, eval/ranks.ts) — with
 * its score. Used to compare a distilled student with its teachers on the same query.
 */
import { filteredRanks, type KnownAnswers } from '../eval/ranks.js';

/** A gold answer's place: its score, raw rank and (with known triples) filtered rank. */
export interface GoldRank {
  score: number;
  raw: number;
  filtered?: number;
}

/**
 * The rank of `gold` among `scores`, a model's scores of all `count` entities for (entity, queryRelation) (queryRelation ≥ R:
 * heads), as the evaluation ranks it.
 */
export function goldRank(scores: Float32Array, count: number, known: KnownAnswers | undefined, entity: number, queryRelation: number, gold: number): GoldRank {
  const out = { filtered: new Float64Array(1), raw: new Float64Array(1) };
  filteredRanks(scores, count, Int32Array.of(entity), Int32Array.of(queryRelation), Int32Array.of(gold), known ?? null, out);
  return { score: scores[gold]!, raw: out.raw[0]!, ...(known ? { filtered: out.filtered[0]! } : {}) };
}
