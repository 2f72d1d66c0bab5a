// Only ASCII whitespace is trimmed around a name, by every reader: NBSP, U+3000 and U+FEFF at a name's end stay part
// of it, whether an ASCII space is next to them or not, and whichever reader (tab fast path, tab line reader, CSV,
// whitespace) reads the line. They were trimmed by String.prototype.trim() in some readers only, so "b\u00a0" and
// "b\u00a0 " were two entities.
import { describe, expect, it } from 'vitest';
import { NameTable, readTripleFile, readTripleIds } from '../../src/kg/triple-reader.js';
import { tripleFile } from './helpers.js';

/** Names of the lines, as [head, relation, tail] written with `separator`. */
const LINES: [string, string, string][] = [
  ['a', 'r', 'b\u00a0'],
  ['a', 'r', 'b\u00a0 '],
  ['\u3000c', 'r', 'd\u3000'],
  [' \u3000c', 'r', 'd\u3000 '],
  ['e\ufeff', 'r\u00a0', 'f'],
  ['e\ufeff\f', 'r\u00a0 ', 'f'],
];
const EXPECTED = [
  ['a', 'r', 'b\u00a0'],
  ['a', 'r', 'b\u00a0'],
  ['\u3000c', 'r', 'd\u3000'],
  ['\u3000c', 'r', 'd\u3000'],
  ['e\ufeff', 'r\u00a0', 'f'],
  ['e\ufeff', 'r\u00a0', 'f'],
];

function file(separator: string, name: string): string {
  // the whitespace reader splits on spaces and tabs: keep its fields free of them inside
  const lines = separator === ' ' ? LINES.map((fields) => fields.map((f) => f.replace(/[ \t]/g, ''))) : LINES;
  return tripleFile(lines.map((fields) => fields.join(separator)).join('\n') + '\n', name);
}

async function viaStrings(path: string, delimiter: '\t' | ',' | ' '): Promise<string[][]> {
  return (await readTripleFile(path, { delimiter })).map((t) => [t.head, t.relation, t.tail]);
}

describe('trimming of names', () => {
  it('the generic tab, CSV and whitespace readers trim ASCII whitespace only', async () => {
    expect(await viaStrings(file('\t', 'train.tsv'), '\t')).toEqual(EXPECTED);
    expect(await viaStrings(file(',', 'train.csv'), ',')).toEqual(EXPECTED);
    expect(await viaStrings(file(' ', 'train.txt'), ' ')).toEqual(EXPECTED);
  });

  it('the tab fast path gives the same names and entities', async () => {
    const entities = new NameTable();
    const relations = new NameTable();
    const ids = await readTripleIds(file('\t', 'train.tsv'), { delimiter: '\t' }, entities, relations);
    const names: string[][] = [];
    for (let i = 0; i < ids.triples.length; i += 3) names.push([entities.names[ids.triples[i]!]!, relations.names[ids.triples[i + 1]!]!, entities.names[ids.triples[i + 2]!]!]);
    expect(names).toEqual(EXPECTED);
    expect(entities.names).toEqual(['a', 'b\u00a0', '\u3000c', 'd\u3000', 'e\ufeff', 'f']);
    expect(relations.names).toEqual(['r', 'r\u00a0']);
  });
});
