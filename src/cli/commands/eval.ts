/** `kgdistill eval`: filtered link-prediction metrics of a trained run on a split (all three tie rules in --json). */
import { Command, Option } from 'commander';
import { BACKEND_CHOICES, type BackendRequest } from '../../core/backend.js';
import { evaluateRun } from '../../pipeline/evaluate.js';
import { dataLine, RUN_ENVIRONMENT_HELP } from '../run-training.js';
import { formatEvaluation, formatRelations, formatSampled } from '../report-format.js';
import { testProgress } from '../progress.js';
import { addFlags, DATA_FLAGS, EVAL_CANDIDATES_HELP, evalCandidatesFlag, givenOptions } from '../run-options.js';
import { readingOptionsSchema } from '../../pipeline/options.js';
import { integerFlag } from '../integer-flag.js';

interface EvalFlags { checkpoint: string; split: 'valid' | 'test'; dataset?: string; backend: BackendRequest; json?: boolean; last?: boolean; evalCandidates?: string; evalSeed?: string; byRelation?: boolean }

/** Adds `kgdistill eval`. */
export function registerEvalCommand(program: Command): void {
  const command = program
    .command('eval')
    .description('evaluate a trained run (filtered MRR, MR, Hits@1/3/10, both directions; optimistic, realistic and pessimistic ties in --json)')
    .requiredOption('--checkpoint <run dir>', 'run directory written by train or distill')
    .addHelpText('after', RUN_ENVIRONMENT_HELP)
    .addOption(new Option('--split <name>', 'split to evaluate').choices(['test', 'valid']).default('test'))
    .option('--dataset <name|dir>', 'dataset (default: the one the run was trained on, read as it was)')
    .option('--last', 'evaluate the last checkpoint instead of the best one')
    .option('--eval-candidates <n>', `${EVAL_CANDIDATES_HELP} (default: the run's own, else all entities)`)
    .option('--eval-seed <n>', "seed of the sampled candidates (default: the run's own, else 0)")
    .option('--by-relation', 'also the filtered metrics of each relation with a triple in the split (both directions; each direction in --json); a ranking against all entities only')
    .addOption(new Option('--backend <name>', 'tfjs backend').choices(BACKEND_CHOICES as string[]).default('auto'))
    .option('--json', 'print one JSON object with the metrics (and `warnings`: the notes of stderr) as the last stdout line');
  addFlags(command, DATA_FLAGS.map((f) => ({ ...f, defaultText: "the run's" })), readingOptionsSchema, {}, false);
  command.action(async (flags: EvalFlags) => {
    const reading = givenOptions(command, DATA_FLAGS, readingOptionsSchema);
    const started = performance.now();
    const candidates = flags.evalCandidates === undefined ? undefined : evalCandidatesFlag(flags.evalCandidates);
    const candidateSeed = flags.evalSeed === undefined ? undefined : integerFlag('--eval-seed', flags.evalSeed);
    const warnings: string[] = []; // what was said on stderr, also in --json (as train's `warnings`)
    const result = await evaluateRun(flags.checkpoint, { split: flags.split, dataset: flags.dataset, last: flags.last, backend: flags.backend, onProgress: testProgress(), candidates, candidateSeed, reading, naming: 'flag', byRelation: flags.byRelation,
      onNotice: (message) => {
        warnings.push(message);
        process.stderr.write(`note: ${message}\n`);
      } });
    const seconds = (performance.now() - started) / 1000;
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ ...result.metrics, split: result.split, backend: result.backend, seconds, model: result.model, dim: result.dim, dataset: result.dataset, checkpoint: result.checkpoint, data: result.data, ...(result.byRelation ? { byRelation: result.byRelation } : {}), warnings })}\n`);
    } else {
      const body = result.report ? `${formatEvaluation(result.report)}${result.byRelation ? `\n${formatRelations(result.byRelation)}` : ''}` : formatSampled(result.sampled!);
      process.stdout.write(`${result.model} d=${result.dim}, ${result.dataset} ${result.split}, ${result.checkpoint} checkpoint, backend ${result.backend}\n${body}\n${dataLine(result.data)}\n`);
    }
  });
}
