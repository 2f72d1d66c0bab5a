/**
 * An optional cache of the Junior's top-K candidates and the frozen teachers' scores on them, per training query.
 * MulDE picks the candidates with the Junior's current parameters at every iteration (Wang et al. 2021, §3.2),
 * which on a CPU means scoring all entities for every batch. With `refreshEvery = R` the candidates of all
 * queries (and the teachers' scores, which never change for fixed candidates) are recomputed together, with one
 * snapshot of the Junior, at the start of every R-th epoch: R = 1 picks them with the Junior of the epoch's start
 * rather than of the current batch; R > 1 trades more staleness for speed. The memory is
 * numQueries × K × (1 + teachers) × 4 bytes. The cache itself is not checkpointed: the objective keeps the Junior's
 * parameters of the last refresh in the `last` checkpoint instead and rebuilds the same cache from them on resume.
 */

/** Bound on the cache's memory, with a clear error beyond it. */
export const MAX_CACHE_BYTES = 6 * 1024 ** 3;

/** Cached candidates [numQueries × K] and teacher scores [teachers × numQueries × K]. */
export class CandidateCache {
  private readonly ids: Int32Array;
  private readonly scores: Float32Array[];
  private readonly epochOf: Int32Array;

  constructor(readonly numQueries: number, readonly k: number, readonly teachers: number, readonly refreshEvery: number) {
    const bytes = numQueries * k * (1 + teachers) * 4;
    if (bytes > MAX_CACHE_BYTES) {
      throw new Error(`the candidate cache would need ${(bytes / 1024 ** 3).toFixed(1)} GB (${numQueries} queries × K=${k} × ${1 + teachers} arrays); lower --top-k or use --refresh-every 0`);
    }
    this.ids = new Int32Array(numQueries * k);
    this.scores = Array.from({ length: teachers }, () => new Float32Array(numQueries * k));
    this.epochOf = new Int32Array(numQueries).fill(-1);
  }

  /** Whether any query of the batch (positions in the training queries) has no entry or one R or more epochs old. */
  anyStale(indices: Int32Array, epoch: number): boolean {
    return indices.some((q) => this.isStale(q, epoch));
  }

  /** All queries whose entry is missing or R or more epochs old. */
  staleAll(epoch: number): number[] {
    const out: number[] = [];
    for (let q = 0; q < this.numQueries; q++) if (this.isStale(q, epoch)) out.push(q);
    return out;
  }

  private isStale(q: number, epoch: number): boolean {
    const seen = this.epochOf[q]!;
    return seen < 0 || epoch - seen >= this.refreshEvery;
  }

  /** Stores fresh candidates [rows × K] and teacher scores for the queries at `indices`. */
  store(indices: ArrayLike<number>, ids: Int32Array, teacherScores: readonly Float32Array[], epoch: number): void {
    const K = this.k;
    for (let i = 0; i < indices.length; i++) {
      const q = indices[i]!;
      this.ids.set(ids.subarray(i * K, (i + 1) * K), q * K);
      teacherScores.forEach((s, t) => this.scores[t]!.set(s.subarray(i * K, (i + 1) * K), q * K));
      this.epochOf[q] = epoch;
    }
  }

  /** The cached candidates and teacher scores of a batch, row by row. */
  read(indices: Int32Array): { ids: Int32Array; teacherScores: Float32Array[] } {
    const K = this.k;
    const ids = new Int32Array(indices.length * K);
    const teacherScores = this.scores.map(() => new Float32Array(indices.length * K));
    for (let i = 0; i < indices.length; i++) {
      const q = indices[i]!;
      ids.set(this.ids.subarray(q * K, (q + 1) * K), i * K);
      this.scores.forEach((s, t) => teacherScores[t]!.set(s.subarray(q * K, (q + 1) * K), i * K));
    }
    return { ids, teacherScores };
  }
}
