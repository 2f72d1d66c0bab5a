/**
 * A header line `--header auto` did not recognise. Headers in the words of common exports (head/relation/tail,
 * subject/predicate/object, from/label/to, …) are recognised by the reader (triple-reader.ts); a header in other
 * words is read as a triple. Such a "triple" has a tell: none of its three names occurs anywhere else in the dataset,
 * which a real first triple of a graph almost never shows. The load report then names the line, so the user can say
 * `--header yes` (skip it) or `--header no` (it is a triple). Only train's first line is looked at (the same line atop
 * valid and test, as an export repeats its header, is not counted as another line with its names): a header in valid
 * or test alone is already reported as a triple with names unseen in train.
 */
import type { NameTable } from './name-table.js';
import type { TripleIds } from './triple-reader.js';

/** The first line of train when it may be a header: its line number and its three fields as read. */
export interface SuspectHeader {
  line: number;
  fields: [head: string, relation: string, tail: string];
}

/**
 * Whether the header-like `first` triple (head, relation, tail; its head not its tail) shares a name with any of
 * `others`: its relation as theirs, its head or tail as their head or tail. A real graph's first relation recurs
 * within its first lines, so the scan ends early for a triple; only a header is scanned to the end.
 */
export function sharesAName<T>(first: readonly [T, T, T], others: Iterable<readonly [T, T, T]>): boolean {
  const [h, r, t] = first;
  for (const [head, relation, tail] of others) {
    if (relation === r || head === h || head === t || tail === h || tail === t) return true;
  }
  return false;
}

/**
 * The id triples of `splits`, but for the first of `train` and a first line of valid or test that is the same triple
 * (the same header atop each file, as an export writes it: those are not other lines sharing its names).
 */
function* triplesBesideFirst(splits: readonly TripleIds[], train: TripleIds, first: readonly [number, number, number]): Generator<[number, number, number]> {
  for (const split of splits) {
    const triples = split.triples;
    const sameFirst = triples.length >= 3 && triples[0] === first[0] && triples[1] === first[1] && triples[2] === first[2];
    for (let i = split === train || sameFirst ? 3 : 0; i < triples.length; i += 3) yield [triples[i]!, triples[i + 1]!, triples[i + 2]!];
  }
}

/** The first train line when its head, relation and tail each occur nowhere else in the three splits; else undefined. */
export function suspectHeader(splits: readonly TripleIds[], train: TripleIds, names: { entities: NameTable; relations: NameTable }): SuspectHeader | undefined {
  if (train.triples.length === 0) return undefined;
  const first: [number, number, number] = [train.triples[0]!, train.triples[1]!, train.triples[2]!];
  if (first[0] === first[2] || sharesAName(first, triplesBesideFirst(splits, train, first))) return undefined;
  const [h, r, t] = first;
  return { line: train.lines[0]!, fields: [names.entities.names[h]!, names.relations.names[r]!, names.entities.names[t]!] };
}

/** The load report's line about it. */
export function suspectHeaderLine(file: string, suspect: SuspectHeader): string {
  return `${file}:${suspect.line}: "${suspect.fields.join('", "')}" may be a header — none of these names occurs anywhere else; --header yes skips it and the first line of valid and test alike (if only this file has such a line, delete it there instead), --header no reads it as a triple (without this note)`;
}
