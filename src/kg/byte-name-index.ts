/**
 * Names as bytes → dense ids in order of first appearance, without a string per lookup: an open-addressing hash
 * table (linear probing, load ≤ 1/2) whose slots hold the hash, the id and where the name's bytes lie in an arena
 * of every name's bytes (in id order), so a lookup touches one slot and the name's bytes, nothing else. The caller
 * hashes the bytes with FNV-1a (`hashBytes`, or the same steps while it scans them: `FNV_OFFSET`, `fnvStep`).
 */

/** FNV-1a's start value. */
export const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/** One FNV-1a step: the hash after `byte`. */
export function fnvStep(hash: number, byte: number): number {
  return Math.imul(hash ^ byte, FNV_PRIME);
}

/** FNV-1a of bytes[start, end). */
export function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let hash = FNV_OFFSET;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i]!, FNV_PRIME);
  return hash;
}

/** The first slot of a hash (a finaliser spreads FNV-1a's high bits into the low ones the mask keeps). */
function home(hash: number, mask: number): number {
  let x = hash ^ (hash >>> 16);
  x = Math.imul(x, 0x45d9f3b);
  return (x ^ (x >>> 16)) & mask;
}

const SLOT = 4; // ints per slot: hash, id + 1 (0: empty), arena start, length

/** Distinct byte strings with ids 0, 1, 2… in order of addition. */
export class ByteNameIndex {
  private slots: Int32Array<ArrayBuffer>;
  private mask: number;
  private starts = new Int32Array(1 << 10); // arena start of each id; starts[count] = arena used
  private arena = new Uint8Array(1 << 16);
  private count = 0;

  constructor(expected = 1024) {
    let capacity = 1 << 10;
    while (capacity < 2 * expected) capacity *= 2;
    this.slots = new Int32Array(SLOT * capacity);
    this.mask = capacity - 1;
  }

  /** Number of names. */
  get size(): number {
    return this.count;
  }

  /** The id of bytes[start, end) (whose `hashBytes` is `hash`), or -1 when absent. */
  find(bytes: Uint8Array, start: number, end: number, hash: number): number {
    const slots = this.slots;
    const mask = this.mask;
    const length = end - start;
    for (let slot = home(hash, mask); ; slot = (slot + 1) & mask) {
      const o = slot * SLOT;
      const id = slots[o + 1]! - 1;
      if (id < 0) return -1;
      if (slots[o] === hash && slots[o + 3] === length && this.sameBytes(slots[o + 2]!, bytes, start, length)) return id;
    }
  }

  /** Adds bytes[start, end) (absent: `find` gave -1; `hash` its `hashBytes`) and returns its id, the next one. */
  add(bytes: Uint8Array, start: number, end: number, hash: number): number {
    const id = this.count++;
    const length = end - start;
    if (id + 1 === this.starts.length) this.starts = grown(this.starts, 2 * this.starts.length);
    const at = this.starts[id]!;
    if (at + length > this.arena.length) this.arena = grown(this.arena, Math.max(2 * this.arena.length, at + length));
    this.arena.set(bytes.subarray(start, end), at);
    this.starts[id + 1] = at + length;
    if (2 * this.count > this.mask + 1) this.rehash();
    this.place(hash, id, at, length);
    return id;
  }

  /** The bytes of name `id` (a view into the arena, valid until the next `add`). */
  bytesOf(id: number): Uint8Array {
    return this.arena.subarray(this.starts[id]!, this.starts[id + 1]!);
  }

  private sameBytes(at: number, bytes: Uint8Array, start: number, length: number): boolean {
    const arena = this.arena;
    for (let k = 0; k < length; k++) if (arena[at + k] !== bytes[start + k]) return false;
    return true;
  }

  private place(hash: number, id: number, at: number, length: number): void {
    const slots = this.slots;
    const mask = this.mask;
    let slot = home(hash, mask);
    while (slots[slot * SLOT + 1] !== 0) slot = (slot + 1) & mask;
    const o = slot * SLOT;
    slots[o] = hash;
    slots[o + 1] = id + 1;
    slots[o + 2] = at;
    slots[o + 3] = length;
  }

  /** Doubles the slots and puts every name back by its stored hash. */
  private rehash(): void {
    const old = this.slots;
    this.slots = new Int32Array(2 * old.length);
    this.mask = 2 * (this.mask + 1) - 1;
    for (let o = 0; o < old.length; o += SLOT) if (old[o + 1] !== 0) this.place(old[o]!, old[o + 1]! - 1, old[o + 2]!, old[o + 3]!);
  }
}

/** A copy of `a` with room for `length` elements. */
function grown<T extends Int32Array<ArrayBuffer> | Uint8Array<ArrayBuffer>>(a: T, length: number): T {
  const b = new (a.constructor as new (n: number) => T)(length);
  b.set(a);
  return b;
}
