/**
 * Entity-frequency-balanced sampling of training queries, the KG analogue of CBD's class-balanced sampling (Iscen
 * et al. 2021, §3, after Kang et al. 2020 §3.1, p_j ∝ n_j^q): the answer entity plays the class. With n_a the number
 * of training queries whose answer is a, an answer entity is drawn with probability n_a^q / Σ_b n_b^q (over
 * entities that are answers), then one of its queries uniformly, so query i with answer a has probability
 *   p_i = n_a^(q − 1) / Σ_b n_b^q.
 * q = 0 is fully balanced (every answer entity equally likely), q = 1 instance sampling, q = ½ square-root sampling.
 */
import type { SeededRandom } from '../../../core/random.js';
import { selectQueries, type QueryBatch, type QuerySampler } from '../../../core/batch.js';

/** How many queries have each entity as their answer. */
export function answerFrequencies(answers: Int32Array, numEntities: number): Int32Array {
  const counts = new Int32Array(numEntities);
  for (const a of answers) counts[a]!++;
  return counts;
}

/** Draws training queries with probability p_i = n_a^(q − 1) / Σ_b n_b^q. */
export class EntityBalancedSampler implements QuerySampler {
  /** Entities with at least one query, and the cumulative (unnormalised) weights n_a^q of drawing them. */
  private readonly entities: Int32Array;
  private readonly cumulative: Float64Array;
  /** Queries grouped by answer entity (CSR: queries of entities[j] are order[start[j] … start[j + 1])). */
  private readonly start: Int32Array;
  private readonly order: Int32Array;

  constructor(private readonly answers: Int32Array, numEntities: number, readonly power = 0) {
    if (!(power >= 0 && power <= 1)) throw new Error(`the sampling power must lie in [0, 1] (got ${power})`);
    if (answers.length === 0) throw new Error('no training queries to sample');
    const counts = answerFrequencies(answers, numEntities);
    const present: number[] = [];
    for (let e = 0; e < numEntities; e++) if (counts[e]! > 0) present.push(e);
    this.entities = Int32Array.from(present);
    this.cumulative = new Float64Array(present.length);
    this.start = new Int32Array(present.length + 1);
    const slot = new Int32Array(numEntities).fill(-1);
    let acc = 0;
    present.forEach((e, j) => {
      acc += counts[e]! ** power;
      this.cumulative[j] = acc;
      this.start[j + 1] = this.start[j]! + counts[e]!;
      slot[e] = j;
    });
    this.order = new Int32Array(answers.length);
    const fill = this.start.slice(0, present.length);
    answers.forEach((a, i) => {
      this.order[fill[slot[a]!]!++] = i;
    });
  }

  /** The probability of drawing each query (sums to 1). */
  queryProbabilities(): Float64Array {
    const total = this.cumulative[this.cumulative.length - 1]!;
    const p = new Float64Array(this.answers.length);
    for (let j = 0; j < this.entities.length; j++) {
      const n = this.start[j + 1]! - this.start[j]!;
      const perQuery = n ** this.power / n / total;
      for (let i = this.start[j]!; i < this.start[j + 1]!; i++) p[this.order[i]!] = perQuery;
    }
    return p;
  }

  /** One query index: an answer entity by n_a^q (binary search on the cumulative weights), then one of its queries. */
  draw(rng: SeededRandom): number {
    const u = rng.next() * this.cumulative[this.cumulative.length - 1]!;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    const from = this.start[lo]!;
    return this.order[from + rng.int(this.start[lo + 1]! - from)]!;
  }

  /** A batch of `size` queries drawn with replacement. */
  batch(queries: QueryBatch, size: number, rng: SeededRandom): QueryBatch {
    const indices = new Int32Array(size);
    for (let b = 0; b < size; b++) indices[b] = this.draw(rng);
    return selectQueries(queries, indices);
  }
}
