/**
 * `kgdistill distill`: MulDE (Wang et al., WWW 2021) — frozen teachers, a Junior student that picks its top-K
 * candidates and asks the teachers, a Senior that turns their answers into soft labels. Writes an ordinary run
 * directory (checkpoints, metrics.jsonl, result.json) that `eval` accepts. The student trains with the same settings
 * as a plain `train` run unless changed; the MulDE-specific defaults follow the authors' code.
 */
import type { Command } from 'commander';
import { MODELS, modelNames } from '../../registry/models.js';
import { distillOptionsSchema } from '../../pipeline/options.js';
import { runDistill } from '../../pipeline/train.js';
import { addFlags, EVAL_CANDIDATES_HELP, givenOptionsWithSources, type FlagSpec } from '../run-options.js';
import { addRunSwitches, resumeCommandOf, runTrainingCommand, TRAINING_FLAGS } from '../run-training.js';

const FLAGS: readonly FlagSpec[] = [
  { key: 'teachers', kind: 'list', arg: '<run dirs>', description: 'comma-separated run directories of trained teacher models' },
  { key: 'student', kind: 'string', arg: '<name>', description: `student (Junior) model: ${modelNames().join(', ')}` },
  { key: 'topK', kind: 'number', arg: '<K>', description: 'candidates per query the Junior picks and asks the teachers about (the paper: 500; at most the number of entities)' },
  { key: 'kdWeight', kind: 'number', arg: '<λ>', description: 'weight of the distillation loss (authors: 0.01 on WN18RR, 0.5 on FB15k-237)' },
  { key: 'temperature', kind: 'number', arg: '<T>', description: 'distillation temperature' },
  { key: 'seniorLr', kind: 'number', arg: '<rate>', description: 'learning rate of the Senior (default: --lr)' },
  { key: 'refreshEvery', kind: 'number', arg: '<epochs>', description: "reuse a query's top-K and the teachers' scores until they are this many epochs old (0: every iteration, as the paper; R ≥ 1: all queries together at the start of every R-th epoch)" },
  { key: 'scaling', kind: 'negated', description: "switch off the Senior's relation-specific scaling" },
  { key: 'attention', kind: 'negated', description: "switch off the Senior's contrastive attention (teachers averaged)" },
  // the Junior's hard loss is a sampled loss on its own negatives, drawn per query, without a regulariser
  ...TRAINING_FLAGS.filter((flag) => !['oneToN', 'sharedNeg', 'reg', 'regWeight'].includes(flag.key)).map((flag) => juniorFlag(flag)),
];

/** A training flag as it applies to the Junior's hard loss. */
function juniorFlag(flag: FlagSpec): FlagSpec {
  if (flag.key === 'loss') {
    return { ...flag, choices: ['auto', 'bce', 'nssa', 'margin'],
      description: "the Junior's hard loss on its sampled negatives: the student's own, as train gives it (auto: the default loss the models below name; binary cross-entropy, MulDE's, for those that name none, and with --double-neg), bce, nssa (self-adversarial, Sun et al. 2019), margin (margin ranking, Bordes et al. 2013)" };
  }
  if (flag.key === 'queryWeights') return { ...flag, description: "how training queries weigh in the Junior's hard loss (not in the distillation term): uniform, or subsampling (Sun et al. 2019: a triple (h, r, t) weighs 1/√(count(h, r) + count(t, r⁻¹)), counts in train plus 3; the batch loss is Σw·ℓ/Σw; not with --double-neg)" };
  if (flag.key === 'lrDecay') return { ...flag, description: flag.description.replace("; in distill the Junior's rate", " (the Junior's rate)") };
  if (flag.key === 'out') return { ...flag, description: 'run directory (default: runs/<dataset>-mulde-<student>-d<dim>-k<top-k>-s<seed>)' };
  if (flag.key === 'evalCandidates') return { ...flag, description: EVAL_CANDIDATES_HELP }; // eval's words: 0 is all entities there too
  if (flag.key === 'doubleNeg') return { ...flag, description: "the Junior's negatives corrupt head and tail together (Chami et al. 2020, --double_neg; MulDE's code corrupts the tail only)" };
  return flag;
}

/** Adds `kgdistill distill`. */
export function registerDistillCommand(program: Command): void {
  const command = program.command('distill').description('MulDE: distil several trained teachers into a low-dimensional student (Junior/Senior)');
  addRunSwitches(addFlags(command, FLAGS, distillOptionsSchema, { dataset: 'x', teachers: ['x'] }))
    .addHelpText('after', `\nStudents (the registry's: interaction, paper, default loss):\n${MODELS.describe()}`)
    .action(async (flags: { resume?: boolean; json?: boolean }, cmd: Command) => {
      const { given, keySources, replayedDefaults } = givenOptionsWithSources(cmd, FLAGS, distillOptionsSchema);
      await runTrainingCommand('distill', Boolean(flags.json), (hooks) => runDistill({ ...given, resume: flags.resume } as Parameters<typeof runDistill>[0], { ...hooks, keySources, replayedDefaults }),
        (runDir) => resumeCommandOf('distill', runDir, given.testEval));
    });
}
