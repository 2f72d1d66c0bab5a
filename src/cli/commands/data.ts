/**
 * `kgdistill data ...`: commands about datasets. For now `data stats <name|dir>`, which loads a dataset (all
 * splits, `--unseen keep` by default so every triple counts), prints the load report and the graph statistics
 * as tables, or with `--json` one JSON object as the last stdout line.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadDataset, formatLoadReport, type LoadOptions } from '../../kg/dataset.js';
import { graphStats, type GraphStats } from '../../kg/graph-stats.js';
import type { ColumnOrder, UnseenPolicy } from '../../kg/types.js';
import type { TripleDelimiter } from '../../kg/triple-reader.js';
import { formatTable } from '../format-table.js';

/** Relations listed one by one in the table output when there are at most this many (all of them in --json). */
const MAX_RELATIONS_LISTED = 20;

interface StatsOptions {
  json: boolean;
  delimiter: TripleDelimiter | 'auto';
  columns: ColumnOrder;
  unseen: UnseenPolicy;
  verify: boolean;
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

/** Adds the `data` command group (`data stats`) to the program. */
export function registerDataCommands(program: Command): void {
  const data = program.command('data').description('inspect knowledge-graph datasets');
  data
    .command('stats')
    .description('load a dataset (all splits) and print its statistics: counts, degrees, hubs, relation categories, components')
    .argument('<dataset>', 'dataset name (FB15k-237, WN18RR; searched in $KGDISTILL_DATA, data/, ../shared/data/) or a directory with train/valid/test files')
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
}
