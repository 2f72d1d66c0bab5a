/**
 * `kgdistill demo` (`npm run demo`): trains and evaluates a small model end to end in a few minutes — RotH d=32 on
 * WN18RR when that dataset is found, otherwise ComplEx on a small knowledge graph generated in code — and says
 * which it ran and where. It is an ordinary `train` run, printed with its exact command; a generated graph is kept
 * beside the run (`<out>-graph`), since the run's configuration names it. Then it says what to try next.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { positiveInteger } from '../integer-flag.js';
import { findSplitFiles, resolveDatasetDir } from '../../kg/resolve-dataset.js';
import { shellQuote } from '../../pipeline/shell-quote.js';
import { writeSyntheticDataset } from '../../kg/synthetic-graph.js';
import { fileWriteError } from '../../kg/errors.js';
import { plural } from '../../kg/plural.js';
import { makeDirectories } from '../../kg/make-directory.js';

/** The full WN18RR recipe (the README's command line; test MRR 0.4721 ± 0.0009 in docs/RESULTS.md), of which the demo runs a few epochs. */
const FULL_RECIPE = 'kgdistill train --dataset WN18RR --model RotH --dim 32 --optimizer adam --lr 0.001 --double-neg --epochs 300 --valid-every 5 --patience 15 --out runs/wn18rr-roth-32';

/** The train arguments of the demo: WN18RR when resolvable, else a graph generated at `<out>-graph`. */
async function demoArguments(epochs: number, out: string | undefined): Promise<{ args: string[]; what: string; runDir: string; dataDir: string; onWN18RR: boolean }> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const epochText = `for ${epochs} ${plural(epochs, 'epoch')}`;
  let found: string | undefined;
  try {
    found = resolveDatasetDir('WN18RR').dir;
  } catch {
    found = undefined;
  }
  // (a trailing separator would put the graph inside the run directory: `runs/x/` + `-graph`)
  const runDir = out?.replace(/(?<=.)[\\/]+$/, '') ?? path.join('runs', found ? `demo-wn18rr-roth-${stamp}` : `demo-generated-${stamp}`);
  const parent = path.dirname(path.resolve(runDir));
  try {
    await makeDirectories(parent); // not mkdir's recursive mode: it never returns under /proc
  } catch (error) {
    throw fileWriteError(parent, error, 'cannot create the directory for the demo\'s run', '; run the demo from a writable directory or give --out <dir>');
  }
  if (found) {
    return {
      onWN18RR: true, runDir, dataDir: found,
      what: `WN18RR was found in ${found}: training RotH (hyperbolic, d=32) with the published recipe's settings (without its double negatives, which double an epoch's time) ${epochText}`,
      args: ['--dataset', 'WN18RR', '--model', 'RotH', '--dim', '32', '--optimizer', 'adam', '--lr', '0.001', '--neg', '50',
        '--epochs', String(epochs), '--valid-every', '5', '--unseen', 'keep', '--out', runDir],
    };
  }
  const dir = await writeSyntheticDataset(`${runDir}-graph`, { entities: 400 });
  return {
    onWN18RR: false, runDir, dataDir: dir,
    what: `WN18RR was not found (\`kgdistill data fetch WN18RR\` downloads it; README, "Data"): training ComplEx ${epochText} on a small graph generated in code, kept in ${dir}`,
    args: ['--dataset', dir, '--model', 'ComplEx', '--dim', '32', '--lr', '0.1', '--neg', '20', '--batch-size', '100',
      '--epochs', String(epochs), '--valid-every', '10', '--out', runDir],
  };
}

/** The head and relation of the first line of `dir`'s train file, shell-quoted where needed; undefined if unreadable. */
function firstQuery(dir: string): string | undefined {
  const train = findSplitFiles(dir).train;
  if (train === undefined) return undefined;
  try {
    const [head, relation] = readFileSync(train, 'utf8').split('\n', 1)[0]!.split('\t');
    return head && relation ? `--head ${shellQuote(head)} --relation ${shellQuote(relation)}` : undefined;
  } catch {
    return undefined;
  }
}

/** What to try after the demo, on its run directory. */
function nextSteps(runDir: string, dataDir: string, onWN18RR: boolean): string {
  const query = firstQuery(dataDir);
  const run = shellQuote(runDir);
  return [
    'next:',
    `  kgdistill eval --checkpoint ${run}   # the metrics again (--split valid, --json)`,
    ...(query ? [`  kgdistill predict --checkpoint ${run} ${query}   # the top tails of a query`] : []),
    `  kgdistill plot ${run}   # its loss and validation-MRR curves (SVG)`,
    `  kgdistill serve --checkpoint ${run}   # an HTTP API and the browser explorer`,
    ...(onWN18RR ? [`  ${FULL_RECIPE}   # the full recipe: ~0.47 test MRR (a demo's few epochs are far from converged)`] : []),
  ].join('\n');
}

/** Adds `kgdistill demo`. */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('train and evaluate a small model end to end (WN18RR if found, else a generated graph)')
    .option('--epochs <n>', 'epochs to train', positiveInteger, 20)
    .option('--out <dir>', 'run directory (default runs/demo-wn18rr-roth-<time>, or runs/demo-generated-<time> with its graph in <dir>-graph)')
    .option('--json', 'print one JSON object with the results as the last stdout line')
    .action(async (flags: { epochs: number; out?: string; json?: boolean }) => {
      // --epochs is checked as it is read, before a graph is generated (a bad value left one behind)
      const { args, what, runDir, dataDir, onWN18RR } = await demoArguments(flags.epochs, flags.out);
      const full = [...args, ...(flags.json ? ['--json'] : [])];
      process.stderr.write(`${what}\n$ kgdistill train ${full.map(shellQuote).join(' ')}\n`);
      await program.parseAsync(['train', ...full], { from: 'user' });
      if (!process.exitCode) process.stderr.write(`${nextSteps(runDir, dataDir, onWN18RR)}\n`);
    });
}
