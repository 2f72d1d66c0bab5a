/**
 * Deterministic name ↔ id mapping for entities or relations.
 *
 * Ids are the positions of the names sorted by plain UTF-16 code-unit comparison (JavaScript's default string
 * order, independent of locale), so the same set of names always gives the same ids, whatever the file order.
 * Saved with a model as the JSON array of names (`toJSON`) and restored with `fromJSON`.
 */
import { KgInputError } from './errors.js';

/** Deterministic, immutable mapping between names and dense integer ids. */
export class Vocabulary {
  readonly #names: readonly string[];
  #ids: Map<string, number> | undefined; // built on the first lookup by name (loading a dataset needs none)

  private constructor(sortedUniqueNames: string[]) {
    this.#names = Object.freeze(sortedUniqueNames);
  }

  /** Builds a vocabulary from names in any order, with duplicates; ids follow code-unit sorted order. */
  static fromNames(names: Iterable<string>): Vocabulary {
    return Vocabulary.fromUniqueNames([...new Set(names)]);
  }

  /** Builds a vocabulary from distinct names (not checked), sorting the array given; ids as with `fromNames`. */
  static fromUniqueNames(names: string[]): Vocabulary {
    names.sort(); // default sort compares UTF-16 code units: locale-independent and deterministic
    return new Vocabulary(names);
  }

  /** The name → id map, built on first use. */
  #lookup(): Map<string, number> {
    if (this.#ids === undefined) {
      const ids = new Map<string, number>();
      const names = this.#names;
      for (let id = 0; id < names.length; id++) ids.set(names[id]!, id);
      this.#ids = ids;
    }
    return this.#ids;
  }

  /** Restores a vocabulary saved with `toJSON`; requires an array of unique strings in the saved order. */
  static fromJSON(names: unknown): Vocabulary {
    if (!Array.isArray(names)) {
      throw new KgInputError('vocabulary', undefined, `expected an array of names, got ${names === null ? 'null' : typeof names}`);
    }
    const seen = new Set<string>();
    for (let i = 0; i < names.length; i++) {
      const name: unknown = names[i];
      if (typeof name !== 'string') {
        throw new KgInputError('vocabulary', undefined, `entry ${i} is ${name === null ? 'null' : typeof name}, expected a string`);
      }
      if (seen.has(name)) throw new KgInputError('vocabulary', undefined, `entry ${i} "${name}" is a duplicate`);
      seen.add(name);
    }
    return new Vocabulary([...(names as string[])]);
  }

  /** Number of names. */
  get size(): number {
    return this.#names.length;
  }

  /** All names, indexed by id. */
  get names(): readonly string[] {
    return this.#names;
  }

  /** Id of a name, or undefined when it is not in the vocabulary. */
  id(name: string): number | undefined {
    return this.#lookup().get(name);
  }

  /** Id of a name; throws a clear error naming the context (e.g. "entity in query") when unknown. */
  idOrThrow(name: string, context = 'name'): number {
    const id = this.#lookup().get(name);
    if (id === undefined) throw new Error(`unknown ${context} "${name}" (vocabulary of ${this.size} names)`);
    return id;
  }

  /** Name of an id; throws a RangeError for an id outside [0, size). */
  name(id: number): string {
    const name = this.#names[id];
    if (name === undefined || !Number.isInteger(id)) throw new RangeError(`id ${id} outside vocabulary of ${this.size} names`);
    return name;
  }

  /** The names in id order, for saving with a model. */
  toJSON(): string[] {
    return [...this.#names];
  }
}
