/**
 * A header line `--header auto` did not recognise. Headers in the words of common exports (head/relation/tail,
 * subject/predicate/object, from/label/to, …) are recognised by the reader (triple-reader.ts); a header in other
 * words is read as a triple. Such a "triple" has a tell: none of its three names occurs anywhere else in the dataset,
 * which a real first triple of a graph almost never shows. The load report then names the line, so the user can say
 * `--header yes` (skip it) or `--header no` (it is a triple). Only train's first line is looked at: a header in valid
 * or test is already reported as a triple with names unseen in train.
 */
import type { NameTable } from './name-table.js';
import type { TripleIds } from './triple-reader.js';

/** The first line of train when it may be a header: its line number and its three fields as read. */
export interface SuspectHeader {
  line: number;
  fields: [head: string, relation: string, tail: string];
}

/** The first train line when its head, relation and tail each occur nowhere else in the three splits; else undefined. */
export function suspectHeader(splits: readonly TripleIds[], train: TripleIds, names: { entities: NameTable; relations: NameTable }): SuspectHeader | undefined {
  if (train.triples.length === 0) return undefined;
  const [h, r, t] = [train.triples[0]!, train.triples[1]!, train.triples[2]!];
  if (h === t) return undefined;
  let entityUses = 0, relationUses = 0;
  for (const split of splits) {
    const triples = split.triples;
    for (let i = 0; i < triples.length; i += 3) {
      if (triples[i] === h || triples[i] === t) entityUses++;
      if (triples[i + 2] === h || triples[i + 2] === t) entityUses++;
      if (triples[i + 1] === r) relationUses++;
      // a name seen again: a triple, not a header (a real graph's first relation recurs within its first lines)
      if (entityUses > 2 || relationUses > 1) return undefined;
    }
  }
  return { line: train.lines[0]!, fields: [names.entities.names[h]!, names.relations.names[r]!, names.entities.names[t]!] };
}

/** The load report's line about it. */
export function suspectHeaderLine(file: string, suspect: SuspectHeader): string {
  return `${file}:${suspect.line}: "${suspect.fields.join('", "')}" may be a header — none of these names occurs anywhere else; --header yes skips it and the first line of valid and test alike (if only this file has such a line, delete it there instead), --header no reads it as a triple (without this note)`;
}
