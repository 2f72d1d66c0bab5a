import { describe, expect, it } from 'vitest';
import { KgInputError } from '../../src/kg/errors.js';
import { datasetFromBytes as droppedDataset } from '../../src/kg/bytes-dataset.js';

/** A dropped file as the page hands it to its worker. */
function dropped(name: string, text: string): { name: string; bytes: ArrayBuffer } {
  const bytes = new TextEncoder().encode(text);
  return { name, bytes: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) };
}

/** The KgInputError a drop throws. */
function dropError(files: Array<{ name: string; bytes: ArrayBuffer }>): KgInputError {
  try {
    droppedDataset(files, 0);
  } catch (error) {
    expect(error).toBeInstanceOf(KgInputError);
    return error as KgInputError;
  }
  throw new Error('no error');
}

describe('droppedDataset: files dropped into the explorer page', () => {
  it('three named files are taken as they are, unseen entities kept', () => {
    const data = droppedDataset([dropped('train.tsv', 'a\tr\tb\nb\tr\tc\n'), dropped('valid.tsv', 'a\tr\tc\n'), dropped('test.tsv', 'c\tr\td\n')], 0);
    expect([data.train.length / 3, data.valid.length / 3, data.test.length / 3]).toEqual([2, 1, 1]);
    expect(data.entities.size).toBe(4);
    expect(data.report.unseenPolicy).toBe('keep');
    // valid's a-r-c has names all in train; test's c-r-d has d, never in train: said in the page's words
    expect(data.readNotes).toEqual([
      'train: 2 triples read from train.tsv, 0 duplicates', 'valid: 1 triple read from valid.tsv, 0 duplicates', 'test: 1 triple read from test.tsv, 0 duplicates',
      expect.stringMatching(/^overlap: 0 valid and 0 test triples also in train/),
      'test: 1 triple with an entity or relation not in train kept and ranked (never trained, such a name ranks as chance would)',
    ]);
  });

  it('a first train line in unrecognised header words is said to be trained as a triple (one file and three)', () => {
    const lines = Array.from({ length: 40 }, (_, i) => `e${i}\tr\te${(i + 1) % 40}`);
    const note = 'graph.tsv:1: "Kopf", "Beziehung", "Schwanz" may be a header (none of these names occurs anywhere else): it was trained as a triple; if it is a header, delete the line and train again';
    const one = droppedDataset([dropped('graph.tsv', `Kopf\tBeziehung\tSchwanz\n${lines.join('\n')}\n`)], 0);
    expect(one.readNotes).toHaveLength(2);
    expect(one.readNotes[1]).toBe(note);
    expect(one.report.lines.train + one.report.lines.valid + one.report.lines.test).toBe(41);
    const three = droppedDataset([dropped('train.tsv', `Kopf\tBeziehung\tSchwanz\n${lines.join('\n')}\n`), dropped('valid.tsv', 'e1\tr\te2\n'), dropped('test.tsv', 'e2\tr\te3\n')], 0);
    expect(three.readNotes.at(-1)).toBe(note.replace('graph.tsv', 'train.tsv'));
    // a graph whose first line is a real triple (its names recur) has no such note
    expect(droppedDataset([dropped('graph.tsv', `${lines.join('\n')}\n`)], 0).readNotes.join('\n')).not.toMatch(/may be a header/);
  });

  it('a bad line names the file and line, and its hint names no command-line flag (the page has none)', () => {
    const mixed = dropError([dropped('graph.tsv', 'a\tr\tb\nc,r,d\n')]);
    expect(mixed.message).toBe("graph.tsv:2: expected 3 fields, found 1 (separated by tabs; this line has commas, the separator is taken from the file's first line: use one throughout)");
    const wide = dropError([dropped('graph.csv', 'a,r,b,extra\n')]);
    expect(wide.message).toBe('graph.csv:1: expected 3 fields, found 4 (separated by commas; a file of exactly three columns is needed here (the command line picks three of more with --columns))');
  });

  it('a Latin-1 file is advised to be saved as UTF-8 (the page has no --encoding)', () => {
    const bytes = Uint8Array.from([0x63, 0x61, 0x66, 0xe9, 0x09, 0x72, 0x09, 0x62, 0x0a]);
    expect(dropError([{ name: 'latin.tsv', bytes: bytes.buffer }]).message).toBe('latin.tsv:1: byte 4 of the line is not UTF-8 (distinct names would be merged; if the file is Latin-1, save it as UTF-8 (e.g. iconv -f LATIN1 -t UTF-8))');
  });

  it('an empty file and a file name without its split are refused by name', () => {
    expect(dropError([dropped('graph.tsv', '# only a comment\n')]).message).toMatch(/^graph\.tsv: no triples in this file/);
    expect(dropError([dropped('train.tsv', 'a\tr\tb\n'), dropped('valid.tsv', 'a\tr\tb\n'), dropped('other.tsv', 'a\tr\tb\n')]).message).toBe('other.tsv: with three files, each name must say train, valid (or dev) or test');
  });

  it('one file: what reading and splitting it did is said (comments and a header skipped, repeats kept once, triples moved)', () => {
    const lines = Array.from({ length: 40 }, (_, i) => `e${i}\tr\te${(i + 1) % 40}`);
    const data = droppedDataset([dropped('graph.tsv', `head\trelation\ttail\n# made by hand\n${lines.join('\n')}\n${lines[0]}\n`)], 0);
    expect(data.readNotes).toHaveLength(1);
    expect(data.readNotes[0]).toMatch(/^graph\.tsv: 41 triples read, 1 comment line \(#\) skipped, header line 1 skipped \("head,relation,tail"\), 1 repeated \(kept once\); split 80\/10\/10 \(seed 0\): \d+ valid and \d+ test triples moved to train, an entity or relation of theirs not being in train$/);
    expect(droppedDataset([dropped('train.tsv', 'a\tr\tb\n'), dropped('valid.tsv', 'a\tr\tb\n'), dropped('test.tsv', 'a\tr\tb\n')], 0).readNotes[0]).toMatch(/^train: 1 triple read from train\.tsv/);
  });

  it('a split is a word of the file name: dev is valid, and constraint-test is test, not train', () => {
    const data = droppedDataset([dropped('wn_train.tsv', 'a\tr\tb\nb\tr\tc\n'), dropped('dev.txt', 'a\tr\tc\n'), dropped('constraint-test.tsv', 'c\tr\td\n')], 0);
    expect(data.report.files).toEqual({ train: 'wn_train.tsv', valid: 'dev.txt', test: 'constraint-test.tsv' });
    expect(dropError([dropped('train.tsv', 'a\tr\tb\n'), dropped('constraint-test.tsv', 'a\tr\tb\n'), dropped('test.tsv', 'a\tr\tb\n')]).message).toBe('test.tsv: two files for the test split (constraint-test.tsv and test.tsv)');
  });

  it('the size limit holds for the files together', () => {
    const third = 'a\tr\tb\n'.repeat(Math.ceil((64 << 20) / 3 / 6) + 1); // three files of just over a third of 64 MiB each
    const error = dropError([dropped('train.tsv', third), dropped('valid.tsv', third), dropped('test.tsv', third)]);
    expect(error.message).toBe('train.tsv, valid.tsv, test.tsv: 67,108,896 bytes together are more than the page handles (64 MiB, 67,108,864 bytes): train it with the command line');
  });
});
