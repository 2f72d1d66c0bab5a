/**
 * `kgdistill data ...`: commands about datasets. `data stats <name|dir>` loads a dataset (all splits, `--unseen
 * keep` by default so every triple counts), prints the load report and the graph statistics as tables, or with
 * `--json` one JSON object as the last stdout line. `data fetch <name>` downloads a benchmark (FB15k-237, WN18RR)
 * into the cache, verified against its SHA256SUMS, telling on stderr what it fetched; stdout gets its directory.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadDataset, formatLoadReport, type LoadOptions } from '../../kg/dataset.js';
import { graphStats, type GraphStats } from '../../kg/graph-stats.js';
import type { ColumnOrder, UnseenPolicy } from '../../kg/types.js';
import type { TripleDelimiter } from '../../kg/triple-reader.js';
import { formatTable } from '../format-table.js';
import { fetchDataset, type FetchOptions } from '../../kg/fetch-dataset.js';
import { DATASET_RECIPES } from '../../kg/dataset-recipes.js';

/** Relations listed one by one in the table output when there are at most this many (all of them in --json). */
const MAX_RELATIONS_LISTED = 20;

interface StatsOptions {
  json: boolean;
  delimiter: TripleDelimiter | 'auto';
  columns: ColumnOrder;
  unseen: UnseenPolicy;
  verify: boolean;
}

interface FetchFlags {
  force: boolean;
  timeout?: number;
  url?: string;
  dir?: string;
  json: boolean;
}

/** Parses `--timeout`: a positive number of seconds. */
export function parseSecondsOption(value: string): number {
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds <= 0) throw new InvalidArgumentError('expected a positive number of seconds');
  return seconds;
}

/** Runs `data fetch`: downloads (or finds) the dataset, progress on stderr, its directory (or a JSON report) on stdout. */
async function runFetch(name: string, flags: FetchFlags): Promise<void> {
  const options: FetchOptions = { force: flags.force };
  if (flags.timeout !== undefined) {
    options.timeoutMs = flags.timeout * 1000;
    options.timeoutSetting = '--timeout';
  }
  if (flags.url !== undefined) options.baseUrl = flags.url;
  if (flags.dir !== undefined) options.root = flags.dir;
  const report = await fetchDataset(name, options);
  process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : `${report.dir}\n`);
}

/** Parses `--delimiter`: tab (`tab`, `\t`, a literal tab), comma (`comma`, `,`) or `auto`. */
export function parseDelimiterOption(value: string): TripleDelimiter | 'auto' {
  const normalised = value === '\t' ? 'tab' : value.trim().toLowerCase();
  if (normalised === 'auto') return 'auto';
  if (normalised === 'tab' || normalised === '\\t') return '\t';
  if (normalised === 'comma' || normalised === ',') return ',';
  throw new InvalidArgumentError('expected tab, comma or auto');
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
        categories.perRelation.map((row) => [row.relation, row.category, row.triples, row.tailsPerHead.toFixed(2), row.headsPerTail.toFixed(2)]),
        { header: ['relation', 'category', 'triples', 'tails/head', 'heads/tail'] },
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

/** Runs `data stats`: loads, computes, and writes tables or one JSON line to stdout. */
async function runStats(spec: string, options: StatsOptions, command: Command): Promise<void> {
  const loadOptions: LoadOptions = { unseen: options.unseen, verify: options.verify };
  if (options.delimiter !== 'auto') loadOptions.delimiter = options.delimiter;
  // The default column order yields to a header line naming another order; an explicit --columns must match it.
  if (command.getOptionValueSource('columns') !== 'default') loadOptions.columns = options.columns;
  const dataset = await loadDataset(spec, loadOptions);
  const stats = graphStats(dataset);
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ dataset: dataset.name, dir: dataset.dir, report: dataset.report, stats })}\n`);
    return;
  }
  const out = [`Dataset ${dataset.name} (${dataset.dir})`, '', ...formatLoadReport(dataset.report), ''];
  out.push(statsTables(stats).join('\n\n'));
  process.stdout.write(`${out.join('\n')}\n`);
}

/** Adds the `data` command group (`data stats`, `data fetch`) to the program. */
export function registerDataCommands(program: Command): void {
  const data = program.command('data').description('inspect and fetch knowledge-graph datasets');
  data
    .command('stats')
    .description('load a dataset (all splits) and print its statistics: counts, degrees, hubs, relation categories, components')
    .argument('<dataset>', 'dataset name (searched in $KGDISTILL_DATA, data/, ../shared/data/, the cache; FB15k-237 and WN18RR are fetched when found nowhere) or a directory with train/valid/test files')
    .addOption(new Option('--json', 'print one JSON object as the last stdout line instead of tables').default(false))
    .addOption(
      new Option('--delimiter <c>', 'field delimiter: tab, comma or auto (tab if the first data line has one, else comma)')
        .argParser(parseDelimiterOption)
        .default('auto'),
    )
    .addOption(
      new Option('--columns <order>', 'column order: head-relation-tail or head-tail-relation')
        .choices(['hrt', 'htr'])
        .default('hrt', 'hrt, or the order a header line names'),
    )
    .addOption(
      new Option('--unseen <policy>', 'valid/test triples with an entity or relation not in train: drop, keep (count in the statistics) or error')
        .choices(['drop', 'keep', 'error'])
        .default('keep'),
    )
    .addOption(new Option('--no-verify', 'skip checking the files against SHA256SUMS (default: verify when SHA256SUMS exists, cached)'))
    .action(async (spec: string, options: StatsOptions, command: Command) => runStats(spec, options, command));
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
    .addOption(new Option('--dir <root>', 'directory to create <dataset>/ in (default: the first $KGDISTILL_DATA entry, else <user cache>/datasets)'))
    .addOption(new Option('--json', 'print a JSON report (files, bytes, checksums, URLs) instead of the directory').default(false))
    .addHelpText('after', `\nDatasets:\n${DATASET_RECIPES.map((r) => `  ${r.name.padEnd(10)} ${r.summary}`).join('\n')}`)
    .action(async (name: string, flags: FetchFlags) => runFetch(name, flags));
}
