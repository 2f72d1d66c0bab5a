/** `kgdistill plot`: the loss and validation-MRR curves of a run, rendered to an SVG file without a browser. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { renderLineChartSvg } from '../svg-chart.js';
import { writeFileAtomic } from '../../core/atomic-file.js';
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

/** Adds `kgdistill plot`. */
export function registerPlotCommand(program: Command): void {
  program
    .command('plot')
    .description('render the loss and validation-MRR curves of a run to an SVG file')
    .argument('<run dir>', 'run directory written by train or distill')
    .option('--out <file>', 'SVG file to write (default <run dir>/curves.svg)')
    .action(async (runDir: string, flags: { out?: string }) => {
      const records = await runMetrics(runDir);
      const points = [
        ...records.map((r) => ({ epoch: r.epoch, value: r.loss, series: 'training loss' })),
        // a sampled validation says so: its MRR is not comparable with one over all entities
        ...records.filter((r) => r.valid).map((r) => ({ epoch: r.epoch, value: r.valid!.mrr, series: r.valid!.candidates === undefined ? 'validation MRR' : `validation MRR (sampled: ${r.valid!.candidates} candidates)` })),
      ];
      const svg = await renderLineChartSvg(points, { title: path.basename(path.resolve(runDir)), x: 'epoch', y: 'value', independentY: true });
      const out = flags.out ?? path.join(runDir, 'curves.svg');
      if (!/\.svg$/i.test(out)) throw new Error(`--out ${out}: plot writes SVG; give a file name ending in .svg (nothing was written)`);
      // a plot replaces a plot (an SVG), never another file given by mistake
      if (existsSync(out) && !(statSync(out).isFile() && /^\s*(<\?xml[^>]*>\s*)?<svg[\s>]/.test(readFileSync(out, 'utf8').slice(0, 512)))) {
        throw new Error(`--out ${out}: exists and is not an SVG plot; give a new file (nothing was written)`);
      }
      await writeFileAtomic(out, svg);
      process.stdout.write(`${out}\n`);
    });
}
