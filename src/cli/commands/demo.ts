/**
 * `kgdistill demo` (`npm run demo`): trains and evaluates a small model end to end in a few minutes — RotH d=32 on
 * WN18RR when that dataset is found, otherwise ComplEx on a small knowledge graph generated in code — and says
 * which it ran. It is an ordinary `train` run, printed with its exact command.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { positiveInteger } from '../integer-flag.js';
import { resolveDatasetDir } from '../../kg/resolve-dataset.js';
import { writeSyntheticDataset } from '../../kg/synthetic-graph.js';

/** The train arguments of the demo: WN18RR when resolvable, else a generated graph. */
async function demoArguments(epochs: string): Promise<{ args: string[]; what: string }> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  try {
    resolveDatasetDir('WN18RR');
    return {
      what: 'WN18RR was found: training RotH (hyperbolic, d=32) with the published recipe for a few epochs',
      args: ['--dataset', 'WN18RR', '--model', 'RotH', '--dim', '32', '--optimizer', 'adam', '--lr', '0.001', '--neg', '50',
        '--epochs', epochs, '--valid-every', '5', '--unseen', 'keep', '--out', path.join('runs', `demo-wn18rr-roth-${stamp}`)],
    };
  } catch {
    const dir = await writeSyntheticDataset(path.join(mkdtempSync(path.join(tmpdir(), 'kgdistill-demo-')), 'generated-graph'), { entities: 400 });
    return {
      what: `WN18RR was not found: training ComplEx on a small graph generated in code (${dir})`,
      args: ['--dataset', dir, '--model', 'ComplEx', '--dim', '32', '--lr', '0.1', '--neg', '20', '--batch-size', '100',
        '--epochs', epochs, '--valid-every', '10', '--out', path.join('runs', `demo-generated-${stamp}`)],
    };
  }
}

/** Adds `kgdistill demo`. */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('train and evaluate a small model end to end (WN18RR if found, else a generated graph)')
    .option('--epochs <n>', 'epochs to train', positiveInteger, 20)
    .option('--json', 'print one JSON object with the results as the last stdout line')
    .action(async (flags: { epochs: number; json?: boolean }) => {
      // --epochs is checked as it is read, before a graph is generated (a bad value left one behind)
      const { args, what } = await demoArguments(String(flags.epochs));
      const full = [...args, ...(flags.json ? ['--json'] : [])];
      process.stderr.write(`${what}\n$ kgdistill train ${full.join(' ')}\n`);
      await program.parseAsync(['train', ...full], { from: 'user' });
    });
}
