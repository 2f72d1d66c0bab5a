/**
 * An optional cache of the Junior's top-K candidates and the frozen teachers' scores on them, per distinct training
 * query (e, r). MulDE picks the candidates with the Junior's current parameters at every iteration (Wang et al.
 * 2021, §3.2), which on a CPU means scoring all entities for every batch. With `refreshEvery = R` the candidates of
 * all queries (and the teachers' scores, which never change for fixed candidates) are recomputed together, with one
 * snapshot of the Junior, at the start of every R-th epoch: R = 1 picks them with the Junior of the epoch's start
 * rather than of the current batch; R > 1 trades more staleness for speed.
 *
 * Training queries that share (e, r) (one per answer: WN18RR has 173,670 queries but 103,509 distinct ones,
 * FB15k-237 544,230 but 149,689) have the same candidates and teacher scores, so they share one slot: a refresh
 * ranks each distinct query once. The memory is slots × K × (1 + teachers) × 4 bytes. The cache itself is not
 * checkpointed: the objective keeps the Junior's parameters of the last refresh in the `last` checkpoint instead
 * and rebuilds the same cache from them on resume.
 */

/** Bound on the cache's memory, with a clear error beyond it. */
export const MAX_CACHE_BYTES = 6 * 1024 ** 3;

/** The (entity, relation) of each training query, in the trainer's order. */
export interface CacheQueries {
  entities: Int32Array;
  relations: Int32Array;
}

/** Cached candidates [slots × K] and teacher scores [teachers × slots × K], one slot per distinct (e, r). */
export class CandidateCache {
  /** The slot of each training query. */
  private readonly slotOf: Int32Array;
  /** The (e, r) of each slot, in order of first appearance. */
  readonly slotQueries: CacheQueries;
  private readonly ids: Int32Array;
  private readonly scores: Float32Array[];
  private readonly epochOf: Int32Array;

  constructor(queries: CacheQueries, readonly k: number, readonly teachers: number, readonly refreshEvery: number) {
    const { slotOf, slotQueries } = distinctQueries(queries);
    const slots = slotQueries.entities.length;
    const bytes = slots * k * (1 + teachers) * 4;
    if (bytes > MAX_CACHE_BYTES) {
      throw new Error(`the candidate cache would need ${(bytes / 1024 ** 3).toFixed(1)} GB (${slots} distinct queries × K=${k} × the candidates and ${teachers} teachers' scores); lower --top-k or use --refresh-every 0`);
    }
    this.slotOf = slotOf;
    this.slotQueries = slotQueries;
    this.ids = new Int32Array(slots * k);
    this.scores = Array.from({ length: teachers }, () => new Float32Array(slots * k));
    this.epochOf = new Int32Array(slots).fill(-1);
  }

  /** Number of distinct queries (cache slots). */
  get slots(): number {
    return this.epochOf.length;
  }

  /** Whether any query of the batch (positions in the training queries) has no entry or one R or more epochs old. */
  anyStale(indices: Int32Array, epoch: number): boolean {
    return indices.some((q) => {
      if (!(q >= 0 && q < this.slotOf.length)) throw new RangeError(`MulDE candidate cache: batch index ${q} is not one of the ${this.slotOf.length} training queries`);
      return this.isStale(this.slotOf[q]!, epoch);
    });
  }

  /** All slots whose entry is missing or R or more epochs old. */
  staleSlots(epoch: number): number[] {
    const out: number[] = [];
    for (let s = 0; s < this.slots; s++) if (this.isStale(s, epoch)) out.push(s);
    return out;
  }

  private isStale(slot: number, epoch: number): boolean {
    const seen = this.epochOf[slot]!;
    return seen < 0 || epoch - seen >= this.refreshEvery;
  }

  /** Stores fresh candidates [rows × K] and teacher scores for the slots `slotIds`, row by row. */
  store(slotIds: ArrayLike<number>, ids: Int32Array, teacherScores: readonly Float32Array[], epoch: number): void {
    const K = this.k;
    for (let i = 0; i < slotIds.length; i++) {
      const s = slotIds[i]!;
      this.ids.set(ids.subarray(i * K, (i + 1) * K), s * K);
      teacherScores.forEach((scores, t) => this.scores[t]!.set(scores.subarray(i * K, (i + 1) * K), s * K));
      this.epochOf[s] = epoch;
    }
  }

  /** The cached candidates and teacher scores of a batch (positions in the training queries), row by row. */
  read(indices: Int32Array): { ids: Int32Array; teacherScores: Float32Array[] } {
    const K = this.k;
    const ids = new Int32Array(indices.length * K);
    const teacherScores = this.scores.map(() => new Float32Array(indices.length * K));
    for (let i = 0; i < indices.length; i++) {
      const s = this.slotOf[indices[i]!]!;
      ids.set(this.ids.subarray(s * K, (s + 1) * K), i * K);
      this.scores.forEach((scores, t) => teacherScores[t]!.set(scores.subarray(s * K, (s + 1) * K), i * K));
    }
    return { ids, teacherScores };
  }
}

/**
 * One slot per distinct (e, r), numbered in order of first appearance, and the slot of every query: an
 * open-addressing hash table in typed arrays (load ≤ 1/2, linear probing), as a Map stops at 2^24 entries.
 */
function distinctQueries(queries: CacheQueries): { slotOf: Int32Array; slotQueries: CacheQueries } {
  const n = queries.entities.length;
  let capacity = 2;
  while (capacity < 2 * n) capacity *= 2;
  const mask = capacity - 1;
  const table = new Int32Array(capacity).fill(-1); // a slot, or −1 where empty
  const slotOf = new Int32Array(n);
  const entities = new Int32Array(n);
  const relations = new Int32Array(n);
  let slots = 0;
  for (let q = 0; q < n; q++) {
    const e = queries.entities[q]!;
    const r = queries.relations[q]!;
    let h = Math.imul(e, 0x9e3779b1) ^ Math.imul(r + 1, 0x85ebca77);
    h = (h ^ (h >>> 15)) & mask;
    for (;;) {
      const slot = table[h]!;
      if (slot < 0) {
        table[h] = slots;
        entities[slots] = e;
        relations[slots] = r;
        slotOf[q] = slots++;
        break;
      }
      if (entities[slot] === e && relations[slot] === r) {
        slotOf[q] = slot;
        break;
      }
      h = (h + 1) & mask;
    }
  }
  return { slotOf, slotQueries: { entities: entities.slice(0, slots), relations: relations.slice(0, slots) } };
}
