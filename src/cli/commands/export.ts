/** `kgdistill export`: a run's embeddings (every parameter table) with their names as TSV, NumPy .npy or Parquet. */
import { Command, Option } from 'commander';
import { EXPORT_FORMATS, exportRun } from '../../pipeline/export.js';

/** Adds `kgdistill export`. */
export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description('write a run\'s embeddings with their names (every table: entities, relations, biases, curvatures) for numpy, pandas, DuckDB or Spark; export.json says what each table holds')
    .requiredOption('--checkpoint <run dir>', 'run directory written by train or distill')
    .addOption(new Option('--format <f>', 'file format').choices([...EXPORT_FORMATS]).default('tsv'))
    .requiredOption('--out <dir>', 'new directory for the files (refused when it exists and is not empty)')
    .option('--last', 'export the last checkpoint instead of the best one')
    .option('--json', 'print one JSON object describing the files as the last stdout line')
    .action(async (flags: { checkpoint: string; format: (typeof EXPORT_FORMATS)[number]; out: string; last?: boolean; json?: boolean }) => {
      const report = await exportRun(flags.checkpoint, flags.format, flags.out, { last: flags.last, naming: 'flag', onNotice: (note) => process.stderr.write(`note: ${note}\n`) });
      process.stderr.write(`exported ${report.tables.length} tables (${report.tables.map((t) => `${t.name} ${t.rows}×${t.dim}`).join(', ')}) as ${report.format}\n`);
      process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : `${report.out}\n`);
    });
}
