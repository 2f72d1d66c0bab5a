import { describe, it, expect } from 'vitest';
import { Vocabulary } from '../../src/kg/vocabulary.js';
import { KgInputError } from '../../src/kg/errors.js';

describe('Vocabulary', () => {
  it('assigns ids in UTF-16 code-unit order, ignoring input order and duplicates', () => {
    const vocabulary = Vocabulary.fromNames(['b', 'a', 'ä', 'B', 'a', '10', '9']);
    // code units: '1' 0x31 < '9' 0x39 < 'B' 0x42 < 'a' 0x61 < 'b' 0x62 < 'ä' 0xE4
    expect(vocabulary.names).toEqual(['10', '9', 'B', 'a', 'b', 'ä']);
    expect(vocabulary.size).toBe(6);
    expect(vocabulary.id('a')).toBe(3);
    expect(vocabulary.id('ä')).toBe(5);
    expect(vocabulary.id('missing')).toBeUndefined();
    expect(vocabulary.name(2)).toBe('B');
  });

  it('is deterministic: any permutation of the names gives the same ids', () => {
    const names = ['/m/09c7w0', '/m/027rn', '/m/06cx9', '/m/0170z3', '00260881'];
    const reference = Vocabulary.fromNames(names).toJSON();
    expect(Vocabulary.fromNames([...names].reverse()).toJSON()).toEqual(reference);
    expect(Vocabulary.fromNames(new Set([names[2]!, names[0]!, names[4]!, names[1]!, names[3]!])).toJSON()).toEqual(reference);
    expect(reference).toEqual(['/m/0170z3', '/m/027rn', '/m/06cx9', '/m/09c7w0', '00260881']);
  });

  it('fromUniqueNames gives the ids of fromNames and finds names by id and by name', () => {
    const names = ['b', 'a', 'ä', 'B', '10', '9', '😀', '\uffff'];
    const vocabulary = Vocabulary.fromUniqueNames([...names]);
    expect(vocabulary.toJSON()).toEqual(Vocabulary.fromNames(names).toJSON());
    expect(vocabulary.toJSON()).toEqual(['10', '9', 'B', 'a', 'b', 'ä', '😀', '\uffff']); // a surrogate pair sorts below U+FFFF (code units)
    expect(vocabulary.name(5)).toBe('ä');
    expect(vocabulary.id('😀')).toBe(6);
    expect(vocabulary.idOrThrow('B')).toBe(2);
    expect(() => vocabulary.idOrThrow('zz', 'entity')).toThrow('unknown entity "zz" (vocabulary of 8 names)');
  });

  it('round-trips through JSON, keeping the saved order', () => {
    const vocabulary = Vocabulary.fromNames(['z', 'y', 'x']);
    const restored = Vocabulary.fromJSON(JSON.parse(JSON.stringify(vocabulary)));
    expect(restored.names).toEqual(['x', 'y', 'z']);
    expect(restored.id('z')).toBe(2);
    const unsorted = Vocabulary.fromJSON(['q', 'p']);
    expect(unsorted.id('q')).toBe(0);
    expect(unsorted.name(1)).toBe('p');
  });

  it('rejects malformed JSON with clear errors', () => {
    expect(() => Vocabulary.fromJSON({ names: [] })).toThrow(KgInputError);
    expect(() => Vocabulary.fromJSON({ names: [] })).toThrow('vocabulary: expected an array of names, got object');
    expect(() => Vocabulary.fromJSON(null)).toThrow('expected an array of names, got null');
    expect(() => Vocabulary.fromJSON(['a', 3])).toThrow('vocabulary: entry 1 is number, expected a string');
    expect(() => Vocabulary.fromJSON(['a', 'b', 'a'])).toThrow('vocabulary: entry 2 "a" is a duplicate');
  });

  it('idOrThrow and name report unknown names and ids', () => {
    const vocabulary = Vocabulary.fromNames(['a', 'b']);
    expect(vocabulary.idOrThrow('b', 'entity')).toBe(1);
    expect(() => vocabulary.idOrThrow('c', 'entity')).toThrow('unknown entity "c" (vocabulary of 2 names)');
    expect(() => vocabulary.name(2)).toThrow(RangeError);
    expect(() => vocabulary.name(-1)).toThrow('id -1 outside vocabulary of 2 names');
    expect(() => vocabulary.name(0.5)).toThrow(RangeError);
  });

  it('exposes an immutable names array', () => {
    const vocabulary = Vocabulary.fromNames(['a']);
    expect(() => (vocabulary.names as string[]).push('b')).toThrow(TypeError);
    expect(vocabulary.size).toBe(1);
  });
});
