/**
 * How close a vocabulary key or name is to what a user typed, for "did you mean" suggestions (name-resolver.ts).
 * Both sides are folded (NFC, lower case) by the caller. A candidate's closeness is a number, lower is closer:
 *
 *   0       the candidate starts with the query ("dog" → dog.n.01)
 *   1       one edit away (Levenshtein), or two adjacent characters swapped ("dgo.n.01" → dog.n.01)
 *   1.5     the query starts a later word of the candidate ("obama" → Barack Obama, "hypernym" → _hypernym)
 *   d       d ≤ limit edits away (limit: a third of the query, at least 2)
 *   2.5     the query inside a word of the candidate ("dog" → bulldog)
 *   e + 0.5 the candidate starts with the query's first characters (at least 3, and half the query); e = the edits
 *           from the query to the candidate cut at the end of the word those characters end in ("doggy" → dog.n.01:
 *           e = 2 to "dog", before doggedness.n.01: 6 to "doggedness"; "denton texas" → Denton: e = 6)
 *
 * Every test costs at most one pass over the two strings, apart from the edit distances: the whole one only when the
 * lengths differ by at most the limit (the distance is at least that difference), the cut one only for a shared
 * start. Equal closeness is ordered by the candidate's length, then its text, then its id.
 */
import { distance as editDistance } from 'fastest-levenshtein';

/** Shortest query looked for inside candidates. */
const MIN_INSIDE = 3;
/** Shortest shared start that counts ("dog" of "doggy"). */
const MIN_SHARED_START = 3;

const WORD_CHAR = /[\p{L}\p{N}]/u;

/** Whether the code unit before `at` ends a word (anything but a letter or digit: space, `_`, `.`, `/`, `-`, …). */
function wordStart(text: string, at: number): boolean {
  return !WORD_CHAR.test(text[at - 1]!);
}

/** Where the word that `text[at - 1]` belongs to ends (`at` itself when it ends there). */
function wordEnd(text: string, at: number): number {
  let end = at;
  if (end > 0 && !WORD_CHAR.test(text[end - 1]!)) return end;
  while (end < text.length && WORD_CHAR.test(text[end]!)) end++;
  return end;
}

/** Whether `a` and `b` (of equal length, two edits apart) differ by one swap of adjacent characters. */
function swapped(a: string, b: string): boolean {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i + 1 < a.length && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
}

/** A bit per kind of character: a–z one each, digits two to a bit, anything else the last bit. */
function charBit(code: number): number {
  if (code >= 97 && code <= 122) return 1 << (code - 97);
  if (code >= 48 && code <= 57) return 1 << (26 + ((code - 48) >> 1));
  return 1 << 31;
}

/** The character bits of a text (a lower bound of the edit distance of two texts is the bits one of them lacks). */
export function charMask(text: string): number {
  let mask = 0;
  for (let i = 0; i < text.length; i++) mask |= charBit(text.charCodeAt(i));
  return mask;
}

/** Number of set bits. */
function bitCount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

/** What a user typed, folded, with what every comparison needs. */
export class TypedName {
  /** The most edits a candidate may be away (a third of the text, at least 2). */
  readonly limit: number;
  private readonly mask: number;

  constructor(readonly text: string) {
    this.limit = Math.max(2, Math.floor(text.length / 3));
    this.mask = charMask(text);
  }

  /**
   * The closeness of a folded candidate (see the file comment), or undefined when it is not close; `mask` is its
   * charMask. With `bar`, a closeness above it may be given as undefined (the work that cannot reach it is skipped).
   */
  closeness(candidate: string, mask = charMask(candidate), bar = Infinity): number | undefined {
    const query = this.text;
    if (candidate.startsWith(query)) return 0;
    let best = Infinity;
    let distance: number | undefined;
    // the distance is at least the length difference, and at least the kinds of character the candidate lacks
    const least = Math.max(Math.abs(candidate.length - query.length), bitCount(this.mask & ~mask));
    if (least <= this.limit && least <= bar) {
      distance = editDistance(query, candidate); // Levenshtein (fastest-levenshtein, bit-parallel)
      if (distance <= this.limit) best = distance === 2 && query.length === candidate.length && swapped(query, candidate) ? 1 : distance;
    }
    if (best <= 1 || bar < 1.5) return best === Infinity ? undefined : best;
    if (query.length >= MIN_INSIDE) {
      for (let at = candidate.indexOf(query, 1); at > 0; at = candidate.indexOf(query, at + 1)) {
        if (wordStart(candidate, at)) return 1.5;
        best = Math.min(best, 2.5);
      }
    }
    let shared = 0;
    while (shared < query.length && query.charCodeAt(shared) === candidate.charCodeAt(shared)) shared++;
    if (shared >= MIN_SHARED_START && 2 * shared >= query.length) {
      const cut = wordEnd(candidate, shared);
      if (cut === candidate.length && distance !== undefined) best = Math.min(best, distance + 0.5);
      else if (Math.abs(query.length - cut) + 0.5 <= Math.min(bar, best)) best = Math.min(best, editDistance(query, candidate.slice(0, cut)) + 0.5);
    }
    return best === Infinity ? undefined : best;
  }
}

/** The folded keys and names of a vocabulary with their character masks, for suggestions. */
export class SuggestionIndex {
  private readonly keyMasks: Int32Array;
  private readonly nameMasks: Int32Array;

  /** `keys[id]` and `names[id]` folded (NFC, lower case). */
  constructor(private readonly keys: readonly string[], private readonly names: ReadonlyArray<string | undefined>) {
    this.keyMasks = Int32Array.from(keys, charMask);
    this.nameMasks = Int32Array.from(names, (name) => (name === undefined ? 0 : charMask(name)));
  }

  /** Ids of the `count` keys or names closest to the folded `query`, closest first (one pass over the vocabulary). */
  closest(query: string, count: number): number[] {
    if (count <= 0) return [];
    const typed = new TypedName(query);
    const closest = new Closest(count);
    for (let id = 0; id < this.keys.length; id++) {
      const key = this.keys[id]!;
      const name = this.names[id];
      const bar = closest.bar();
      const byName = name === undefined ? undefined : typed.closeness(name, this.nameMasks[id]!, bar);
      const byKey = byName === 0 ? undefined : typed.closeness(key, this.keyMasks[id]!, Math.min(bar, byName ?? Infinity));
      if (byKey !== undefined && (byName === undefined || byKey < byName)) closest.offer(id, byKey, key);
      else if (byName !== undefined) closest.offer(id, byName, name!);
    }
    return closest.ids();
  }
}

/** The `count` closest candidates offered, each id offered at most once. */
export class Closest {
  private readonly found: Array<{ id: number; score: number; text: string }> = [];

  constructor(private readonly count: number) {}

  /** Keeps id when it is among the closest so far. */
  offer(id: number, score: number, text: string): void {
    const found = this.found;
    if (this.count <= 0) return;
    if (found.length === this.count && !this.before(score, text, id, found[found.length - 1]!)) return;
    let at = found.length;
    while (at > 0 && this.before(score, text, id, found[at - 1]!)) at--;
    found.splice(at, 0, { id, score, text });
    if (found.length > this.count) found.pop();
  }

  /** The largest closeness that can still be kept (Infinity until `count` are kept; −Infinity when none may be). */
  bar(): number {
    if (this.count <= 0) return -Infinity;
    return this.found.length < this.count ? Infinity : this.found[this.found.length - 1]!.score;
  }

  /** The kept ids, closest first. */
  ids(): number[] {
    return this.found.map((f) => f.id);
  }

  private before(score: number, text: string, id: number, other: { id: number; score: number; text: string }): boolean {
    if (score !== other.score) return score < other.score;
    if (text.length !== other.text.length) return text.length < other.text.length;
    if (text !== other.text) return text < other.text;
    return id < other.id;
  }
}
