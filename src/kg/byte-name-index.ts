/**
 * Names met as bytes → ids of a name table, without making a string per field: an open-addressing hash table
 * (FNV-1a over the bytes, linear probing) whose entries keep a copy of each distinct name's bytes. A name is decoded
 * once, the first time its bytes are seen, and handed to the name table, so ids stay those of the table whether a
 * name first came as bytes or as a string (the two ways the readers meet names).
 */

/** Where names are turned into ids (triple-reader.ts's NameTable). */
export interface NameIds {
  id(name: string): number;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** The bytes → id index of one name table. */
export class ByteNameIndex {
  private slots = new Int32Array(1 << 12); // entry + 1, 0 = empty
  private hashes = new Int32Array(1 << 11);
  private ids = new Int32Array(1 << 11);
  private starts = new Int32Array(1 << 11);
  private lengths = new Int32Array(1 << 11);
  private arena = new Uint8Array(1 << 16);
  private arenaUsed = 0;
  private count = 0;

  constructor(private readonly names: NameIds, private readonly decode: (bytes: Uint8Array, start: number, end: number) => string) {}

  /** The id of the name in bytes[start, end) (the name table adds it when new). */
  id(bytes: Uint8Array, start: number, end: number): number {
    let hash = FNV_OFFSET;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i]!, FNV_PRIME);
    const mask = this.slots.length - 1;
    const length = end - start;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot]! - 1;
      if (entry < 0) return this.add(slot, hash, bytes, start, end);
      if (this.hashes[entry] === hash && this.lengths[entry] === length && this.sameBytes(entry, bytes, start, length)) return this.ids[entry]!;
    }
  }

  private sameBytes(entry: number, bytes: Uint8Array, start: number, length: number): boolean {
    const arena = this.arena;
    const at = this.starts[entry]!;
    for (let k = 0; k < length; k++) if (arena[at + k] !== bytes[start + k]) return false;
    return true;
  }

  private add(slot: number, hash: number, bytes: Uint8Array, start: number, end: number): number {
    const id = this.names.id(this.decode(bytes, start, end));
    const entry = this.count++;
    if (entry === this.ids.length) this.growEntries();
    const length = end - start;
    if (this.arenaUsed + length > this.arena.length) {
      const grown = new Uint8Array(Math.max(2 * this.arena.length, this.arenaUsed + length));
      grown.set(this.arena.subarray(0, this.arenaUsed));
      this.arena = grown;
    }
    this.arena.set(bytes.subarray(start, end), this.arenaUsed);
    this.starts[entry] = this.arenaUsed;
    this.arenaUsed += length;
    this.lengths[entry] = length;
    this.hashes[entry] = hash;
    this.ids[entry] = id;
    this.slots[slot] = entry + 1;
    if (2 * this.count > this.slots.length) this.rehash();
    return id;
  }

  private growEntries(): void {
    const grow = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
      const b = new Int32Array(2 * a.length);
      b.set(a);
      return b;
    };
    this.hashes = grow(this.hashes);
    this.ids = grow(this.ids);
    this.starts = grow(this.starts);
    this.lengths = grow(this.lengths);
  }

  /** Doubles the slots (load factor ≤ 1/2) and reinserts every entry by its stored hash. */
  private rehash(): void {
    const slots = new Int32Array(2 * this.slots.length);
    const mask = slots.length - 1;
    for (let entry = 0; entry < this.count; entry++) {
      let slot = this.hashes[entry]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = entry + 1;
    }
    this.slots = slots;
  }
}
