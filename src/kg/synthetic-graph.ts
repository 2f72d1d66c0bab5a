/**
 * A small knowledge graph generated in code, for the demo and tests when no benchmark data is at hand.
 * It has learnable structure: a cycle (`next`/`previous`, 1-1 and mutually inverse), a ternary tree
 * (`parent`/`child`, N-1 and 1-N, inverse), and group membership (`member_of`, N-1). Splits are a seeded shuffle,
 * so most test triples have their inverse in train, which embedding models with reciprocal relations can use.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import seedrandom from 'seedrandom';

/** Options of the generated graph. */
export interface SyntheticGraphOptions {
  entities?: number;
  groups?: number;
  seed?: number;
  /** Fractions of valid and test triples (the rest is train). */
  validFraction?: number;
  testFraction?: number;
}

/** The generated triples as names, per split. */
export interface SyntheticGraph {
  train: string[][];
  valid: string[][];
  test: string[][];
}

/** Generates the graph: every entity appears in train (valid/test only hold triples over train entities). */
export function syntheticGraph(options: SyntheticGraphOptions = {}): SyntheticGraph {
  const n = options.entities ?? 400;
  const groups = options.groups ?? 8;
  const rng = seedrandom.alea(String(options.seed ?? 0));
  const name = (i: number): string => `e${i}`;
  const triples: string[][] = [];
  for (let i = 0; i < n; i++) {
    triples.push([name(i), 'next', name((i + 1) % n)]);
    triples.push([name((i + 1) % n), 'previous', name(i)]);
    if (i > 0) {
      const parent = Math.floor((i - 1) / 3);
      triples.push([name(i), 'parent', name(parent)]);
      triples.push([name(parent), 'child', name(i)]);
    }
    if (i >= groups) triples.push([name(i), 'member_of', name(i % groups)]);
  }
  for (let i = triples.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [triples[i], triples[j]] = [triples[j]!, triples[i]!];
  }
  const nValid = Math.round(triples.length * (options.validFraction ?? 0.1));
  const nTest = Math.round(triples.length * (options.testFraction ?? 0.1));
  const valid = triples.slice(0, nValid);
  const test = triples.slice(nValid, nValid + nTest);
  const train = triples.slice(nValid + nTest);
  return { train, valid, test };
}

/** Writes the generated graph as train/valid/test.txt (tab-separated) into `dir`. */
export async function writeSyntheticDataset(dir: string, options: SyntheticGraphOptions = {}): Promise<string> {
  const graph = syntheticGraph(options);
  await fs.mkdir(dir, { recursive: true });
  for (const split of ['train', 'valid', 'test'] as const) {
    await fs.writeFile(path.join(dir, `${split}.txt`), graph[split].map((t) => t.join('\t')).join('\n') + '\n');
  }
  return dir;
}
