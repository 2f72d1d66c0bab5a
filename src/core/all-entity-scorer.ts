/**
 * The only thing evaluation knows about a model: it can score every entity as the answer of a batch of queries
 * (implemented by ModelEntityScorer; src/eval ranks what it returns).
 */

/**
 * Scores all entities for a batch of queries (entity, queryRelation).
 *
 * Tail prediction of (h, r, t) is the query (h, r) with gold answer t; head prediction is the query
 * (t, r + numRelations) with gold answer h, where r + numRelations is the reciprocal relation r⁻¹.
 */
export interface AllEntityScorer {
  /** Number of candidate entities; every returned row has this many scores. */
  readonly numEntities: number;
  /**
   * Scores of all candidates for B queries, row-major [B × numEntities]; higher means more plausible.
   * `entities` and `queryRelations` have the same length B; query relations lie in [0, 2·numRelations).
   */
  scoreAll(entities: Int32Array, queryRelations: Int32Array): Promise<Float32Array>;
}
