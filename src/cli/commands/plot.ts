/** `kgdistill plot`: the loss and validation-MRR curves of a run, rendered to an SVG file without a browser. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { writeFileAtomic } from '../../core/atomic-file.js';
import { FILE_ERROR_WORDS, fileErrorWords } from '../../kg/errors.js';
import { MakeDirectoryError, SPECIAL_DIRECTORY_WORDS } from '../../kg/make-directory.js';
import { positionalOrFlag } from '../positional-or-flag.js';
import { isKgdistillPlot, markedPlot } from '../plot-mark.js';
import { refusedOption } from '../../pipeline/options-error.js';
import type { EpochRecord } from '../../core/trainer.js';
import { readMetrics } from '../../core/metrics-log.js';

/** A run's epoch records; a missing or empty metrics.jsonl, or a bad line in it, is an error naming the file (and line). */
async function runMetrics(runDir: string): Promise<EpochRecord[]> {
  const file = path.join(runDir, 'metrics.jsonl');
  if (!existsSync(file)) throw new Error(`${file}: no metrics here (is ${runDir} a run directory written by train?)`);
  const records = await readMetrics<EpochRecord>(file);
  if (records.length === 0) throw new Error(`${file}: no epoch recorded yet: nothing to plot`);
  return records;
}

/** The deepest existing part of `file`'s path when that part is a file (the one where a directory is needed). */
function fileInTheWay(file: string): string | undefined {
  for (let at = path.resolve(file); path.dirname(at) !== at; at = path.dirname(at)) {
    if (existsSync(at)) return statSync(at).isFile() ? at : undefined;
  }
  return undefined;
}

/**
 * A failed write of `out` in words that fit: "the old file is kept" only when there was one, "nothing was written"
 * otherwise; a part of the path that is a file is named, and a directory that takes no new files (/proc) said so.
 */
function plotWriteError(out: string, error: unknown, existed: boolean): Error {
  const outcome = existed ? 'the old file is kept' : 'nothing was written';
  if (error instanceof MakeDirectoryError) return new Error(`--out ${out}: cannot write: ${error.message}; ${outcome}`, { cause: error });
  const cause = (error instanceof Error ? error.cause : undefined) as NodeJS.ErrnoException | undefined;
  if (typeof cause?.code !== 'string') {
    const message = error instanceof Error ? error.message : String(error);
    return new Error(`${message.replace(/; the old file is kept$/, '')}; ${outcome}`, { cause: error });
  }
  const inTheWay = cause.code === 'ENOTDIR' || cause.code === 'EEXIST' ? fileInTheWay(path.dirname(out)) : undefined;
  const dir = path.dirname(path.resolve(out));
  const reason = inTheWay !== undefined ? `${path.relative(process.cwd(), inTheWay) || inTheWay} is a file where a directory is needed`
    : cause.code === 'ENOENT' && existsSync(dir) && statSync(dir).isDirectory() ? `${dir} ${SPECIAL_DIRECTORY_WORDS}`
      : FILE_ERROR_WORDS[cause.code] ?? fileErrorWords(cause);
  return new Error(`--out ${out}: cannot write: ${reason}; ${outcome}`, { cause: error });
}

/** Adds `kgdistill plot`. */
export function registerPlotCommand(program: Command): void {
  program
    .command('plot')
    .description('render the loss and validation-MRR curves of a run to an SVG file')
    .argument('[run dir]', 'run directory written by train or distill (or give it with --checkpoint)')
    .option('--checkpoint <run dir>', 'the run directory, as eval, predict and export take it (the same as the argument)')
    .option('--out <file>', 'SVG file to write (default <run dir>/curves.svg)')
    .action(async (runDirArgument: string | undefined, flags: { out?: string; checkpoint?: string }) => {
      const runDir = positionalOrFlag(runDirArgument, flags.checkpoint, '--checkpoint', 'run directory');
      if (flags.out !== undefined && !/\.svg$/i.test(flags.out)) { // a usage error (exit 2), before the run is read
        const message = `--out ${flags.out}: plot writes SVG; give a file name ending in .svg (nothing was written)`;
        throw refusedOption(message, 'out', flags.out);
      }
      const records = await runMetrics(runDir);
      const points = [
        ...records.map((r) => ({ epoch: r.epoch, value: r.loss, series: 'training loss' })),
        // a sampled validation says so: its MRR is not comparable with one over all entities
        ...records.filter((r) => r.valid).map((r) => ({ epoch: r.epoch, value: r.valid!.mrr, series: r.valid!.candidates === undefined ? 'validation MRR' : `validation MRR (sampled: ${r.valid!.candidates} candidates)` })),
      ];
      // vega is loaded by the one command that draws (~0.3 s of every other command's start)
      const { renderLineChartSvg } = await import('../svg-chart.js');
      const svg = markedPlot(await renderLineChartSvg(points, { title: path.basename(path.resolve(runDir)), x: 'epoch', y: 'value', independentY: true }));
      const out = flags.out ?? path.join(runDir, 'curves.svg');
      // a plot replaces a plot kgdistill wrote, never another file (a drawing of the user's) given by mistake
      if (existsSync(out) && !(statSync(out).isFile() && isKgdistillPlot(readFileSync(out, 'utf8').slice(0, 1024)))) {
        throw new Error(`--out ${out}: exists and is not a plot kgdistill wrote; give a new file (nothing was written)`);
      }
      const existed = existsSync(out);
      await writeFileAtomic(out, svg).catch((error: unknown) => {
        throw plotWriteError(out, error, existed);
      });
      process.stdout.write(`${out}\n`);
    });
}
