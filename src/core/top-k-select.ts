/**
 * Exact top-K selection per row of a score matrix in JS (the fallback of ModelEntityScorer.topKSync; e.g. MulDE's
 * Junior picking its most confusable candidates, §3.2).
 * Each row is cut by a threshold estimated from a strided sample (a value a little below the sample's
 * K/N-quantile), the few scores above it are collected in one pass, and quickselect picks exactly K of them;
 * when the estimate overshoots (fewer than K collected) the row falls back to quickselect over all scores.
 * Order within the K is not defined.
 */

const SAMPLE = 2048;

/** Partially orders idx[lo..hi] by descending value so that the first k hold the k largest (Hoare quickselect). */
function selectLargest(values: Float32Array, idx: Int32Array, lo: number, hi: number, k: number): void {
  let left = lo;
  let right = hi;
  const target = lo + k - 1;
  while (right > left) {
    const pivot = values[idx[(left + right) >> 1]!]!;
    let i = left;
    let j = right;
    while (i <= j) {
      while (values[idx[i]!]! > pivot) i++;
      while (values[idx[j]!]! < pivot) j--;
      if (i <= j) {
        const tmp = idx[i]!;
        idx[i] = idx[j]!;
        idx[j] = tmp;
        i++;
        j--;
      }
    }
    if (target <= j) right = j;
    else if (target >= i) left = i;
    else return;
  }
}

/** Writes the column indices of the k largest scores of each row into out [rows × k]. */
export function topKPerRow(scores: Float32Array, rows: number, cols: number, k: number, out: Int32Array): void {
  if (!Number.isInteger(k) || k < 1 || k > cols) throw new Error(`top-K needs 1 ≤ K ≤ ${cols} (got ${k})`);
  if (scores.length < rows * cols || out.length < rows * k) throw new Error('topKPerRow: arrays too short for the shape');
  const row = new Float32Array(cols);
  const all = new Int32Array(cols);
  const picked = new Int32Array(cols);
  const sample = new Float32Array(Math.min(SAMPLE, cols));
  const sampleIdx = new Int32Array(sample.length);
  const stride = cols / sample.length;
  // Sample rank whose value serves as threshold: 1.5× the expected count of top-K members, plus slack.
  const sampleRank = Math.min(sample.length, Math.ceil((1.5 * k * sample.length) / cols) + 8);
  for (let r = 0; r < rows; r++) {
    row.set(scores.subarray(r * cols, (r + 1) * cols));
    let threshold = -Infinity;
    if (sampleRank < sample.length) {
      for (let s = 0; s < sample.length; s++) {
        sample[s] = row[Math.floor(s * stride)]!;
        sampleIdx[s] = s;
      }
      selectLargest(sample, sampleIdx, 0, sample.length - 1, sampleRank);
      threshold = sample[sampleIdx[sampleRank - 1]!]!;
      for (let s = 0; s < sampleRank; s++) threshold = Math.min(threshold, sample[sampleIdx[s]!]!);
    }
    let count = 0;
    for (let c = 0; c < cols; c++) if (row[c]! >= threshold) picked[count++] = c;
    let source = picked;
    if (count < k) {
      for (let c = 0; c < cols; c++) all[c] = c;
      source = all;
      count = cols;
    }
    selectLargest(row, source, 0, count - 1, k);
    out.set(source.subarray(0, k), r * k);
  }
}

/**
 * The K best of one score row in ranked order: score descending, ties to the lower id, NaN scores as −∞ (the order of
 * the top-K kernels, assembly/top-k.ts). One quickselect finds the K-th best score, one pass collects the ids above it
 * and then the tied ids in id order, and only those K are sorted: O(N + K log K) instead of a full sort.
 */
export function topKOrdered(scores: Float32Array, K: number): { ids: Int32Array; values: Float32Array } {
  const N = scores.length;
  if (!Number.isInteger(K) || K < 1 || K > N) throw new Error(`top-K needs 1 ≤ K ≤ ${N} (got ${K})`);
  const keys = Float32Array.from(scores, (s) => (Number.isNaN(s) ? -Infinity : s));
  const idx = Int32Array.from({ length: N }, (_, i) => i);
  selectLargest(keys, idx, 0, N - 1, K);
  let kth = Infinity;
  for (let i = 0; i < K; i++) kth = Math.min(kth, keys[idx[i]!]!);
  const ids = new Int32Array(K);
  let count = 0;
  for (let i = 0; i < N; i++) if (keys[i]! > kth) ids[count++] = i;
  for (let i = 0; i < N && count < K; i++) if (keys[i] === kth) ids[count++] = i;
  ids.sort((a, b) => keys[b]! - keys[a]! || a - b);
  return { ids, values: Float32Array.from(ids, (i) => scores[i]!) };
}
