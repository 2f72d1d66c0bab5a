/**
 * Known-true answers for filtered ranking (Bordes et al. 2013, "filtered" setting): for every tail query
 * (h, r, ?) the true tails and for every head query (?, r, t), asked as (t, r + R, ?) with the reciprocal
 * relation, the true heads, over any number of triple sets (usually train + valid + test).
 *
 * Layout (CSR): `keys` holds the sorted query keys `entity · 2R + queryRelation` (Float64Array, exact up to
 * 2^53); query i owns `answers[offsets[i] .. offsets[i+1])`, sorted ascending and without duplicates. A lookup is
 * a binary search over the keys, "is known" a second binary search inside the answer run.
 */
import type { Triples } from './types.js';

const EMPTY = new Int32Array(0);

/** Compact index of known-true answers per (entity, query relation), in both directions. */
export class FilterIndex {
  /** Number of entities the index was built for. */
  readonly numEntities: number;
  /** Number of (forward) relations R; query relations lie in [0, 2R). */
  readonly numRelations: number;
  readonly #keys: Float64Array;
  readonly #offsets: Int32Array;
  readonly #answers: Int32Array;

  private constructor(numEntities: number, numRelations: number, keys: Float64Array, offsets: Int32Array, answers: Int32Array) {
    this.numEntities = numEntities;
    this.numRelations = numRelations;
    this.#keys = keys;
    this.#offsets = offsets;
    this.#answers = answers;
  }

  /** Builds the index over the union of the triple sets; ids are range-checked. */
  static build(numEntities: number, numRelations: number, tripleSets: Triples[]): FilterIndex {
    if (!Number.isInteger(numEntities) || numEntities <= 0 || !Number.isInteger(numRelations) || numRelations <= 0) {
      throw new RangeError(`FilterIndex needs positive entity and relation counts, got ${numEntities} and ${numRelations}`);
    }
    const queryRelations = 2 * numRelations;
    if (numEntities * queryRelations >= 2 ** 52) { // keys, and pairs of a power of two ≥ E, stay exact below 2^53
      throw new RangeError(`graph too large for FilterIndex: entities · 2 · relations must stay below 2^52`);
    }
    // Counting sort by entity: each entity's run holds queryRelation · E + answer of its pairs (its tails under r,
    // its heads under r + R), then each run is sorted on its own (small runs stay in cache; no global sort).
    const runStarts = new Int32Array(numEntities + 1);
    for (const triples of tripleSets) {
      if (triples.length % 3 !== 0) throw new RangeError(`triple array length ${triples.length} is not a multiple of 3`);
      for (let i = 0; i < triples.length; i += 3) {
        const h = triples[i]!;
        const r = triples[i + 1]!;
        const t = triples[i + 2]!;
        if (h < 0 || h >= numEntities || t < 0 || t >= numEntities || r < 0 || r >= numRelations) {
          throw new RangeError(`triple ${i / 3} (${h}, ${r}, ${t}) out of range for ${numEntities} entities, ${numRelations} relations`);
        }
        runStarts[h + 1]!++;
        runStarts[t + 1]!++;
      }
    }
    for (let e = 0; e < numEntities; e++) runStarts[e + 1]! += runStarts[e]!;
    const total = runStarts[numEntities]!;
    // pair = queryRelation · 2^shift + answer (2^shift ≥ E): split by a shift in 32 bits, else by an exact power-of-two division
    const shift = Math.max(0, Math.ceil(Math.log2(numEntities)));
    const scale = 2 ** shift;
    const wide = queryRelations * scale > 2 ** 32;
    const packed = wide ? new Float64Array(total) : new Uint32Array(total);
    const fill = runStarts.slice(0, numEntities);
    for (const triples of tripleSets) {
      for (let i = 0; i < triples.length; i += 3) {
        const h = triples[i]!;
        const r = triples[i + 1]!;
        const t = triples[i + 2]!;
        packed[fill[h]!++] = r * scale + t;
        packed[fill[t]!++] = (r + numRelations) * scale + h;
      }
    }

    const keys = new Float64Array(total);
    const offsets = new Int32Array(total + 1);
    const answers = new Int32Array(total);
    let numQueries = 0;
    let numAnswers = 0;
    for (let entity = 0; entity < numEntities; entity++) {
      const lo = runStarts[entity]!;
      const hi = runStarts[entity + 1]!;
      sortRun(packed, lo, hi);
      let previousPair = -1;
      let previousQuery = -1;
      for (let i = lo; i < hi; i++) {
        const pair = packed[i]!;
        if (pair === previousPair) continue; // the same fact in several sets, or a duplicate triple
        previousPair = pair;
        const query = wide ? Math.floor(pair / scale) : pair >>> shift;
        const answer = wide ? pair - query * scale : pair & (scale - 1);
        if (query !== previousQuery) {
          keys[numQueries] = entity * queryRelations + query;
          offsets[numQueries] = numAnswers;
          numQueries++;
          previousQuery = query;
        }
        answers[numAnswers++] = answer;
      }
    }
    offsets[numQueries] = numAnswers;
    return new FilterIndex(numEntities, numRelations, keys.slice(0, numQueries), offsets.slice(0, numQueries + 1), answers.slice(0, numAnswers));
  }

  /** Number of distinct (entity, query relation) queries with at least one answer. */
  get numQueries(): number {
    return this.#keys.length;
  }

  /** Total number of stored (query, answer) pairs: twice the number of distinct triples. */
  get numAnswers(): number {
    return this.#answers.length;
  }

  /** Position of a query in `keys`, or -1 when it has no answers. */
  #find(entity: number, queryRelation: number): number {
    const key = entity * 2 * this.numRelations + queryRelation;
    const keys = this.#keys;
    let lo = 0;
    let hi = keys.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const value = keys[mid]!;
      if (value < key) lo = mid + 1;
      else if (value > key) hi = mid - 1;
      else return mid;
    }
    return -1;
  }

  /** Sorted known answers of (entity, queryRelation): tails when queryRelation < R, heads when it is r + R. A view, empty when none. */
  answers(entity: number, queryRelation: number): Int32Array {
    const i = this.#find(entity, queryRelation);
    return i < 0 ? EMPTY : this.#answers.subarray(this.#offsets[i]!, this.#offsets[i + 1]!);
  }

  /** True when `answer` is a known answer of (entity, queryRelation). */
  isKnown(entity: number, queryRelation: number, answer: number): boolean {
    const i = this.#find(entity, queryRelation);
    if (i < 0) return false;
    const answers = this.#answers;
    let lo = this.#offsets[i]!;
    let hi = this.#offsets[i + 1]! - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const value = answers[mid]!;
      if (value < answer) lo = mid + 1;
      else if (value > answer) hi = mid - 1;
      else return true;
    }
    return false;
  }
}

/** Sorts values[lo, hi) ascending: by insertion when short, else natively. */
function sortRun(values: Uint32Array | Float64Array, lo: number, hi: number): void {
  if (hi - lo > 24) {
    values.subarray(lo, hi).sort();
    return;
  }
  for (let i = lo + 1; i < hi; i++) {
    const v = values[i]!;
    let j = i - 1;
    while (j >= lo && values[j]! > v) {
      values[j + 1] = values[j]!;
      j--;
    }
    values[j + 1] = v;
  }
}
