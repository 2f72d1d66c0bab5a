/** `kgdistill eval`: filtered link-prediction metrics of a trained run on a split. */
import path from 'node:path';
import { Command, Option } from 'commander';
import { loadDataset } from '../../kg/dataset.js';
import { initBackend, BACKEND_CHOICES, type BackendRequest } from '../../core/backend.js';
import { runDataFromDataset, requireSameVocabulary } from '../../core/training-data.js';
import { evaluateSplit } from '../../eval/evaluate-run.js';
import { loadRun } from '../../registry/load-run.js';
import type { UnseenPolicy } from '../../kg/types.js';
import { evaluationJson, formatEvaluation } from '../report-format.js';

interface EvalFlags { checkpoint: string; split: 'valid' | 'test'; dataset?: string; backend: BackendRequest; json?: boolean; last?: boolean }

/** Adds `kgdistill eval`. */
export function registerEvalCommand(program: Command): void {
  program
    .command('eval')
    .description('evaluate a trained run (filtered MRR, MR, Hits@1/3/10, both directions)')
    .requiredOption('--checkpoint <run dir>', 'run directory written by train or distill')
    .addOption(new Option('--split <name>', 'split to evaluate').choices(['test', 'valid']).default('test'))
    .option('--dataset <name|dir>', 'dataset (default: the one the run was trained on)')
    .option('--last', 'evaluate the last checkpoint instead of the best one')
    .addOption(new Option('--backend <name>', 'tfjs backend').choices(BACKEND_CHOICES as string[]).default('auto'))
    .option('--json', 'print one JSON object with the metrics as the last stdout line')
    .action(async (flags: EvalFlags) => {
      const started = performance.now();
      const backend = await initBackend(flags.backend);
      const run = await loadRun(path.resolve(flags.checkpoint), flags.last ? 'last' : undefined);
      const unseen: UnseenPolicy = run.header.dataset.unseen ?? 'drop';
      const dataset = await loadDataset(flags.dataset ?? run.header.dataset.dir ?? run.header.dataset.name, { unseen });
      const data = runDataFromDataset(dataset);
      requireSameVocabulary(run.file, run.header.vocab, data);
      const report = await evaluateSplit(run.runtime, data, flags.split);
      const seconds = (performance.now() - started) / 1000;
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(evaluationJson(report, { split: flags.split, backend, seconds, model: run.header.model.model, dim: run.header.model.dim, dataset: dataset.name }))}\n`);
      } else {
        process.stdout.write(`${run.header.model.model} d=${run.header.model.dim}, ${dataset.name} ${flags.split}, backend ${backend}\n${formatEvaluation(report)}\n`);
      }
    });
}
