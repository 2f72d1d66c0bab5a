/**
 * The queries of an evaluation, in one order every evaluator shares: query 2i is the tail query (h, r) → t of
 * triple i, query 2i + 1 its head query (t, r + R) → h (the reciprocal relation).
 */
import type { Triples } from '../kg/types.js';

/** A batch of queries: entity, query relation, gold answer. */
export interface QueryRows {
  entities: Int32Array;
  relations: Int32Array;
  gold: Int32Array;
}

/** Queries [start, start + rows) of `triples`. */
export function evaluationQueries(triples: Triples, numRelations: number, start: number, rows: number): QueryRows {
  const entities = new Int32Array(rows);
  const relations = new Int32Array(rows);
  const gold = new Int32Array(rows);
  for (let row = 0; row < rows; row++) {
    const query = start + row;
    const t = 3 * (query >> 1);
    if ((query & 1) === 0) {
      entities[row] = triples[t]!; // tail query (h, r) → t
      relations[row] = triples[t + 1]!;
      gold[row] = triples[t + 2]!;
    } else {
      entities[row] = triples[t + 2]!; // head query (t, r + R) → h
      relations[row] = triples[t + 1]! + numRelations;
      gold[row] = triples[t]!;
    }
  }
  return { entities, relations, gold };
}
