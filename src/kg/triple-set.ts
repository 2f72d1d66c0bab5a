/**
 * Duplicate id triples (h, r, t) removed while loading, keeping each triple's first occurrence in file order.
 * One hash table over millions of triples would cost a cache and TLB miss per triple; instead the triples are
 * partitioned by the top bits of their hash (stable, so each partition keeps file order), then each partition's
 * duplicates are found in a small open-addressing table that stays in cache (slots: hash, index + 1), and the
 * survivors are compacted in place.
 */

/** Mixes three ids into a 32-bit hash (multiply–xorshift). */
function hash(h: number, r: number, t: number): number {
  let x = Math.imul(h, 0x9e3779b1) ^ Math.imul(r + 0x632be5ab, 0x85ebca6b) ^ Math.imul(t + 0x1b873593, 0xc2b2ae35);
  x ^= x >>> 15;
  x = Math.imul(x, 0x2c1b3c6d);
  return x ^ (x >>> 12);
}

/** Triples per partition: its table (two slots a triple, 8 bytes a slot) stays within a cache-sized 512 KiB. */
const PARTITION_TRIPLES = 1 << 15;

/**
 * Removes repeated triples from the first `count` triples of `triples` (three ids each), in place, keeping the
 * first occurrence of each in order; returns the number kept.
 */
export function dedupeTriples(triples: Int32Array, count: number): number {
  let bits = 0;
  while (bits < 12 && count >> bits > PARTITION_TRIPLES) bits++;
  const partitions = 1 << bits;
  const hashes = new Int32Array(count);
  const starts = new Int32Array(partitions + 1);
  for (let i = 0; i < count; i++) {
    const x = hash(triples[3 * i]!, triples[3 * i + 1]!, triples[3 * i + 2]!);
    hashes[i] = x;
    if (bits > 0) starts[(x >>> (32 - bits)) + 1]!++;
  }
  if (bits === 0) starts[1] = count;
  for (let p = 0; p < partitions; p++) starts[p + 1]! += starts[p]!;
  const order = new Int32Array(count); // triple indexes by partition, in file order within each
  const orderHashes = new Int32Array(count); // their hashes, beside them (read in order, not at random)
  const fill = starts.slice(0, partitions);
  for (let i = 0; i < count; i++) {
    const x = hashes[i]!;
    const at = fill[bits > 0 ? x >>> (32 - bits) : 0]!++;
    order[at] = i;
    orderHashes[at] = x;
  }

  const repeated = new Uint8Array(count);
  let largest = 0;
  for (let p = 0; p < partitions; p++) largest = Math.max(largest, starts[p + 1]! - starts[p]!);
  let capacity = 16;
  while (capacity < 2 * largest) capacity *= 2;
  const slots = new Int32Array(2 * capacity); // hash, index + 1 (0: empty)
  for (let p = 0; p < partitions; p++) {
    const lo = starts[p]!, hi = starts[p + 1]!;
    let size = 16;
    while (size < 2 * (hi - lo)) size *= 2;
    const mask = size - 1;
    slots.fill(0, 0, 2 * size);
    for (let k = lo; k < hi; k++) {
      const i = order[k]!;
      const x = orderHashes[k]!;
      for (let s = x & mask; ; s = (s + 1) & mask) {
        const other = slots[2 * s + 1]! - 1;
        if (other < 0) {
          slots[2 * s] = x;
          slots[2 * s + 1] = i + 1;
          break;
        }
        if (slots[2 * s] === x && triples[3 * other] === triples[3 * i] && triples[3 * other + 1] === triples[3 * i + 1] && triples[3 * other + 2] === triples[3 * i + 2]) {
          repeated[i] = 1;
          break;
        }
      }
    }
  }
  let kept = 0;
  for (let i = 0; i < count; i++) {
    if (repeated[i]) continue;
    triples[3 * kept] = triples[3 * i]!;
    triples[3 * kept + 1] = triples[3 * i + 1]!;
    triples[3 * kept + 2] = triples[3 * i + 2]!;
    kept++;
  }
  return kept;
}

/**
 * How many triples two duplicate-free triple arrays have in common (e.g. test triples that are also in train): the
 * smaller array goes into an open-addressing table (slots: triple index + 1), the larger is scanned once against it,
 * so memory grows with the smaller split only.
 */
export function countSharedTriples(a: Int32Array, b: Int32Array): number {
  const [small, large] = a.length <= b.length ? [a, b] : [b, a];
  const count = small.length / 3;
  if (count === 0 || large.length === 0) return 0;
  let size = 16;
  while (size < 2 * count) size *= 2;
  const mask = size - 1;
  const slots = new Int32Array(size);
  for (let i = 0; i < count; i++) {
    let s = hash(small[3 * i]!, small[3 * i + 1]!, small[3 * i + 2]!) & mask;
    while (slots[s] !== 0) s = (s + 1) & mask;
    slots[s] = i + 1;
  }
  let shared = 0;
  for (let j = 0; j < large.length; j += 3) {
    const h = large[j]!, r = large[j + 1]!, t = large[j + 2]!;
    for (let s = hash(h, r, t) & mask; slots[s] !== 0; s = (s + 1) & mask) {
      const i = slots[s]! - 1;
      if (small[3 * i] === h && small[3 * i + 1] === r && small[3 * i + 2] === t) {
        shared++;
        break;
      }
    }
  }
  return shared;
}
