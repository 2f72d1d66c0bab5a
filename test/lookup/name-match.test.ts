import { describe, expect, it } from 'vitest';
import { NameResolver } from '../../src/lookup/name-resolver.js';
import { LookupError } from '../../src/lookup/errors.js';
import { Closest, TypedName, charMask } from '../../src/lookup/name-match.js';

// a WordNet-like vocabulary (keys are synset offsets) and a Freebase-like one (keys are mids)
const wordnet: Array<[string, string]> = [
  ['02084071', 'dog.n.01'], ['10023039', 'dog.n.03'], ['06790042', 'dogma.n.01'], ['04864515', 'doggedness.n.01'],
  ['02087122', 'hunting_dog.n.01'], ['02085374', 'toy_dog.n.01'], ['02131653', 'bulldog.n.01'], ['02083346', 'canine.n.02'],
  ['04025130', 'puppet.n.03'], ['10493685', 'puppeteer.n.01'], ['00001740', 'breathe.v.01'], ['15292069', 'go.n.01'],
  ['07508806', 'ego.n.01'], ['09225943', 'bog.n.01'],
];
const freebase: Array<[string, string]> = [
  ['/m/02mjmr', 'Barack Obama'], ['/m/0chrx', 'Omaha'], ['/m/08966', 'Zürich'], ['/m/01tpvt', 'University of Zurich'],
  ['/m/072x7s', 'Munich'], ['/m/010016', 'Denton'], ['/m/059rby', 'New York'], ['/m/02_286', 'New York City'],
];
const resolver = (pairs: Array<[string, string]>): NameResolver => new NameResolver('entity', pairs.map((p) => p[0]), (id) => pairs[id]![1]);
const wn = resolver(wordnet);
const fb = resolver(freebase);
const relations = new NameResolver('relation', ['_hypernym', '_member_meronym', '_has_part', '/film/film/genre']);

/** The suggestions of the LookupError that resolving `input` throws. */
function suggestionsFor(names: NameResolver, input: string): readonly string[] {
  try {
    names.resolve(input);
  } catch (error) {
    expect(error).toBeInstanceOf(LookupError);
    expect((error as LookupError).kind).toBe('not-found');
    return (error as LookupError).suggestions;
  }
  throw new Error(`'${input}' resolved`);
}

describe('suggestions for unknown names', () => {
  it('a name that only starts like known ones gets them, the closest word first', () => {
    expect(suggestionsFor(wn, 'doggy')).toEqual(['02084071 (dog.n.01)', '10023039 (dog.n.03)', '06790042 (dogma.n.01)', '04864515 (doggedness.n.01)']);
    expect(suggestionsFor(wn, 'hunting_dogs')[0]).toBe('02087122 (hunting_dog.n.01)');
    expect(suggestionsFor(wn, 'caninee')).toEqual(['02083346 (canine.n.02)']);
    expect(suggestionsFor(wn, 'puppetry')).toEqual(['04025130 (puppet.n.03)', '10493685 (puppeteer.n.01)']);
    expect(suggestionsFor(fb, 'denton texas')).toEqual(['/m/010016 (Denton)']);
  });

  it('prefixes, one edit and a swap come first; then a later word; then more edits or a part of a word', () => {
    expect(suggestionsFor(wn, 'dog')).toEqual(['02084071 (dog.n.01)', '10023039 (dog.n.03)', '06790042 (dogma.n.01)', '04864515 (doggedness.n.01)', '02085374 (toy_dog.n.01)']);
    expect(suggestionsFor(wn, 'dog.n.1')).toEqual(['02084071 (dog.n.01)', '10023039 (dog.n.03)', '09225943 (bog.n.01)']);
    expect(suggestionsFor(wn, 'dgo.n.01')).toEqual(['15292069 (go.n.01)', '02084071 (dog.n.01)', '07508806 (ego.n.01)']);
    expect(suggestionsFor(fb, 'obama')).toEqual(['/m/02mjmr (Barack Obama)', '/m/0chrx (Omaha)']);
    expect(suggestionsFor(fb, 'zurich')).toEqual(['/m/08966 (Zürich)', '/m/01tpvt (University of Zurich)', '/m/072x7s (Munich)']);
    expect(suggestionsFor(fb, 'new yrok')).toEqual(['/m/059rby (New York)', '/m/02_286 (New York City)']);
    expect(suggestionsFor(relations, 'meronym')).toEqual(['_member_meronym']);
    expect(suggestionsFor(relations, 'has part')).toEqual(['_has_part']);
  });

  it('keys are suggested too (a number past the ids may be a mistyped key), and nothing when nothing is close', () => {
    expect(suggestionsFor(wn, '0208407')).toEqual(['02084071 (dog.n.01)', '02085374 (toy_dog.n.01)', '02083346 (canine.n.02)', '02087122 (hunting_dog.n.01)']);
    expect(suggestionsFor(fb, '/m/02mj')[0]).toBe('/m/02mjmr (Barack Obama)');
    for (const far of ['qqqqqqqqqqqq', 'xyz', 'zebra crossing']) expect(suggestionsFor(wn, far)).toEqual([]);
    expect(wn.suggestIds('dog', 2)).toEqual([0, 1]);
    expect(wn.suggestIds('dog', 0)).toEqual([]);
  });

  it('closeness of one candidate, and the bar that skips what cannot be kept', () => {
    const typed = new TypedName('doggy');
    expect(typed.limit).toBe(2);
    expect(typed.closeness('doggy.n.01')).toBe(0);
    expect(typed.closeness('dog.n.01')).toBe(2.5);
    expect(typed.closeness('doggedness.n.01')).toBe(6.5);
    expect(typed.closeness('hotdoggy')).toBe(2.5);
    expect(typed.closeness('hot doggy')).toBe(1.5);
    expect(typed.closeness('dodgy')).toBe(1);
    expect(typed.closeness('dogs')).toBe(2);
    expect(typed.closeness('dogyg')).toBe(1);
    expect(typed.closeness('cat.n.01')).toBeUndefined();
    expect(typed.closeness('dog.n.01', charMask('dog.n.01'), 1)).toBeUndefined();
    expect(charMask('ab') >>> 0).toBe(0b11);
    expect(charMask('01') >>> 0).toBe(1 << 26);
    expect(charMask('-') >>> 0).toBe(2 ** 31);
  });

  it('keeps the closest few, ordered by closeness, length, text and id', () => {
    const closest = new Closest(3);
    expect(closest.bar()).toBe(Infinity);
    closest.offer(0, 2, 'bbbb');
    closest.offer(1, 1, 'zz');
    closest.offer(2, 2, 'aaaa');
    closest.offer(3, 2, 'aaa');
    expect(closest.ids()).toEqual([1, 3, 2]);
    expect(closest.bar()).toBe(2);
    closest.offer(4, 5, 'a');
    closest.offer(5, 2, 'aaaa');
    expect(closest.ids()).toEqual([1, 3, 2]);
    const none = new Closest(0);
    none.offer(0, 0, 'a');
    expect([none.ids(), none.bar()]).toEqual([[], -Infinity]);
  });
});
