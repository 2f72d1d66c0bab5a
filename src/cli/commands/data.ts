/**
 * `kgdistill data ...`: commands about datasets. `data stats <name|dir>` loads a dataset (all splits, `--unseen
 * keep` by default so every triple counts), prints the load report and the graph statistics as tables, or with
 * `--json` one JSON object as the last stdout line. `data fetch <name>` downloads a benchmark (FB15k-237, WN18RR)
 * into the cache, verified against its SHA256SUMS, telling on stderr what it fetched; stdout gets its directory.
 * `data split <file>` splits one triple file into train/valid/test (data-split.ts).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { z } from 'zod';
import { loadDataset, formatLoadReport } from '../../kg/dataset.js';
import { graphStats, type GraphStats } from '../../kg/graph-stats.js';
import { positionalOrFlag } from '../positional-or-flag.js';
import { STOP_SIGNALS } from '../stop-signals.js';
import { dataOptions, loadOptionsOf, parseOptions } from '../../pipeline/options.js';
import { addFlags, DATA_FLAGS, givenOptions } from '../run-options.js';
import { runSplit, type SplitFlags } from './data-split.js';
import { requireNewOutFlag } from '../../pipeline/new-out-flag.js';
import { MAX_SYNTHETIC_ENTITIES, MIN_DATASET_ENTITIES, syntheticGraphSize, writeSyntheticDataset } from '../../kg/synthetic-graph.js';
import { formatTable } from '../format-table.js';
import { fetchBaseUrl, fetchDataset, FetchInterruptedError, foundCopyReport, resolveDataset, type FetchOptions } from '../../kg/fetch-dataset.js';
import { KgInputError } from '../../kg/errors.js';
import { DEFAULT_MIN_BYTES_PER_SECOND } from '../../kg/http-download.js';
import { DATASET_RECIPES, recipeFor, unknownDatasetReason } from '../../kg/dataset-recipes.js';
import { byteLimitText, MAX_DOWNLOAD_BYTES, MAX_TIMEOUT_SECONDS, MAX_TIMEOUT_TEXT, thousands } from '../../kg/fetch-limits.js';
import { resolveDatasetDir } from '../../kg/resolve-dataset.js';
import { verifyManifest } from '../../kg/manifest.js';
import { loadProgress } from '../progress.js';
import { exactInteger, integerFlag, numberText } from '../integer-flag.js';
import { refusedOption } from '../../pipeline/options-error.js';

/** Relations listed one by one in the table output when there are at most this many (all of them in --json). */
const MAX_RELATIONS_LISTED = 20;

interface StatsOptions {
  /** The dataset given with --dataset instead of the argument. */
  dataset?: string;
  json: boolean;
  verify: boolean;
}



interface FetchFlags {
  force: boolean;
  timeout?: number;
  url?: string;
  dir?: string;
  minRate?: number;
  json: boolean;
}

/** Parses `--min-rate`: a number of bytes per second, 0 or more (0: no minimum). */
export function parseRateOption(value: string): number {
  const rate = Number(value);
  if (value.trim() === '' || !Number.isFinite(rate) || rate < 0) throw new InvalidArgumentError('expected a number of bytes per second, 0 or more (0: no minimum)');
  return rate;
}


/**
 * Runs `work` with an AbortSignal that the first stop signal aborts (the download stops and its temporary files are
 * removed); a second one quits at once. An interrupted fetch is told on stderr and exits with 128 + the signal's
 * number (130 for Ctrl-C); `undefined` is returned then.
 */
export async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T | undefined> {
  const controller = new AbortController();
  let code: number | undefined;
  const handlers = Object.entries(STOP_SIGNALS).map(([signal, number]) => {
    const handler = (): void => {
      if (code !== undefined) process.exit(code); // a second signal: no waiting for the clean-up (the next fetch removes what is left)
      code = 128 + number;
      controller.abort(signal);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  try {
    return await work(controller.signal);
  } catch (error) {
    if (!(error instanceof FetchInterruptedError) || code === undefined) throw error;
    process.stderr.write(`kgdistill: ${error.message}\n`);
    process.exitCode = code;
    return undefined;
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  }
}

/** Parses `--timeout`: a positive number of seconds, at most what a Node timer holds (2,147,483 s, about 24 days). */
export function parseSecondsOption(value: string): number {
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds <= 0) throw new InvalidArgumentError('expected a positive number of seconds');
  if (seconds > MAX_TIMEOUT_SECONDS) throw new InvalidArgumentError(`expected ${MAX_TIMEOUT_TEXT}`);
  return seconds;
}

/** The directory `--dataset <name>` resolves to, if any (undefined when nothing is found by that name). */
function foundByName(name: string): string | undefined {
  try {
    return resolveDatasetDir(name).dir;
  } catch {
    return undefined;
  }
}

/** --url checked before anything is fetched: a value that is no usable URL is the command line's error (exit 2), as a bad --timeout is. */
function usableUrlFlag(url: string): string {
  try {
    fetchBaseUrl(url);
  } catch (error) {
    throw error instanceof KgInputError ? refusedOption(error.message, 'url', url) : error;
  }
  return url;
}

/** Runs `data fetch`: downloads (or finds) the dataset, progress on stderr, its directory (or a JSON report) on stdout. */
async function runFetch(name: string, flags: FetchFlags): Promise<void> {
  if (recipeFor(name) === undefined) throw refusedOption(`${name}: ${unknownDatasetReason()}`, 'name', name); // a usage error (exit 2), as a bad --url is
  const options: FetchOptions = { force: flags.force };
  if (flags.timeout !== undefined) {
    options.timeoutMs = flags.timeout * 1000;
    options.timeoutSetting = '--timeout';
  }
  if (flags.url !== undefined) options.baseUrl = usableUrlFlag(flags.url);
  if (flags.dir !== undefined) options.root = flags.dir;
  if (flags.minRate !== undefined) options.minBytesPerSecond = flags.minRate;
  options.minRateSetting = '--min-rate';
  // a copy that `--dataset <name>` already finds (e.g. in ../shared/data) is the answer, unless a download is asked for
  const found = flags.force || flags.dir !== undefined || flags.url !== undefined ? undefined : foundByName(name);
  if (found) {
    // a copy that fails its own SHA256SUMS is no answer: --dataset would refuse it
    await verifyManifest(found).catch((error: unknown) => {
      throw new Error(`${name}: the copy --dataset ${name} reads, ${found}, fails its own SHA256SUMS (${(error as Error).message}); restore it, or download a fresh one into the cache with --force`, { cause: error });
    });
    const copy = await foundCopyReport(name, found);
    process.stderr.write(`${name}: already found at ${found} (the copy --dataset ${name} reads); --force, --dir or --url downloads one into the cache\n`);
    if (copy.problem !== undefined) process.stderr.write(`note: this copy is not the published ${copy.name} (${copy.problem})\n`);
    process.stdout.write(flags.json ? `${JSON.stringify(copy)}\n` : `${found}\n`);
    return;
  }
  const report = await interruptible((signal) => fetchDataset(name, { ...options, signal }));
  if (!report) return;
  process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : `${report.dir}\n`);
}

/** The statistics as printable text blocks (tables and headings). */
function statsTables(stats: GraphStats): string[] {
  const { counts, degree, components } = stats;
  const blocks: string[] = [];
  blocks.push(
    formatTable(
      [
        ['entities', counts.entities],
        ['relations', counts.relations],
        ['train triples', counts.triples.train],
        ['valid triples', counts.triples.valid],
        ['test triples', counts.triples.test],
        ['all triples', counts.totalTriples],
      ],
      { header: ['count', 'value'] },
    ),
  );
  blocks.push(
    formatTable([[degree.min, degree.median, degree.mean.toFixed(2), degree.max]], {
      header: ['degree min', 'median', 'mean', 'max'],
    }),
  );
  blocks.push(
    formatTable(
      stats.hubs.map((hub, i) => [i + 1, hub.entity, hub.name ?? '', hub.degree]),
      { header: ['hub', 'entity', 'name', 'degree'], align: ['right', 'left', 'left', 'right'] },
    ),
  );
  const categories = stats.relationCategories;
  blocks.push(
    formatTable(
      (['1-1', '1-N', 'N-1', 'N-N'] as const).map((category) => [category, categories.counts[category]]),
      { header: ['category (Bordes et al. 2013, all splits)', 'relations'] },
    ),
  );
  if (categories.perRelation.length <= MAX_RELATIONS_LISTED) {
    blocks.push(
      formatTable(
        categories.perRelation.map((row) => [row.relation, row.category ?? 'none', row.triples, row.tailsPerHead.toFixed(2), row.headsPerTail.toFixed(2)]),
        { header: ['relation', 'category', 'distinct triples', 'tails/head', 'heads/tail'] }, // a triple in two splits once, as the categories count it
      ),
    );
  } else {
    blocks.push(`(${categories.perRelation.length} relations: per-relation categories with --json)`);
  }
  blocks.push(
    formatTable(
      [
        ['weakly connected components', components.count],
        ['largest component (entities)', components.largestSize],
        ['isolated entities', components.isolatedEntities],
      ],
      { header: ['components', 'value'] },
    ),
  );
  return blocks;
}

/** The dataset options of `data` commands (statistics count every triple: --unseen keep). */
const statsSchema = z.object({ ...dataOptions }).strict();

/** Runs `data stats`: loads, computes, and writes tables or one JSON line to stdout. */
async function runStats(spec: string, options: StatsOptions, command: Command): Promise<void> {
  const settings = parseOptions(statsSchema, { ...givenOptions(command, DATA_FLAGS, statsSchema), dataset: spec }, 'flag');
  // a benchmark found nowhere is fetched first, where Ctrl-C can stop its download (loadDataset then finds it)
  if (!(await interruptible((signal) => resolveDataset(spec, { fetch: { signal, minRateSetting: 'kgdistill data fetch --min-rate' } })))) return;
  const dataset = await loadDataset(spec, { ...loadOptionsOf(settings), verify: options.verify, onProgress: loadProgress() });
  const stats = graphStats(dataset);
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ dataset: dataset.name, dir: dataset.dir, report: dataset.report, stats })}\n`);
    return;
  }
  const out = [`Dataset ${dataset.name} (${dataset.dir})`, '', ...formatLoadReport(dataset.report), ''];
  out.push(statsTables(stats).join('\n\n'));
  process.stdout.write(`${out.join('\n')}\n`);
}

/** Why `data generate --entities` above the ceiling is refused: what it would take, in memory and on disk. */
function entitiesCeilingMessage(given: string): string {
  const gb = (bytes: number): string => `${(bytes / 1e9).toFixed(1)} GB`;
  const asked = syntheticGraphSize(Number(given)), limit = syntheticGraphSize(MAX_SYNTHETIC_ENTITIES);
  const need = Number.isSafeInteger(Number(given)) ? `; ${Number(given)} entities would need ${gb(asked.shuffleBytes)} for the shuffle and ~${gb(asked.textBytes)} of files` : '';
  return `--entities must be at most ${MAX_SYNTHETIC_ENTITIES.toLocaleString('en-US')} (got '${given}'): the generated graph has ~5 triples ` +
    `per entity, shuffled in memory at 4 bytes each, and ~${Math.round(limit.textBytes / MAX_SYNTHETIC_ENTITIES)} bytes of text per entity ` +
    `(${gb(limit.shuffleBytes)} of memory for the shuffle and ~${gb(limit.textBytes)} of files at the limit)${need} (nothing was written)`;
}

/** Adds the `data` command group (`data stats`, `data fetch`) to the program. */
export function registerDataCommands(program: Command): void {
  const data = program.command('data').description('knowledge-graph datasets: statistics (stats), generate, split, fetch');
  const stats = data
    .command('stats')
    .description('load a dataset (all splits) and print its statistics: counts, degrees, hubs, relation categories, components')
    .argument('[dataset]', 'dataset name (searched in $KGDISTILL_DATA, data/, ../shared/data/, the cache; FB15k-237 and WN18RR are fetched when found nowhere) or a directory with train/valid/test files (or give it with --dataset)')
    .option('--dataset <name|dir>', 'the dataset, as train, eval and kd take it (the same as the argument)')
    .addOption(new Option('--json', 'print one JSON object as the last stdout line instead of tables').default(false))
    .addOption(new Option('--no-verify', 'skip checking the files against SHA256SUMS (default: verify when SHA256SUMS exists, every file hashed)'));
  addFlags(stats, DATA_FLAGS, statsSchema, { dataset: 'x' }, false)
    .action(async (spec: string | undefined, options: StatsOptions, command: Command) =>
      runStats(positionalOrFlag(spec, options.dataset, '--dataset', 'dataset'), options, command));
  data
    .command('generate')
    .description('write a small learnable graph generated in code (a cycle, a ternary tree, group membership; seeded) as train/valid/test.txt')
    .requiredOption('--out <dir>', 'new directory for the files')
    .option('--entities <n>', `number of entities (at most ${MAX_SYNTHETIC_ENTITIES.toLocaleString('en-US')})`, '400')
    .option('--seed <n>', 'seed of the split', '0')
    .action(async (flags: { out: string; entities: string; seed: string }) => {
      const entities = exactInteger(flags.entities);
      // an integer too large for a double to hold exactly (`1e20`, twenty digits) is past the ceiling, not "not an integer"
      const huge = entities === undefined && (/^\s*\+?\d+\s*$/.test(flags.entities) || Number.isInteger(numberText(flags.entities)));
      // a refused value is a usage error (exit 2): the command line is to change, not the machine
      const refuse = (message: string) => refusedOption(message, 'entities', flags.entities);
      if (!huge && (entities === undefined || entities < MIN_DATASET_ENTITIES)) throw refuse(`--entities must be an integer ≥ ${MIN_DATASET_ENTITIES} (got '${flags.entities}')`);
      if (entities === undefined || entities > MAX_SYNTHETIC_ENTITIES) throw refuse(entitiesCeilingMessage(flags.entities));
      const seed = integerFlag('--seed', flags.seed); // as train's and data split's
      requireNewOutFlag(flags.out);
      process.stdout.write(`${await writeSyntheticDataset(flags.out, { entities, seed })}\n`);
    });
  const split = data
    .command('split')
    .description('split one triple file into train/valid/test (seeded; valid/test triples with an entity or relation unseen in train move to train, as PyKEEN does)')
    .argument('<file>', 'triple file (tab, comma or whitespace separated; see --delimiter, --columns, --header)')
    .requiredOption('--out <dir>', 'new directory for train.txt, valid.txt and test.txt (refused when it exists and is not empty)')
    .option('--ratios <r>', 'train,valid,test fractions', '0.8,0.1,0.1')
    .option('--seed <n>', 'seed of the shuffle', '0')
    .addOption(new Option('--json', 'print one JSON object with the counts as the last stdout line').default(false));
  addFlags(split, DATA_FLAGS.filter((f) => f.key !== 'unseen'), statsSchema, { dataset: 'x' }, false)
    .action(async (file: string, flags: SplitFlags, command: Command) => runSplit(file, flags, command));
  data
    .command('fetch')
    .description('download a benchmark dataset into the cache, verified against the SHA256SUMS kgdistill ships; prints its directory')
    .argument('<dataset>', `${DATASET_RECIPES.map((r) => r.name).join(' or ')} (case-insensitive; PyKEEN's fb15k237 and wn18rr too)`)
    .addOption(new Option('--force', 'fetch again and replace a copy already there').default(false))
    .addOption(
      new Option('--timeout <seconds>', 'give up on a download after this many seconds without data (default: $KGDISTILL_FETCH_TIMEOUT, else 60)')
        .argParser(parseSecondsOption),
    )
    .addOption(new Option('--url <base>', 'base URL of a mirror with the same file layout, http, https or file (default: $KGDISTILL_DATA_URL, else https://raw.githubusercontent.com)'))
    .addOption(
      new Option('--min-rate <bytes-per-second>', `give up on a download slower than this, averaged over each --timeout window (a server dripping bytes; 0: no minimum; default ${DEFAULT_MIN_BYTES_PER_SECOND})`)
        .argParser(parseRateOption),
    )
    .addOption(new Option('--dir <root>', 'directory to create <dataset>/ in (default: the first $KGDISTILL_DATA entry, else <user cache>/datasets)'))
    .addOption(new Option('--json', 'print a JSON report (files, bytes, checksums, URLs) instead of the directory').default(false))
    .addHelpText(
      'after',
      `\nDatasets:\n${DATASET_RECIPES.map((r) => `  ${r.name.padEnd(10)} ${r.summary}`).join('\n')}\n\n` +
        `Proxies: kgdistill does not use HTTPS_PROXY, HTTP_PROXY or ALL_PROXY. Behind a proxy, download the remote files\n` +
        `with a tool that does (curl, wget) into a directory with the same paths, and fetch with --url file://<that directory>;\n` +
        `or put the dataset's files in the directory shown, yourself. A mirror with a private CA needs NODE_EXTRA_CA_CERTS.\n` +
        `Each download may be at most ${byteLimitText(MAX_DOWNLOAD_BYTES)}; --timeout at most ${thousands(MAX_TIMEOUT_SECONDS)} s.`,
    )
    .action(async (name: string, flags: FetchFlags) => runFetch(name, flags));
}
