/** `kgdistill plot`: the loss and validation-MRR curves of a run, rendered to an SVG file without a browser. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { renderLineChartSvg } from '../svg-chart.js';
import { writeFileAtomic } from '../../core/atomic-file.js';
import type { EpochRecord } from '../../core/trainer.js';

/** Reads a run's metrics.jsonl; a missing or malformed file is a clear error naming the line. */
export async function readMetrics(runDir: string): Promise<EpochRecord[]> {
  const file = path.join(runDir, 'metrics.jsonl');
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    throw new Error(`${file}: no metrics here (is ${runDir} a run directory written by train?)`);
  }
  return text.split('\n').filter((line) => line.trim() !== '').map((line, i) => {
    try {
      return JSON.parse(line) as EpochRecord;
    } catch {
      throw new Error(`${file}:${i + 1}: not a JSON line`);
    }
  });
}

/** Adds `kgdistill plot`. */
export function registerPlotCommand(program: Command): void {
  program
    .command('plot')
    .description('render the loss and validation-MRR curves of a run to an SVG file')
    .argument('<run dir>', 'run directory written by train or distill')
    .option('--out <file>', 'SVG file to write (default <run dir>/curves.svg)')
    .action(async (runDir: string, flags: { out?: string }) => {
      const records = await readMetrics(runDir);
      const points = [
        ...records.map((r) => ({ epoch: r.epoch, value: r.loss, series: 'training loss' })),
        ...records.filter((r) => r.valid).map((r) => ({ epoch: r.epoch, value: r.valid!.mrr, series: 'validation MRR' })),
      ];
      const svg = await renderLineChartSvg(points, { title: path.basename(path.resolve(runDir)), x: 'epoch', y: 'value', independentY: true });
      const out = flags.out ?? path.join(runDir, 'curves.svg');
      await writeFileAtomic(out, svg);
      process.stdout.write(`${out}\n`);
    });
}
