/**
 * A small knowledge graph generated in code, for the demo and tests when no benchmark data is at hand.
 * It has learnable structure: a cycle (`next`/`previous`, 1-1 and mutually inverse), a ternary tree
 * (`parent`/`child`, N-1 and 1-N, inverse), and group membership (`member_of`, N-1). Splits are a seeded shuffle,
 * so most test triples have their inverse in train, which embedding models with reciprocal relations can use.
 *
 * Triples are held as integer codes, `5 * entity + kind` (kind 0 next, 1 previous, 2 parent, 3 child, 4 member_of),
 * 4 bytes each, and become text only while being written, in chunks: ~20 bytes of memory per entity.
 */
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import seedrandom from 'seedrandom';
import { writeNewDirectory } from './new-directory.js';

/** Options of the generated graph. */
export interface SyntheticGraphOptions {
  /** Number of entities (`e0`, `e1`, …), 0 to 10 000 000. Default 400. */
  entities?: number;
  /** Number of groups of the `member_of` relation. Default 8. */
  groups?: number;
  /** Seed of the shuffle that makes the splits. Default 0. */
  seed?: number;
  /** Fraction of the triples in valid. Default 0.1. */
  validFraction?: number;
  /** Fraction of the triples in test (the rest, after valid and test, is train). Default 0.1. */
  testFraction?: number;
}

/** The keys of SyntheticGraphOptions (a misspelled one is an error, not the default). */
const SYNTHETIC_OPTION_KEYS: readonly string[] = ['entities', 'groups', 'seed', 'validFraction', 'testFraction'];

/** A generated triple: head, relation and tail names (a `NamedTriple`, as `splitTriples` takes, but a fresh array). */
export type SyntheticTriple = [head: string, relation: string, tail: string];

/** The generated triples as names, per split. */
export interface SyntheticGraph {
  /** The training triples (every entity appears in them). */
  train: SyntheticTriple[];
  /** The validation triples. */
  valid: SyntheticTriple[];
  /** The test triples. */
  test: SyntheticTriple[];
}

/**
 * Most entities the generator takes: ~5 triples per entity, so 200 MB of codes for the shuffle and ~1.2 GB of text
 * (~120 bytes per entity) at 10 million, measured at 25 s and 360 MB of peak memory (the strings of a triple each, as
 * before, ran out of memory well below that: 1.5 GB at one million).
 */
export const MAX_SYNTHETIC_ENTITIES = 10_000_000;

/** Characters of text per write (~1 MB). */
const CHUNK_CHARS = 1 << 20;

/** The shuffled triple codes and where the splits cut them (valid first, then test, then train). */
interface ShuffledCodes {
  entities: number;
  groups: number;
  codes: Uint32Array;
  valid: [number, number];
  test: [number, number];
  train: [number, number];
}

/** The size of the generated graph for a number of entities: triples, bytes of the shuffle, and ~bytes of the files. */
export function syntheticGraphSize(entities: number, groups = 8): { triples: number; shuffleBytes: number; textBytes: number } {
  const n = Math.max(0, Math.floor(entities));
  const triples = 2 * n + 2 * Math.max(0, n - 1) + Math.max(0, n - Math.max(0, Math.ceil(groups)));
  const digits = String(Math.max(0, n - 1)).length; // of most entity names; the estimate errs a little high
  // per entity: 9 names `e<digits>` plus a short group name, 32 characters of relations, 3 separators on each of 5 lines
  return { triples, shuffleBytes: 4 * 5 * n, textBytes: n * (9 * (1 + digits) + 2 + 32 + 15) };
}

/** Enumerates the triples as codes in their fixed order and shuffles them with the seeded Fisher–Yates of the splits. */
function shuffledCodes(options: SyntheticGraphOptions): ShuffledCodes {
  const unknown = Object.keys(options).filter((key) => !SYNTHETIC_OPTION_KEYS.includes(key));
  if (unknown.length > 0) throw new Error(`synthetic graph: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} (the options are ${SYNTHETIC_OPTION_KEYS.join(', ')})`);
  const n = options.entities ?? 400;
  const groups = options.groups ?? 8;
  if (!Number.isInteger(n) || n < 0 || n > MAX_SYNTHETIC_ENTITIES) {
    throw new Error(`synthetic graph: entities must be an integer from 0 to ${MAX_SYNTHETIC_ENTITIES} (got ${JSON.stringify(n)})`);
  }
  const validFraction = options.validFraction ?? 0.1, testFraction = options.testFraction ?? 0.1;
  if (!(validFraction >= 0 && testFraction >= 0 && validFraction + testFraction <= 1)) {
    throw new Error(`synthetic graph: validFraction and testFraction must be ≥ 0 and sum to at most 1 (got ${validFraction}, ${testFraction})`);
  }
  const all = new Uint32Array(5 * n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const base = 5 * i;
    all[count++] = base; // e_i next e_{i+1}
    all[count++] = base + 1; // e_{i+1} previous e_i
    if (i > 0) {
      all[count++] = base + 2; // e_i parent e_{(i-1)/3}
      all[count++] = base + 3; // e_{(i-1)/3} child e_i
    }
    if (i >= groups) all[count++] = base + 4; // e_i member_of e_{i mod groups}
  }
  const codes = all.subarray(0, count);
  const rng = seedrandom.alea(String(options.seed ?? 0));
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const swap = codes[i]!;
    codes[i] = codes[j]!;
    codes[j] = swap;
  }
  const nValid = Math.round(count * validFraction);
  const nTest = Math.round(count * testFraction);
  // as Array.prototype.slice cut them: ends beyond the length (two fractions rounded up) are clipped
  const cut = (from: number, to: number): [number, number] => [Math.min(from, count), Math.min(Math.max(from, to), count)];
  return { entities: n, groups, codes, valid: cut(0, nValid), test: cut(nValid, nValid + nTest), train: cut(nValid + nTest, count) };
}

/** The triple of a code, as names. */
function tripleOf(code: number, n: number, groups: number): SyntheticTriple {
  const i = Math.floor(code / 5);
  const kind = code - 5 * i;
  switch (kind) {
    case 0: return [`e${i}`, 'next', `e${(i + 1) % n}`];
    case 1: return [`e${(i + 1) % n}`, 'previous', `e${i}`];
    case 2: return [`e${i}`, 'parent', `e${Math.floor((i - 1) / 3)}`];
    case 3: return [`e${Math.floor((i - 1) / 3)}`, 'child', `e${i}`];
    default: return [`e${i}`, 'member_of', `e${i % groups}`];
  }
}

/** Generates the graph: every entity appears in train (valid/test only hold triples over train entities). */
export function syntheticGraph(options: SyntheticGraphOptions = {}): SyntheticGraph {
  const graph = shuffledCodes(options);
  const decode = ([from, to]: [number, number]): SyntheticTriple[] =>
    Array.from(graph.codes.subarray(from, to), (code) => tripleOf(code, graph.entities, graph.groups));
  return { train: decode(graph.train), valid: decode(graph.valid), test: decode(graph.test) };
}

/** Writes all of `text` at the handle's position. */
async function writeAll(handle: FileHandle, text: string): Promise<void> {
  const bytes = Buffer.from(text, 'utf8');
  let written = 0;
  while (written < bytes.byteLength) written += (await handle.write(bytes, written, bytes.byteLength - written)).bytesWritten;
}

/** Writes the triples of `codes[from, to)` to a new `file`, one tab-separated line each, in ~1 MB chunks. */
async function writeSplit(file: string, graph: ShuffledCodes, [from, to]: [number, number]): Promise<void> {
  const handle = await fs.open(file, 'wx');
  try {
    let chunk = '';
    for (let k = from; k < to; k++) {
      chunk += `${tripleOf(graph.codes[k]!, graph.entities, graph.groups).join('\t')}\n`;
      if (chunk.length >= CHUNK_CHARS) {
        await writeAll(handle, chunk);
        chunk = '';
      }
    }
    await writeAll(handle, from === to ? '\n' : chunk); // an empty split has always been one empty line
  } finally {
    await handle.close();
  }
}

/** Fewest entities of a written dataset (`data generate --entities`): a smaller graph has at most one valid and one test triple. */
export const MIN_DATASET_ENTITIES = 4;

/**
 * Writes the generated graph as train/valid/test.txt (tab-separated) into `dir`, a new or empty directory: the files
 * are written into a staging directory beside it, renamed into place when complete, and removed on failure.
 */
export async function writeSyntheticDataset(dir: string, options: SyntheticGraphOptions = {}): Promise<string> {
  const entities = options.entities ?? 400;
  if (typeof entities === 'number' && Number.isInteger(entities) && entities >= 0 && entities < MIN_DATASET_ENTITIES) {
    throw new Error(`synthetic dataset: entities must be at least ${MIN_DATASET_ENTITIES} (got ${entities}): a smaller graph has at most one valid and one test triple; nothing was written`);
  }
  const graph = shuffledCodes(options); // refuses a bad count before anything is created
  await writeNewDirectory(path.resolve(dir), async (staging) => {
    for (const split of ['train', 'valid', 'test'] as const) await writeSplit(path.join(staging, `${split}.txt`), graph, graph[split]);
  }, dir);
  return dir;
}
