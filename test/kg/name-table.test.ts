// NameTable (names keyed by their UTF-8 bytes) and the ByteNameIndex under it: ids in order of first appearance,
// the same id for a name given as a string or as bytes, growth past many rehashes, names no UTF-8 form can key.
import { describe, expect, it } from 'vitest';
import { NameTable } from '../../src/kg/name-table.js';
import { ByteNameIndex, hashBytes } from '../../src/kg/byte-name-index.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('NameTable', () => {
  it('gives ids in order of first appearance, the same for a string and its UTF-8 bytes', () => {
    const table = new NameTable();
    expect(['b', 'a', 'b', 'états', '東京', 'a', '😀'].map((n) => table.id(n))).toEqual([0, 1, 0, 2, 3, 1, 4]);
    for (const [name, id] of [['états', 2], ['東京', 3], ['😀', 4], ['b', 0]] as const) {
      const bytes = utf8(`\t${name}\t`);
      expect(table.find(bytes, 1, bytes.length - 1, hashBytes(bytes, 1, bytes.length - 1))).toBe(id);
    }
    const fresh = utf8('new');
    expect(table.find(fresh, 0, 3, hashBytes(fresh, 0, 3))).toBe(-1);
    expect(table.add(fresh, 0, 3, hashBytes(fresh, 0, 3), 'new')).toBe(5);
    expect(table.id('new')).toBe(5);
    expect(table.names).toEqual(['b', 'a', 'états', '東京', '😀', 'new']);
  });

  it('keeps names with a lone surrogate apart from U+FFFD and from each other', () => {
    const table = new NameTable();
    const ids = ['\ufffd', 'x\ud800', 'x\udc00', 'x\ufffd', 'x\ud800', 'y'].map((n) => table.id(n));
    expect(ids).toEqual([0, 1, 2, 3, 1, 4]);
    expect(table.names).toEqual(['\ufffd', 'x\ud800', 'x\udc00', 'x\ufffd', 'y']);
  });

  it('holds 100,000 names through its rehashes, long names and the empty name included', () => {
    const table = new NameTable();
    const names = Array.from({ length: 100_000 }, (_, i) => (i % 1000 === 0 ? `${'long-'.repeat(60)}${i}` : i === 5 ? '' : `e${(i * 7919) % 100_003}`));
    const ids = names.map((n) => table.id(n));
    expect(ids).toEqual(names.map((_, i) => i));
    expect(names.map((n) => table.id(n))).toEqual(ids);
    expect(table.names.length).toBe(100_000);
  });
});

describe('ByteNameIndex', () => {
  it('finds only the exact bytes, also when hashes collide', () => {
    const index = new ByteNameIndex(4);
    const a = utf8('abc'), b = utf8('abd'), c = utf8('ab');
    expect(index.add(a, 0, 3, 42)).toBe(0);
    expect(index.add(b, 0, 3, 42)).toBe(1); // the same (forced) hash: told apart by the bytes
    expect(index.add(c, 0, 2, 42)).toBe(2); // and by the length
    expect([index.find(a, 0, 3, 42), index.find(b, 0, 3, 42), index.find(c, 0, 2, 42), index.find(utf8('abe'), 0, 3, 42)]).toEqual([0, 1, 2, -1]);
    expect(Array.from(index.bytesOf(1))).toEqual(Array.from(b));
    expect(index.size).toBe(3);
  });
});
