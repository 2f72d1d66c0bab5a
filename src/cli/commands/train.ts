/** `kgdistill train`: train a KGE model on a dataset, validate, early-stop, checkpoint, and evaluate on test. */
import type { Command } from 'commander';
import { MODELS, modelNames } from '../../registry/models.js';
import { trainOptionsSchema } from '../../pipeline/options.js';
import { runTrain } from '../../pipeline/train.js';
import { addFlags, EVAL_CANDIDATES_HELP, givenOptionsWithSources, type FlagSpec } from '../run-options.js';
import { addRunSwitches, resumeCommandOf, runTrainingCommand, TRAINING_FLAGS } from '../run-training.js';

const FLAGS: readonly FlagSpec[] = [{ key: 'model', kind: 'string', arg: '<name>', description: `model: ${modelNames().join(', ')}` }, ...TRAINING_FLAGS.map(trainFlag)];

/** A training flag in train's own words (the shared text also speaks of distill). */
function trainFlag(flag: FlagSpec): FlagSpec {
  if (flag.key === 'queryWeights') return { ...flag, description: flag.description.replace("; in distill it weighs the Junior's hard loss, not the distillation term", '') };
  if (flag.key === 'out') return { ...flag, description: 'run directory (default: runs/<dataset>-<model>-d<dim>-s<seed>)' };
  if (flag.key === 'evalCandidates') return { ...flag, description: EVAL_CANDIDATES_HELP }; // eval's words: 0 is all entities there too
  if (flag.key === 'lrDecay') return { ...flag, description: flag.description.replace("; in distill the Junior's rate", '') };
  return flag;
}

/** Adds `kgdistill train`. */
export function registerTrainCommand(program: Command): void {
  const command = program.command('train').description('train a knowledge-graph embedding and evaluate it (filtered MRR, Hits@1/3/10)');
  addRunSwitches(addFlags(command, FLAGS, trainOptionsSchema, { dataset: 'x' }))
    .addHelpText('after', `\nModels (the registry's: interaction, paper, default loss):\n${MODELS.describe()}`)
    .action(async (flags: { resume?: boolean; json?: boolean }, cmd: Command) => {
      const { given, keySources, replayedDefaults } = givenOptionsWithSources(cmd, FLAGS, trainOptionsSchema);
      await runTrainingCommand('train', Boolean(flags.json), (hooks) => runTrain({ ...given, resume: flags.resume } as Parameters<typeof runTrain>[0], { ...hooks, keySources, replayedDefaults }),
        (runDir) => resumeCommandOf('train', runDir, given.testEval));
    });
}
