/** log2 of the first table size. */
const FIRST_BITS = 10;

/**
 * Numbers the distinct row ids of a step 0, 1, 2, … in order of first occurrence: an open-addressing hash table
 * (linear probing, Fibonacci hashing) sized by the distinct ids it has held (kept at most half full, doubled when
 * needed, never shrunk), so that it stays in cache however large the table whose ids it numbers — a mark per table
 * row would be as cold as the rows themselves.
 */
export class RowSlots {
  /** id + 1 at each place (0: empty), and the slot of that id. */
  private keys = new Int32Array(1 << FIRST_BITS);
  private values = new Int32Array(1 << FIRST_BITS);
  private shift = 32 - FIRST_BITS;
  /** The distinct ids, slot by slot: ids[s] is the id numbered s (valid below `count`). */
  ids: Int32Array = new Int32Array(1 << (FIRST_BITS - 1));
  /** How many distinct ids have been numbered since the last reset. */
  count = 0;

  /** Forgets every id numbered so far (only their places are cleared). */
  reset(): void {
    const keys = this.keys;
    const mask = keys.length - 1;
    if (4 * this.count >= keys.length) keys.fill(0);
    else {
      for (let s = 0; s < this.count; s++) {
        // the id is in the table: the probe ends at it (earlier clears may have emptied places before it)
        let at = this.place(this.ids[s]!);
        while (keys[at] !== this.ids[s]! + 1) at = (at + 1) & mask;
        keys[at] = 0;
      }
    }
    this.count = 0;
  }

  /** The slot of `id` (0 ≤ id < 2³¹ − 1), numbering it next when it is new. */
  slotOf(id: number): number {
    const keys = this.keys;
    const mask = keys.length - 1;
    const key = id + 1;
    let at = this.place(id);
    for (;;) {
      const k = keys[at]!;
      if (k === key) return this.values[at]!;
      if (k === 0) break;
      at = (at + 1) & mask;
    }
    const slot = this.count++;
    keys[at] = key;
    this.values[at] = slot;
    if (slot >= this.ids.length) this.ids = growInts(this.ids);
    this.ids[slot] = id;
    if (2 * this.count > keys.length) this.rehash(2 * keys.length);
    return slot;
  }

  private place(id: number): number {
    return Math.imul(id, 0x9e3779b1) >>> this.shift;
  }

  /** Moves every numbered id into a table of `size` places (a power of two). */
  private rehash(size: number): void {
    this.keys = new Int32Array(size);
    this.values = new Int32Array(size);
    this.shift = 32 - Math.log2(size);
    const mask = size - 1;
    for (let s = 0; s < this.count; s++) {
      let at = this.place(this.ids[s]!);
      while (this.keys[at] !== 0) at = (at + 1) & mask;
      this.keys[at] = this.ids[s]! + 1;
      this.values[at] = s;
    }
  }
}

/** A copy of `ids` in an array twice as long. */
function growInts(ids: Int32Array): Int32Array {
  const grown = new Int32Array(2 * ids.length);
  grown.set(ids);
  return grown;
}
