/**
 * A set of id triples (h, r, t) for duplicate detection while loading: open addressing over one Int32Array (three
 * ints a slot, −1 = empty), grown at half load. A JS Set of numeric keys needs one heap number per triple once
 * h·R·E exceeds the small-integer range (any graph of a few thousand entities); this keeps 12–24 bytes a triple.
 */

/** Mixes three ids into a 32-bit hash (multiply–xorshift). */
function hash(h: number, r: number, t: number): number {
  let x = Math.imul(h, 0x9e3779b1) ^ Math.imul(r + 0x632be5ab, 0x85ebca6b) ^ Math.imul(t + 0x1b873593, 0xc2b2ae35);
  x ^= x >>> 15;
  x = Math.imul(x, 0x2c1b3c6d);
  return (x ^ (x >>> 12)) >>> 0;
}

/** Distinct (h, r, t) triples of non-negative int32 ids. */
export class TripleSet {
  private slots: Int32Array;
  private mask: number;
  private count = 0;

  constructor(expected = 1024) {
    let capacity = 16;
    while (capacity < 2 * expected) capacity *= 2;
    this.slots = new Int32Array(3 * capacity).fill(-1);
    this.mask = capacity - 1;
  }

  /** Number of triples held. */
  get size(): number {
    return this.count;
  }

  /** Adds the triple; returns false when it was already there. */
  add(h: number, r: number, t: number): boolean {
    if (2 * (this.count + 1) > this.mask + 1) this.grow();
    const slots = this.slots;
    for (let i = hash(h, r, t) & this.mask; ; i = (i + 1) & this.mask) {
      const o = 3 * i;
      if (slots[o] === -1) {
        slots[o] = h;
        slots[o + 1] = r;
        slots[o + 2] = t;
        this.count++;
        return true;
      }
      if (slots[o] === h && slots[o + 1] === r && slots[o + 2] === t) return false;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2).fill(-1);
    this.mask = 2 * (this.mask + 1) - 1;
    this.count = 0;
    for (let o = 0; o < old.length; o += 3) if (old[o] !== -1) this.add(old[o]!, old[o + 1]!, old[o + 2]!);
  }
}
