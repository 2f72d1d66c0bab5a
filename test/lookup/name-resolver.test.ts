import { describe, expect, it } from 'vitest';
import { NameResolver, MAX_NAME_LENGTH } from '../../src/lookup/name-resolver.js';
import { LookupError, resolvedAs } from '../../src/lookup/errors.js';

const keys = ['00001740', '00002137', '02084071', '02084442', '02121620', 'Dup', 'dup', '7'];
const names = new Map<string, string>([
  ['00001740', 'breathe.v.01'], ['00002137', 'abstraction.n.06'], ['02084071', 'dog.n.01'], ['02084442', 'puppy.n.01'],
  ['02121620', 'Zürich'], ['Dup', 'shared'], ['dup', 'Shared'],
]);
const entities = new NameResolver('entity', keys, (id) => names.get(keys[id]!));
const relations = new NameResolver('relation', ['_hypernym', '_member_of_domain_usage', '/film/film/genre']);

/** The LookupError thrown by fn. */
function errorOf(fn: () => unknown): LookupError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(LookupError);
    return error as LookupError;
  }
  throw new Error('expected a LookupError');
}

describe('entity and relation names', () => {
  it('resolves keys exactly, explicit and bare ids, keys and names ignoring case', () => {
    expect(entities.resolve('02084071')).toBe(2);
    expect(entities.resolve('7')).toBe(7); // a key wins over the id 7 ...
    expect(entities.resolve('id:7')).toBe(7);
    expect(entities.resolve('#3')).toBe(3);
    // ... and a bare number that is no key is unknown where keys are numbers (a mistyped key must not land on a row) ...
    const bare = errorOf(() => entities.resolve('4'));
    expect(bare.kind).toBe('not-found');
    expect(bare.message).toMatch(/^unknown entity '4' \(its keys are numbers, so a number is read as a key; an id is written id:4 or #4\); did you mean: /);
    expect(entities.resolve(4)).toBe(4); // (a JSON number is an id)
    expect(entities.resolve('  DOG.N.01 ')).toBe(2);
    expect(entities.resolve('Breathe.V.01')).toBe(0);
    expect(entities.resolve('Dup')).toBe(5); // exact key before case-folding
    expect(relations.resolve('HYPERNYM')).toBe(0);
    expect(relations.resolve('_Hypernym')).toBe(0);
    expect(relations.resolve('/FILM/film/genre')).toBe(2);
    expect(relations.resolve('1')).toBe(1); // ... and an id where no key is a number
  });

  it('matches unicode names case-insensitively and in either normal form', () => {
    expect(entities.resolve('zürich')).toBe(4);
    expect(entities.resolve('ZU\u0308RICH')).toBe(4); // decomposed ü
    const error = errorOf(() => entities.resolve('Zurich'));
    expect(error.kind).toBe('not-found');
    expect(error.suggestions[0]).toBe('02121620 (Zürich)');
  });

  it('unknown names get close suggestions: prefixes first, then Levenshtein distance', () => {
    const byPrefix = errorOf(() => entities.resolve('breathe'));
    expect(byPrefix.message).toBe("unknown entity 'breathe'; did you mean: 00001740 (breathe.v.01)?");
    expect(errorOf(() => entities.resolve('dgo.n.01')).suggestions[0]).toBe('02084071 (dog.n.01)');
    expect(errorOf(() => entities.resolve('pupy.n.01')).suggestions[0]).toBe('02084442 (puppy.n.01)');
    expect(errorOf(() => relations.resolve('hypernim')).message).toBe("unknown relation 'hypernim'; did you mean: _hypernym?");
    expect(errorOf(() => entities.resolve('qqqqqqqqqqqq')).suggestions).toEqual([]);
  });

  it('a name shared by several entities is ambiguous, listing them with their ids', () => {
    const error = errorOf(() => entities.resolve('SHARED'));
    expect(error.kind).toBe('ambiguous');
    expect(error.message).toBe("'SHARED' matches 2 entities: Dup (shared) = id:5, dup (Shared) = id:6; give the key or id");
    expect(errorOf(() => entities.resolve('DUP')).kind).toBe('ambiguous');
    // the entries it matches are its suggestions, by key (the page's buttons), and its message lists them once
    expect(errorOf(() => entities.resolve('SHARED')).suggestionKeys).toEqual(['Dup', 'dup']);
    expect(errorOf(() => entities.resolve('SHARED')).message).not.toContain('did you mean');
  });

  it('rejects out-of-range ids, empty, overlong and non-string input', () => {
    expect(errorOf(() => entities.resolve('id:8')).message).toMatch(/entity id id:8 out of range \(there are 8 entities, ids 0–7\)/);
    expect(errorOf(() => entities.resolve('id:-1')).message).toBe('entity id id:-1 out of range (there are 8 entities, ids 0–7)'); // it said only "unknown entity"
    expect(errorOf(() => entities.resolve('99999')).kind).toBe('not-found');
    expect(errorOf(() => entities.resolve(-1)).kind).toBe('not-found');
    expect(errorOf(() => entities.resolve('   ')).kind).toBe('invalid');
    expect(errorOf(() => entities.resolve('x'.repeat(MAX_NAME_LENGTH + 1))).kind).toBe('invalid');
    expect(errorOf(() => entities.resolve({ name: 'dog' })).kind).toBe('invalid');
    expect(errorOf(() => entities.resolve(1.5)).kind).toBe('invalid');
    expect(errorOf(() => relations.resolve('id:3')).kind).toBe('not-found');
  });

  it('finds every name a triple file may hold (up to 4,096 characters: it refused past 512, so a long IRI read into a model could not be asked for)', () => {
    const long = `http://example.org/${'x'.repeat(1000)}`;
    const resolver = new NameResolver('entity', ['a', long]);
    expect(resolver.resolve(long)).toBe(1);
    expect(MAX_NAME_LENGTH).toBe(4096);
    expect(errorOf(() => resolver.resolve('y'.repeat(4097))).message).toBe('entity name longer than 4096 characters');
  });
});

describe('NameResolver.named', () => {
  it('says whether any id has a readable name, not only id 0 (what /models reports as entityNames)', () => {
    const laterNames = ['a', 'b', 'c'];
    expect(new NameResolver('entity', laterNames, (id) => (id === 2 ? 'Cee' : undefined)).named).toBe(true);
    expect(new NameResolver('entity', laterNames).named).toBe(false);
    expect(entities.named).toBe(true);
    expect(relations.named).toBe(false);
  });
});

describe('the keys of suggestions', () => {
  it('come beside the suggestions\' words, so a key holding " (" is picked whole (not cut at its first " (")', () => {
    const keys = ['Paris (France)', 'Paris (Texas)', 'e3'];
    const resolver = new NameResolver('entity', keys, (id) => (id === 2 ? 'Paris' : undefined));
    const error = errorOf(() => resolver.resolve('Paris (Frnce)'));
    expect(error.suggestions[0]).toBe('Paris (France)');
    expect(error.suggestionKeys).toHaveLength(error.suggestions.length);
    expect(error.suggestionKeys[0]).toBe('Paris (France)');
    error.suggestions.forEach((words, i) => expect(words.startsWith(error.suggestionKeys[i]!)).toBe(true));
    const roled = errorOf(() => resolvedAs('tail', () => resolver.resolve('Paris (Frnce)'))); // kept when a role is added
    expect(roled.suggestionKeys).toEqual(error.suggestionKeys);
    expect(errorOf(() => entities.resolve('99')).suggestionKeys).toEqual(errorOf(() => entities.resolve('99')).suggestions.map((s) => s.split(' (')[0])); // a bare number out of range
  });
});
