/**
 * `kgdistill data split <file> --out <dir>`: one triple file → train.txt, valid.txt, test.txt (tab-separated) in a
 * new directory, by a seeded shuffle cut at `--ratios` of the distinct triples (repeated lines left out); valid/test
 * triples with an entity or relation unseen in train move to train (PyKEEN's cleanup), and the counts say how many of
 * each. The directory is written whole or not at all.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { readTripleFileWithHeader, type RawTriple } from '../../kg/triple-reader.js';
import { KgInputError } from '../../kg/errors.js';
import { sharesAName } from '../../kg/header-suspect.js';
import { RATIOS_RULE, areSplitRatios, splitTriples, type NamedTriple } from '../../kg/split-triples.js';
import { refusedOption } from '../../pipeline/options-error.js';
import { writeNewDirectory } from '../../kg/new-directory.js';
import { requireNewOutFlag } from '../../pipeline/new-out-flag.js';
import { dataOptions, loadOptionsOf, parseOptions } from '../../pipeline/options.js';
import { DATA_FLAGS, givenOptions } from '../run-options.js';
import { integerFlag } from '../integer-flag.js';
import { plural } from '../../kg/plural.js';

/** The flags of `data split` besides the data options. */
export interface SplitFlags {
  out: string;
  ratios: string;
  seed: string;
  json: boolean;
}

const schema = z.object({ ...dataOptions }).strict();

/** Parses `--ratios a,b,c` (split-triples.ts's rule; an empty field is an error, not 0); a bad one is a usage error (exit 2). */
function parseRatios(text: string): [number, number, number] {
  const parts = text.split(',').map((p) => (p.trim() === '' ? NaN : Number(p.trim())));
  if (!areSplitRatios(parts)) throw refusedOption(`--ratios must be ${RATIOS_RULE} (got '${text}')`, 'ratios', text);
  return parts as [number, number, number];
}

/**
 * Refuses a name the written tab-separated files would not read back: a head that starts with `#` begins a comment
 * line there (a quoted CSV field may start with it; a relation or tail may, being within its line).
 */
function requireWritableNames(file: string, raw: readonly RawTriple[]): void {
  for (const t of raw) {
    if (t.head.startsWith('#')) throw new KgInputError(file, t.line, `the head ${JSON.stringify(t.head)} starts with '#', which the tab-separated split files would read back as a comment line: rename it (nothing was written)`);
  }
}

/**
 * The first triple when none of its three names occurs in any other triple: a header in words the reader does not
 * recognise (header-suspect.ts), which the shuffle would hide among the triples.
 */
function suspectFirstTriple(raw: readonly RawTriple[]): RawTriple | undefined {
  const first = raw[0];
  if (first === undefined || raw.length < 2 || first.head === first.tail) return undefined;
  const others = function* (): Generator<[string, string, string]> {
    for (let i = 1; i < raw.length; i++) yield [raw[i]!.head, raw[i]!.relation, raw[i]!.tail];
  };
  return sharesAName([first.head, first.relation, first.tail], others()) ? undefined : first;
}

/** Runs `data split`. */
export async function runSplit(file: string, flags: SplitFlags, command: Command): Promise<void> {
  const ratios = parseRatios(flags.ratios);
  const seed = integerFlag('--seed', flags.seed);
  const out = path.resolve(flags.out);
  requireNewOutFlag(flags.out);
  const settings = parseOptions(schema, { ...givenOptions(command, DATA_FLAGS, schema), dataset: file }, 'flag');
  const { unseen: _unseen, ...readOptions } = loadOptionsOf(settings);
  const { triples: raw, headerOrder, header, comments } = await readTripleFileWithHeader(file, readOptions);
  if (raw.length === 0) throw new Error(`${file}: no triples to split`);
  requireWritableNames(file, raw);
  const suspect = readOptions.header === undefined && headerOrder === undefined ? suspectFirstTriple(raw) : undefined;
  if (suspect) process.stderr.write(`note: ${file}:${suspect.line}: "${suspect.head}", "${suspect.relation}", "${suspect.tail}" may be a header — none of these names occurs anywhere else; it was split as a triple: --header yes skips it\n`);
  const split = splitTriples(raw.map((t): NamedTriple => [t.head, t.relation, t.tail]), { ratios, seed });
  await writeNewDirectory(out, async (staging) => {
    for (const name of ['train', 'valid', 'test'] as const) {
      await writeFile(path.join(staging, `${name}.txt`), split[name].map((t) => `${t.join('\t')}\n`).join(''));
    }
  }, flags.out);
  const counts = { triples: raw.length, duplicates: split.duplicates, train: split.train.length, valid: split.valid.length, test: split.test.length, movedToTrain: split.moved, ratios, seed, out };
  const repeats = split.duplicates > 0 ? `; ${split.duplicates} repeated ${plural(split.duplicates, 'triple')} left out, each triple split once` : '';
  if (header) process.stderr.write(`note: ${file}:${header.line}: "${header.text}" skipped as a header\n`);
  if (comments > 0) process.stderr.write(`note: ${file}: ${comments} comment ${plural(comments, 'line')} (starting with #) skipped; a name that starts with # must be quoted in a CSV\n`);
  process.stderr.write(`split ${raw.length} triples of ${file}: train ${counts.train}, valid ${counts.valid}, test ${counts.test} (${split.moved.valid} valid and ${split.moved.test} test triples moved to train: an entity or relation was not in train${repeats})\n`);
  const distinct = counts.train + counts.valid + counts.test;
  for (const [index, name] of [[1, 'valid'], [2, 'test']] as const) {
    if (ratios[index] > 0 && Math.round(ratios[index] * distinct) === 0) process.stderr.write(`note: the ${name} ratio ${ratios[index]} of ${distinct} ${plural(distinct, 'triple')} is less than half a triple: ${name} is empty (give more triples or a larger ratio)\n`);
  }
  const moved = split.moved.valid + split.moved.test;
  if (counts.valid === 0 && counts.test === 0) process.stderr.write(`note: valid and test are both empty: a run on ${out} can neither stop early nor be evaluated${moved > 0 ? ' (every held-out triple had an entity or relation seen only there, and moved to train)' : ''}\n`);
  process.stdout.write(flags.json ? `${JSON.stringify(counts)}\n` : `${out}\n`);
}
