/**
 * Numbers the distinct row ids of a step 0, 1, 2, … in order of first occurrence: an open-addressing hash table
 * (linear probing, Fibonacci hashing) sized to the step, so that it stays in cache however large the table whose
 * ids it numbers (a mark per table row would be as cold as the rows themselves).
 */
export class RowSlots {
  private keys = new Int32Array(0);
  private values = new Int32Array(0);
  private shift = 32;
  /** The distinct ids, slot by slot: ids[s] is the id numbered s. */
  ids = new Int32Array(0);
  /** How many distinct ids have been numbered since the last reset. */
  count = 0;

  /** Forgets every id; the table is sized for up to `maxIds` distinct ids (at most half full). */
  reset(maxIds: number): void {
    let bits = 4;
    while (1 << bits < 2 * maxIds) bits++;
    if (this.keys.length !== 1 << bits) {
      this.keys = new Int32Array(1 << bits);
      this.values = new Int32Array(1 << bits);
      this.shift = 32 - bits;
      this.count = 0; // a new table is empty
    }
    if (this.ids.length < maxIds) this.ids = new Int32Array(maxIds);
    // keys hold id + 1 so that 0 marks an empty place; only the places of the last step's ids are cleared
    const keys = this.keys;
    const mask = keys.length - 1;
    for (let s = 0; s < this.count; s++) {
      let at = this.place(this.ids[s]!);
      while (keys[at] !== this.ids[s]! + 1) at = (at + 1) & mask;
      keys[at] = 0;
    }
    this.count = 0;
  }

  /** The slot of `id` (a non-negative int32), numbering it next when it is new. */
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
    if (this.count >= this.ids.length) throw new Error(`RowSlots: more than ${this.ids.length} distinct ids since the last reset`);
    keys[at] = key;
    this.values[at] = this.count;
    this.ids[this.count] = id;
    return this.count++;
  }

  private place(id: number): number {
    return Math.imul(id, 0x9e3779b1) >>> this.shift;
  }
}
