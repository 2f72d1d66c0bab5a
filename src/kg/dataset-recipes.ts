/**
 * How the benchmark datasets kgdistill can fetch are rebuilt from their canonical public sources, byte for byte
 * the files whose checksums `data/<name>/SHA256SUMS` holds.
 *
 * - Splits: the archives `WN18RR.tar.gz` and `FB15k-237.tar.gz` of TimDettmers/ConvE (the code of Dettmers et
 *   al. 2018, which introduced WN18RR; PyKEEN fetches WN18RR from the same archive), pinned to commit f3c0eb28,
 *   unpacked with carriage returns removed (the FB15k-237 files have CRLF line ends).
 * - `entity_names.tsv`: from villmow/datasets_knowledge_embedding, pinned to commit 9e392453: for FB15k-237 the
 *   field `label` of `FB15k-237/entity2wikidata.json`; for WN18RR the synset names of `WN18RR/text/<split>.txt`,
 *   aligned line by line with the split files (train, valid, test; the first name seen for an id is kept).
 *   Both sorted by id.
 * Paths are relative to a base URL (default https://raw.githubusercontent.com; `KGDISTILL_DATA_URL` or
 * `data fetch --url` point at a mirror with the same layout, `file:` URLs included).
 */
import path from 'node:path';
import { packageRoot } from './package-root.js';
import { DEFAULT_FETCH_LIMITS, type FetchLimits } from './fetch-limits.js';
import { ArchiveLimitError, untarFiles } from './untar-limited.js';

export { untarFiles } from './untar-limited.js';

/** Default base URL of the remote files (raw files of public GitHub repositories, pinned to commits). */
export const DEFAULT_BASE_URL = 'https://raw.githubusercontent.com';

/** Commit of TimDettmers/ConvE whose archives our copies of the splits come from. */
export const CONVE_COMMIT = 'f3c0eb286025410fa5b4c04696c918264163d0ca';
/** Commit of villmow/datasets_knowledge_embedding whose name files our `entity_names.tsv` come from. */
export const NAMES_COMMIT = '9e392453d6804d1f51c13e5650ae58ed48b638d5';

/** A bad downloaded input found while assembling: `key` names the remote file (its URL is reported). */
export class RecipeInputError extends Error {
  /** Creates the error for the remote file `key`. */
  constructor(readonly key: string, readonly reason: string) {
    super(reason);
    this.name = 'RecipeInputError';
  }
}

/** One file of a fetched dataset: its bytes and the remote files (keys) it was made from. */
export interface AssembledFile {
  data: Buffer;
  from: readonly string[];
}

/** What a fetch hands a recipe besides the downloads: size limits, and a check of each split as soon as it is unpacked. */
export interface AssembleContext {
  /** Size limits of unpacking (default: {@link DEFAULT_FETCH_LIMITS}). */
  limits?: FetchLimits;
  /** Checks a split file (its checksum) before it is used for anything else; throws when it is wrong. */
  checkSplit?: (file: string, data: Buffer, from: readonly string[]) => void;
}

/** How to fetch one dataset: what to download and how to turn it into the files of its SHA256SUMS. */
export interface DatasetRecipe {
  /** Canonical name, also the directory name (`WN18RR`). */
  name: string;
  /** Other spellings accepted by name lookups, compared ignoring case, `-` and `_` (e.g. PyKEEN's `fb15k237`). */
  aliases?: readonly string[];
  /** What it is, in one line. */
  summary: string;
  /** Remote files by key: a path below the base URL, or an absolute http(s)/file URL. */
  remote: Readonly<Record<string, string>>;
  /** The SHA256SUMS file every assembled file is checked against. */
  checksumsFile(): string;
  /** Builds the dataset's files (name → bytes) from the downloads (key → bytes); bad input throws RecipeInputError. */
  assemble(downloads: ReadonlyMap<string, Buffer>, context?: AssembleContext): Promise<Map<string, AssembledFile>>;
}

/** The split files the ConvE archives hold. */
const SPLIT_FILES = ['train.txt', 'valid.txt', 'test.txt'] as const;

/**
 * The split files of a ConvE archive with carriage returns removed, each checked by `context.checkSplit`; a missing
 * one, a bad archive or one over the size limits names `key`.
 */
async function convESplits(downloads: ReadonlyMap<string, Buffer>, key: string, context: AssembleContext = {}): Promise<Map<string, Buffer>> {
  let files: Map<string, Buffer>;
  try {
    files = await untarFiles(need(downloads, key), SPLIT_FILES, context.limits ?? DEFAULT_FETCH_LIMITS);
  } catch (error) {
    if (error instanceof ArchiveLimitError) throw new RecipeInputError(key, error.message);
    throw new RecipeInputError(key, `not a readable tar.gz archive (${(error as Error).message})`);
  }
  const out = new Map<string, Buffer>();
  for (const file of SPLIT_FILES) {
    const data = files.get(file);
    if (!data) throw new RecipeInputError(key, `the archive has no ${file}`);
    out.set(file, Buffer.from(data.toString('latin1').replace(/\r/g, ''), 'latin1'));
  }
  for (const [file, data] of out) context.checkSplit?.(file, data, [key]);
  return out;
}

/** The downloaded bytes of `key` (a recipe bug if absent). */
function need(downloads: ReadonlyMap<string, Buffer>, key: string): Buffer {
  const data = downloads.get(key);
  if (!data) throw new RecipeInputError(key, 'was not downloaded');
  return data;
}

/** Non-empty lines of a text, carriage returns removed. */
function textLines(data: Buffer): string[] {
  return data.toString('utf8').replace(/\r/g, '').split('\n').filter((line) => line !== '');
}

/** `id<TAB>name` lines sorted by id (code-unit order), newline-terminated. */
export function entityNamesTsv(names: ReadonlyMap<string, string>): Buffer {
  const rows = [...names].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Buffer.from(rows.map(([id, name]) => `${id}\t${name}\n`).join(''), 'utf8');
}

/** Path of `data/<name>/SHA256SUMS` in the installed package. */
function packagedChecksums(name: string): string {
  return path.join(packageRoot() ?? process.cwd(), 'data', name, 'SHA256SUMS');
}

const conve = (file: string): string => `TimDettmers/ConvE/${CONVE_COMMIT}/${file}`;
const names = (file: string): string => `villmow/datasets_knowledge_embedding/${NAMES_COMMIT}/${file}`;

/** WN18RR (Dettmers et al. 2018): ConvE's archive, names from villmow's text files aligned with the splits. */
export const WN18RR_RECIPE: DatasetRecipe = {
  name: 'WN18RR',
  summary: 'WordNet subset without inverse relations (Dettmers et al. 2018): 40,943 entities, 11 relations, 93,003 triples',
  remote: {
    archive: conve('WN18RR.tar.gz'),
    'names-train': names('WN18RR/text/train.txt'),
    'names-valid': names('WN18RR/text/valid.txt'),
    'names-test': names('WN18RR/text/test.txt'),
  },
  checksumsFile: () => packagedChecksums('WN18RR'),
  async assemble(downloads, context) {
    const splits = await convESplits(downloads, 'archive', context);
    const synsetNames = new Map<string, string>();
    for (const split of ['train', 'valid', 'test'] as const) {
      const key = `names-${split}`;
      const ids = textLines(splits.get(`${split}.txt`)!);
      const text = textLines(need(downloads, key));
      if (text.length !== ids.length) throw new RecipeInputError(key, `has ${text.length} triple lines, ${split}.txt has ${ids.length}`);
      for (let i = 0; i < ids.length; i++) {
        const idFields = ids[i]!.split('\t');
        const nameFields = text[i]!.split('\t');
        if (nameFields.length !== 3 || idFields.length !== 3) throw new RecipeInputError(key, `line ${i + 1}: expected 3 tab-separated fields`);
        for (const [id, name] of [[idFields[0]!, nameFields[0]!], [idFields[2]!, nameFields[2]!]] as const) {
          if (!synsetNames.has(id)) synsetNames.set(id, name);
        }
      }
    }
    const out = new Map<string, AssembledFile>();
    for (const [file, data] of splits) out.set(file, { data, from: ['archive'] });
    out.set('entity_names.tsv', { data: entityNamesTsv(synsetNames), from: ['archive', 'names-train', 'names-valid', 'names-test'] });
    return out;
  },
};

/** FB15k-237 (Toutanova & Chen 2015): ConvE's archive, names from the `label` fields of villmow's Wikidata JSON. */
export const FB15K237_RECIPE: DatasetRecipe = {
  name: 'FB15k-237',
  aliases: ['FB15k237'],
  summary: 'Freebase subset without inverse relations (Toutanova & Chen 2015): 14,541 entities, 237 relations, 310,116 triples',
  remote: {
    archive: conve('FB15k-237.tar.gz'),
    labels: names('FB15k-237/entity2wikidata.json'),
  },
  checksumsFile: () => packagedChecksums('FB15k-237'),
  async assemble(downloads, context) {
    const splits = await convESplits(downloads, 'archive', context);
    let labels: unknown;
    try {
      labels = JSON.parse(need(downloads, 'labels').toString('utf8'));
    } catch (error) {
      throw new RecipeInputError('labels', `not valid JSON (${(error as Error).message})`);
    }
    if (!labels || typeof labels !== 'object' || Array.isArray(labels)) throw new RecipeInputError('labels', 'expected a JSON object keyed by entity id');
    const entities = new Set<string>();
    for (const data of splits.values()) {
      for (const line of textLines(data)) {
        const [head, , tail] = line.split('\t');
        entities.add(head!);
        if (tail !== undefined) entities.add(tail);
      }
    }
    const entityLabels = new Map<string, string>();
    for (const [id, record] of Object.entries(labels as Record<string, unknown>)) {
      const label = (record as { label?: unknown } | null)?.label;
      if (entities.has(id) && typeof label === 'string') entityLabels.set(id, label);
    }
    const out = new Map<string, AssembledFile>();
    for (const [file, data] of splits) out.set(file, { data, from: ['archive'] });
    out.set('entity_names.tsv', { data: entityNamesTsv(entityLabels), from: ['archive', 'labels'] });
    return out;
  },
};

/** Every dataset `kgdistill data fetch` knows, in listing order. */
export const DATASET_RECIPES: readonly DatasetRecipe[] = [FB15K237_RECIPE, WN18RR_RECIPE];

/** A name reduced for comparison: lower case without `-` and `_`. */
function nameKey(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

/** The recipe of a dataset name (case-insensitive, aliases accepted), or undefined. */
export function recipeFor(name: string): DatasetRecipe | undefined {
  const key = nameKey(name.trim());
  return DATASET_RECIPES.find((recipe) => [recipe.name, ...(recipe.aliases ?? [])].some((n) => nameKey(n) === key));
}

/** Why a name is no fetchable dataset, naming those that are. */
export function unknownDatasetReason(): string {
  return `unknown dataset: kgdistill can fetch ${DATASET_RECIPES.map((r) => r.name).join(', ')} (a directory with train/valid/test files needs no fetching)`;
}

/** The canonical spelling of a fetchable dataset's name (`wn18rr` → `WN18RR`), or the name unchanged. */
export function canonicalDatasetName(name: string): string {
  return recipeFor(name)?.name ?? name;
}
