/**
 * A thin layer over hnswlib-node: building an `l2` or `ip` index from a space's data vectors in chunks (yielding to the
 * event loop between chunks, so a server stays responsive while an index is built), searching, and moving the
 * index to and from bytes (hnswlib-node only reads and writes files, so a private temporary file is used).
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type * as HnswlibModule from 'hnswlib-node';
import { removeLeftByGoneWriters } from '../kg/gone-writers.js';
import type { HnswMetric, SpaceData } from './vector-space.js';

/** What hnswlib-node exports (its native addon). */
export type Hnswlib = typeof HnswlibModule;

/** The hnswlib index class. */
export type Hnsw = InstanceType<Hnswlib['HierarchicalNSW']>;

/**
 * hnswlib-node's native addon could not be loaded: its install script was skipped or failed. Only HNSW neighbour
 * search needs it; everything else (training, evaluation, exact neighbours, predictions) works without it.
 */
export class HnswUnavailableError extends Error {
  constructor(cause: unknown) {
    const why = (cause instanceof Error ? cause.message : String(cause)).split('\n')[0];
    super(
      `HNSW neighbour search needs the native addon of hnswlib-node, which could not be loaded (${why}). ` +
        'Its install script builds it and was skipped (npm --ignore-scripts, pnpm ≥ 10 or Yarn without allowing its build script) or failed (it needs python, make and a C++ compiler). ' +
        'Build it with `npm rebuild hnswlib-node` (pnpm: `pnpm approve-builds`, then `pnpm rebuild hnswlib-node`), ' +
        'or use the exact lookup instead: `neighbors(entity, k, { exact: true })`, `kgdistill neighbors` without --index, `exact: true` in a service request.',
      { cause },
    );
    this.name = 'HnswUnavailableError';
  }
}

/** Loads hnswlib-node with Node's `require` (it is CommonJS; its addon is loaded as the package is). */
function requireHnswlib(): Hnswlib {
  return createRequire(import.meta.url)('hnswlib-node') as Hnswlib;
}

let loadHnswlib: () => Hnswlib = requireHnswlib;
let hnswlibModule: Hnswlib | undefined;

/**
 * hnswlib-node, loaded on first use rather than on import, so that a missing native addon breaks only HNSW; throws
 * HnswUnavailableError (what is missing, how to build it, the exact alternative) when it cannot be loaded.
 */
export function hnswlib(): Hnswlib {
  if (hnswlibModule !== undefined) return hnswlibModule;
  try {
    hnswlibModule = loadHnswlib();
  } catch (error) {
    throw new HnswUnavailableError(error);
  }
  return hnswlibModule;
}

/** Replaces how hnswlib-node is loaded (tests: a missing addon), or restores `require` without an argument. */
export function setHnswlibLoader(loader?: () => Hnswlib): void {
  loadHnswlib = loader ?? requireHnswlib;
  hnswlibModule = undefined;
}

/** Graph parameters of an index build. */
export interface BuildParams {
  /** Links per node (hnswlib M). */
  m: number;
  /** Candidate list size while building. */
  efConstruction: number;
  /** Seed of hnswlib's level generator (same data and seed give the same graph). */
  seed: number;
}

/** Defaults measured on 40k 32-d vectors: recall@10 ≥ 0.99 at ef = 200 (see bench/lookup.ts). */
export const DEFAULT_BUILD: BuildParams = { m: 16, efConstruction: 200, seed: 100 };

/** Default search list size (never below the number of results asked for): recall@10 ≈ 0.99 on WN18RR runs. */
export const DEFAULT_EF = 100;

/** Builds an index over all rows of `space` in its metric, yielding to the event loop every `chunk` points. */
export async function buildHnsw(space: SpaceData, params: BuildParams, chunk = 512): Promise<Hnsw> {
  const { HierarchicalNSW } = hnswlib();
  const count = space.data.length / space.dim;
  const index = new HierarchicalNSW(space.metric, space.dim);
  index.initIndex({ maxElements: Math.max(count, 1), m: params.m, efConstruction: params.efConstruction, randomSeed: params.seed });
  for (let start = 0; start < count; start += chunk) {
    const end = Math.min(count, start + chunk);
    for (let i = start; i < end; i++) index.addPoint(Array.from(space.data.subarray(i * space.dim, (i + 1) * space.dim)), i);
    if (end < count) await yieldToEventLoop();
  }
  return index;
}

/** The ids and metric distances of the `k` nearest points, nearest first. */
export function searchHnsw(index: Hnsw, query: number[], k: number, ef: number): { ids: number[]; distances: number[] } {
  const count = index.getCurrentCount();
  const n = Math.min(k, count);
  if (n <= 0) return { ids: [], distances: [] };
  index.setEf(Math.max(ef, n));
  const result = index.searchKnn(query, n);
  return { ids: result.neighbors, distances: result.distances };
}

const TEMPORARY = /^kgdistill-hnsw-(\d+)-[0-9a-f]{12}\.bin$/;
let swept = false;

/**
 * A file in the system's temporary directory for hnswlib (it reads and writes only files); on first use in this
 * process, the ones that processes killed meanwhile left (an index's size each) are removed.
 */
async function temporaryFile(): Promise<string> {
  if (!swept) {
    swept = true;
    await removeLeftByGoneWriters(tmpdir(), (name) => {
      const pid = TEMPORARY.exec(name)?.[1];
      return pid === undefined ? undefined : Number(pid);
    });
  }
  return path.join(tmpdir(), `kgdistill-hnsw-${process.pid}-${randomBytes(6).toString('hex')}.bin`);
}

/** The index serialised by hnswlib, as bytes. */
export async function hnswToBytes(index: Hnsw): Promise<Buffer> {
  const file = await temporaryFile();
  try {
    await index.writeIndex(file);
    return await fs.readFile(file);
  } finally {
    await fs.rm(file, { force: true });
  }
}

/** Loads an index of `metric` and `dim` from bytes that hnswlib wrote (verify them first: hnswlib trusts its input). */
export async function hnswFromBytes(bytes: Uint8Array, metric: HnswMetric, dim: number): Promise<Hnsw> {
  const { HierarchicalNSW } = hnswlib();
  const file = await temporaryFile();
  try {
    await fs.writeFile(file, bytes, { mode: 0o600 });
    const index = new HierarchicalNSW(metric, dim);
    await index.readIndex(file);
    return index;
  } finally {
    await fs.rm(file, { force: true });
  }
}
