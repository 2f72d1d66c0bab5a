/**
 * The data functions of the public API beside `loadDataset`: fetching a benchmark into the cache, and splitting one
 * list of triples. Their options are checked by key as every function's: an unknown or bad one is an OptionsError
 * naming it (`splitTriples: unknown key 'sed' (did you mean 'seed'?)`), not a default silently used.
 */
import { z } from 'zod';
import { fetchDataset as fetchInto, type FetchReport } from '../kg/fetch-dataset.js';
import { callbackOption, trueOrFalse } from '../kg/load-options.js';
import { RATIOS_RULE, areSplitRatios, splitTriples as splitList, type NamedTriple, type SplitOptions, type TripleSplit } from '../kg/split-triples.js';
import { parseOptions, seedInt } from './option-schemas.js';

/** Options of {@link fetchDataset}. */
export interface FetchDatasetOptions {
  /** Directory the dataset's directory is made in (default: the first `$KGDISTILL_DATA` entry, else the user cache). */
  root?: string;
  /** Fetch again and replace a copy already there (default false: a verified copy is kept). */
  force?: boolean;
  /** Base URL of the remote files (default `$KGDISTILL_DATA_URL`, else https://raw.githubusercontent.com). */
  baseUrl?: string;
  /** Idle timeout of each download in ms (default `$KGDISTILL_FETCH_TIMEOUT` seconds, else 60 s). */
  timeoutMs?: number;
  /** The slowest transfer accepted, in bytes per second over each idle-timeout window (default 1 KiB/s; 0: no rule). */
  minBytesPerSecond?: number;
  /** Where progress lines go (default: stderr). */
  log?: (line: string) => void;
  /** Aborts the download: nothing is kept, and a FetchInterruptedError is thrown. */
  signal?: AbortSignal;
}

/** What each key of FetchDatasetOptions accepts. */
const fetchOptionsSchema = z.object({
  root: z.string({ error: 'must be a directory path' }),
  force: trueOrFalse,
  baseUrl: z.string({ error: 'must be a URL' }),
  timeoutMs: z.number({ error: 'must be a number of milliseconds > 0' }).positive({ error: 'must be a number of milliseconds > 0' }),
  minBytesPerSecond: z.number({ error: 'must be a number of bytes per second ≥ 0' }).min(0, { error: 'must be a number of bytes per second ≥ 0' }),
  log: callbackOption,
  signal: z.instanceof(AbortSignal, { error: 'must be an AbortSignal' }),
} satisfies Record<keyof FetchDatasetOptions, z.ZodType>).partial().strict();

/** Downloads a benchmark (FB15k-237, WN18RR) into the cache and verifies its files by their checksums; a verified copy is kept unless `force`. */
export async function fetchDataset(name: string, options: FetchDatasetOptions = {}): Promise<FetchReport> {
  parseOptions(fetchOptionsSchema, options, 'key', 'fetchDataset');
  return fetchInto(name, options);
}

/** What each key of SplitOptions accepts. */
const splitOptionsSchema = z.object({
  ratios: z.tuple([z.number(), z.number(), z.number()], { error: 'must be three fractions' })
    .refine(areSplitRatios, { error: `must be ${RATIOS_RULE}` }),
  seed: seedInt,
} satisfies Record<keyof SplitOptions, z.ZodType>).partial().strict();

/** Splits triples into train/valid/test with a seeded shuffle (each distinct triple once), moving valid/test triples with unseen parts to train (PyKEEN's `TriplesFactory.split`). */
export function splitTriples(triples: readonly NamedTriple[], options: SplitOptions = {}): TripleSplit {
  parseOptions(splitOptionsSchema, options, 'key', 'splitTriples');
  return splitList(triples, options);
}
