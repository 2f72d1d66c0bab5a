/**
 * Turning what a user typed into an entity or relation id. In order: the exact vocabulary key (`00001740`,
 * `/m/027rn`, `_hypernym`), an explicit id (`id:123` or `#123`), the key ignoring case, the readable name from
 * `entity_names.tsv` ignoring case (`Breathe.V.01`), a relation key without its leading underscore
 * (`hypernym`), and finally a bare number as an id — only in a vocabulary none of whose keys is a number (in
 * WN18RR's, `00260881` mistyped must not land on an unrelated entity by its row). Unknown input gets the closest keys and names (name-match.ts:
 * prefix matches first, then by edit distance, a word inside, or a long shared start); a name shared by several
 * entities is an error listing them.
 */
import { LookupError } from './errors.js';
import { MAX_NAME_LENGTH } from '../kg/name-limits.js';
import { SuggestionIndex } from './name-match.js';

/** Longest input accepted (longer is invalid, not "not found"): the longest name a model can hold (kg/name-limits.ts). */
export { MAX_NAME_LENGTH };
const SUGGESTIONS = 5;

const fold = (text: string): string => text.normalize('NFC').toLowerCase();

/** Adds id to the list under key. */
function addTo(map: Map<string, number[]>, key: string, id: number): void {
  const list = map.get(key);
  if (list) list.push(id);
  else map.set(key, [id]);
}

/** Resolves names of one vocabulary (entities or relations). */
export class NameResolver {
  private readonly exact = new Map<string, number>();
  private readonly foldedKeys = new Map<string, number[]>();
  private readonly foldedNames = new Map<string, number[]>();
  /** Folded key and name of each id (what suggestions compare against). */
  private readonly foldedKeyOf: string[] = [];
  private readonly foldedNameOf: Array<string | undefined> = [];
  private suggestions?: SuggestionIndex;
  /** Whether some key is a number (then a bare number is a key or unknown, never an id). */
  private readonly numberKeys: boolean;

  /** `kind` names the vocabulary in messages; `names(id)` gives an optional readable name. */
  constructor(readonly kind: 'entity' | 'relation', private readonly keys: readonly string[], private readonly names: (id: number) => string | undefined = () => undefined) {
    keys.forEach((key, id) => {
      if (!this.exact.has(key)) this.exact.set(key, id);
      const foldedKey = fold(key);
      addTo(this.foldedKeys, foldedKey, id);
      this.foldedKeyOf.push(foldedKey);
      const name = names(id);
      const foldedName = name === undefined ? undefined : fold(name);
      if (foldedName !== undefined) addTo(this.foldedNames, foldedName, id);
      this.foldedNameOf.push(foldedName);
    });
    this.numberKeys = keys.some((key) => /^\d+$/.test(key));
  }

  /** Whether some id has a readable name (the dataset's entity_names.tsv names at least one). */
  get named(): boolean {
    return this.foldedNames.size > 0;
  }

  /** Number of ids. */
  get size(): number {
    return this.keys.length;
  }

  /** The vocabulary key of an id. */
  key(id: number): string {
    return this.keys[id]!;
  }

  /** The readable name of an id, if the dataset has one. */
  name(id: number): string | undefined {
    return this.names(id);
  }

  /** "key (name)" or just the key. */
  describe(id: number): string {
    const name = this.names(id);
    return name !== undefined && name !== this.keys[id] ? `${this.keys[id]} (${name})` : this.keys[id]!;
  }

  /** The id `input` stands for; throws a LookupError (invalid, not-found or ambiguous) otherwise. */
  resolve(input: unknown): number {
    if (typeof input === 'number' && Number.isInteger(input)) return this.checkId(input, String(input));
    if (typeof input !== 'string') throw new LookupError('invalid', `${this.kind} must be a name or an id, got ${typeof input}`);
    const text = input.trim();
    if (text === '') throw new LookupError('invalid', `empty ${this.kind} name`);
    if (text.length > MAX_NAME_LENGTH) throw new LookupError('invalid', `${this.kind} name longer than ${MAX_NAME_LENGTH} characters`);
    const exact = this.exact.get(text);
    if (exact !== undefined) return exact;
    const explicit = /^(?:id:|#)\s*(-?\d{1,15})$/i.exec(text);
    if (explicit) return this.checkId(Number(explicit[1]), text);
    const folded = fold(text);
    const byKey = this.foldedKeys.get(folded);
    if (byKey) return this.unique(byKey, text);
    const byName = this.foldedNames.get(folded);
    if (byName) return this.unique(byName, text);
    if (this.kind === 'relation') {
      const underscored = this.foldedKeys.get(`_${folded}`);
      if (underscored) return this.unique(underscored, text);
    }
    if (/^\d{1,15}$/.test(text)) {
      if (!this.numberKeys) return this.checkId(Number(text), text, true);
      throw this.notFound(`unknown ${this.kind} '${text}' (its keys are numbers, so a number is read as a key; an id is written id:${text} or #${text})`, text);
    }
    throw this.notFound(`unknown ${this.kind} '${text}'`, text);
  }

  /** A not-found error with the entries close to `text` as suggestions ("key (name)") and their keys. */
  private notFound(message: string, text: string): LookupError {
    const ids = this.suggestIds(text);
    return new LookupError('not-found', message, ids.map((id) => this.describe(id)), ids.map((id) => this.key(id)));
  }

  /** Up to five keys or names close to `input`, closest first (name-match.ts). */
  suggest(input: string): string[] {
    return this.suggestIds(input).map((id) => this.describe(id));
  }

  /** Ids of up to `count` entries whose key or name is close to `input`, closest first (one pass over the vocabulary). */
  suggestIds(input: string, count = SUGGESTIONS): number[] {
    const query = fold(input.trim()).slice(0, 64);
    if (query === '') return [];
    this.suggestions ??= new SuggestionIndex(this.foldedKeyOf, this.foldedNameOf); // made at the first unknown name
    return this.suggestions.closest(query, count);
  }

  /** `id` when it is in range; else a not-found error (with suggestions for a bare number, which may be a mistyped key). */
  private checkId(id: number, text: string, bare = false): number {
    if (!Number.isSafeInteger(id) || id < 0 || id >= this.keys.length) {
      const range = `${this.kind} id ${text} out of range (there are ${this.keys.length} ${this.kind === 'entity' ? 'entities' : 'relations'}, ids 0–${this.keys.length - 1})`;
      throw bare ? this.notFound(range, text) : new LookupError('not-found', range);
    }
    return id;
  }

  private unique(ids: number[], text: string): number {
    if (ids.length === 1) return ids[0]!;
    const shown = ids.slice(0, 8);
    const listed = shown.map((id) => `${this.describe(id)} = id:${id}`);
    // the entries it matches are its suggestions too (the page's buttons), by key: each key is one entry
    throw new LookupError('ambiguous', `'${text}' matches ${ids.length} ${this.kind === 'entity' ? 'entities' : 'relations'}: ${listed.join(', ')}${ids.length > 8 ? ', …' : ''}; give the key or id`,
      shown.map((id) => this.describe(id)), shown.map((id) => this.key(id)));
  }
}
