/**
 * Names → dense local ids in order of first appearance, shared by the files of one dataset. Every name is keyed by
 * its UTF-8 bytes (byte-name-index.ts), whether it comes as a string (the string readers) or as the bytes of a
 * UTF-8 file (tab-triples.ts), so the two ways of meeting a name give the same id and no Map of strings is kept.
 * A string that has no UTF-8 form (a lone surrogate; decoding a file never makes one) is keyed by itself.
 */
import { ByteNameIndex, FNV_OFFSET, fnvStep, hashBytes } from './byte-name-index.js';

const encoder = new TextEncoder();

/** Whether `name` has an unpaired surrogate (then its UTF-8 form would merge it with other names). */
function hasLoneSurrogate(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c > 0xdbff || i + 1 === name.length) return true;
    const next = name.charCodeAt(i + 1);
    if (next < 0xdc00 || next > 0xdfff) return true;
    i++;
  }
  return false;
}

/** Names → dense local ids (ids in order of first appearance). */
export class NameTable {
  /** The names, indexed by local id. */
  readonly names: string[] = [];
  private readonly index = new ByteNameIndex();
  private scratch = new Uint8Array(256);
  private odd: Map<string, number> | undefined;

  /** The id of a name, added when new. */
  id(name: string): number {
    const length = name.length;
    if (3 * length > this.scratch.length) this.scratch = new Uint8Array(2 * 3 * length);
    const bytes = this.scratch;
    let hash = FNV_OFFSET;
    let i = 0;
    for (; i < length; i++) { // ASCII: the bytes are the code units
      const c = name.charCodeAt(i);
      if (c >= 0x80) break;
      bytes[i] = c;
      hash = fnvStep(hash, c);
    }
    let end = length;
    if (i < length) {
      if (hasLoneSurrogate(name)) return this.oddId(name);
      end = encoder.encodeInto(name, bytes).written;
      hash = hashBytes(bytes, 0, end);
    }
    const id = this.find(bytes, 0, end, hash);
    return id >= 0 ? id : this.add(bytes, 0, end, hash, name);
  }

  /** The id of the name whose UTF-8 bytes are bytes[start, end) (`hash`: their `hashBytes`), or -1 when new. */
  find(bytes: Uint8Array, start: number, end: number, hash: number): number {
    return this.index.find(bytes, start, end, hash);
  }

  /** Adds the new name `name`, whose UTF-8 bytes are bytes[start, end) (`hash`: their `hashBytes`); returns its id. */
  add(bytes: Uint8Array, start: number, end: number, hash: number, name: string): number {
    const id = this.names.length;
    this.names.push(name);
    this.index.add(bytes, start, end, hash);
    return id;
  }

  private oddId(name: string): number {
    this.odd ??= new Map();
    let id = this.odd.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.odd.set(name, id);
      this.index.add(this.scratch, 0, 0, 0x7fffffff); // keeps the index's ids those of the table (an entry no lookup finds: length 0 with another hash)
    }
    return id;
  }
}
