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
import { readTripleFile } from '../../kg/triple-reader.js';
import { splitTriples, type NamedTriple } from '../../kg/split-triples.js';
import { requireNewOutDir, writeNewDirectory } from '../../kg/new-directory.js';
import { dataOptions, loadOptionsOf, parseOptions } from '../../pipeline/options.js';
import { DATA_FLAGS, givenOptions } from '../run-options.js';
import { integerFlag } from '../integer-flag.js';

/** The flags of `data split` besides the data options. */
export interface SplitFlags {
  out: string;
  ratios: string;
  seed: string;
  json: boolean;
}

const schema = z.object({ ...dataOptions }).strict();

/** Parses `--ratios a,b,c` (three fractions summing to 1). */
function parseRatios(text: string): [number, number, number] {
  const parts = text.split(',').map((p) => Number(p.trim()));
  if (parts.length !== 3 || parts.some((p) => !Number.isFinite(p) || p < 0) || parts[0]! <= 0 || Math.abs(parts[0]! + parts[1]! + parts[2]! - 1) > 1e-9) {
    throw new Error(`--ratios must be three fractions ≥ 0 that sum to 1, train > 0 (got '${text}')`);
  }
  return parts as [number, number, number];
}

/** Runs `data split`. */
export async function runSplit(file: string, flags: SplitFlags, command: Command): Promise<void> {
  const ratios = parseRatios(flags.ratios);
  const seed = integerFlag('--seed', flags.seed);
  const out = path.resolve(flags.out);
  requireNewOutDir(flags.out);
  const settings = parseOptions(schema, { ...givenOptions(command, DATA_FLAGS, schema), dataset: file }, 'flag');
  const { unseen: _unseen, ...readOptions } = loadOptionsOf(settings);
  const raw = await readTripleFile(file, readOptions);
  if (raw.length === 0) throw new Error(`${file}: no triples to split`);
  const split = splitTriples(raw.map((t): NamedTriple => [t.head, t.relation, t.tail]), { ratios, seed });
  await writeNewDirectory(out, async (staging) => {
    for (const name of ['train', 'valid', 'test'] as const) {
      await writeFile(path.join(staging, `${name}.txt`), split[name].map((t) => `${t.join('\t')}\n`).join(''));
    }
  }, flags.out);
  const counts = { triples: raw.length, duplicates: split.duplicates, train: split.train.length, valid: split.valid.length, test: split.test.length, movedToTrain: split.moved, ratios, seed, out };
  const repeats = split.duplicates > 0 ? `; ${split.duplicates} repeated triple${split.duplicates === 1 ? '' : 's'} left out, each triple split once` : '';
  process.stderr.write(`split ${raw.length} triples of ${file}: train ${counts.train}, valid ${counts.valid}, test ${counts.test} (${split.moved.valid} valid and ${split.moved.test} test triples moved to train: an entity or relation was not in train${repeats})\n`);
  process.stdout.write(flags.json ? `${JSON.stringify(counts)}\n` : `${out}\n`);
}
