/** `kgdistill eval`: filtered link-prediction metrics of a trained run on a split (all three tie rules in --json). */
import { Command, Option } from 'commander';
import { BACKEND_CHOICES, type BackendRequest } from '../../core/backend.js';
import { evaluateRun } from '../../pipeline/evaluate.js';
import { formatEvaluation } from '../report-format.js';
import { testProgress } from '../progress.js';

interface EvalFlags { checkpoint: string; split: 'valid' | 'test'; dataset?: string; backend: BackendRequest; json?: boolean; last?: boolean }

/** Adds `kgdistill eval`. */
export function registerEvalCommand(program: Command): void {
  program
    .command('eval')
    .description('evaluate a trained run (filtered MRR, MR, Hits@1/3/10, both directions; optimistic, realistic and pessimistic ties in --json)')
    .requiredOption('--checkpoint <run dir>', 'run directory written by train or distill')
    .addOption(new Option('--split <name>', 'split to evaluate').choices(['test', 'valid']).default('test'))
    .option('--dataset <name|dir>', 'dataset (default: the one the run was trained on)')
    .option('--last', 'evaluate the last checkpoint instead of the best one')
    .addOption(new Option('--backend <name>', 'tfjs backend').choices(BACKEND_CHOICES as string[]).default('auto'))
    .option('--json', 'print one JSON object with the metrics as the last stdout line')
    .action(async (flags: EvalFlags) => {
      const started = performance.now();
      const result = await evaluateRun(flags.checkpoint, { split: flags.split, dataset: flags.dataset, last: flags.last, backend: flags.backend, onProgress: testProgress() });
      const seconds = (performance.now() - started) / 1000;
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ ...result.metrics, split: result.split, backend: result.backend, seconds, model: result.model, dim: result.dim, dataset: result.dataset, checkpoint: result.checkpoint })}\n`);
      } else {
        process.stdout.write(`${result.model} d=${result.dim}, ${result.dataset} ${result.split}, ${result.checkpoint} checkpoint, backend ${result.backend}\n${formatEvaluation(result.report)}\n`);
      }
    });
}
