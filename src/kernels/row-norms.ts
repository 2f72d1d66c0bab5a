// ‖v‖² of the rows of a table, on the host: what the all-entity scorers and lookups (core/entity-scorer.ts,
// lookup/kernel-search.ts) and the Poincaré 1-N loss (dense-threads.ts) hand the kernels beside the rows.

/**
 * ‖v‖² of each of N rows of width d (row-major): float64 sums of the squares in order, rounded to float32; into `out`
 * (its first N floats) when given, else a new array.
 */
export function rowSquaredNorms(rows: Float32Array, N: number, d: number, out: Float32Array = new Float32Array(N)): Float32Array {
  for (let j = 0, o = 0; j < N; j++) {
    let sum = 0;
    for (let k = 0; k < d; k++, o++) sum += rows[o]! * rows[o]!;
    out[j] = sum;
  }
  return out;
}
