/** `kgdistill train`: train a KGE model on a dataset, validate, early-stop, checkpoint, and evaluate on test. */
import { Command, Option } from 'commander';
import { createModel, modelNames } from '../../registry/models.js';
import { addTrainingOptions, intFlag, numberFlag, runTrainingJob, type TrainingFlags } from '../run-training.js';

interface TrainFlags extends TrainingFlags { model: string }

/** Adds `kgdistill train`. */
export function registerTrainCommand(program: Command): void {
  const command = program
    .command('train')
    .description('train a knowledge-graph embedding and evaluate it (filtered MRR, Hits@1/3/10)')
    .addOption(new Option('--model <name>', `model: ${modelNames().join(', ')}`).default('DistMult'))
    .option('--one-to-n', 'score every query against all entities with cross-entropy instead of sampling negatives')
    .option('--double-neg', 'negatives corrupt head and tail together (Chami et al. 2020, --double_neg)')
    .addOption(new Option('--reg <name>', 'regulariser').choices(['none', 'n3', 'l2']).default('none'))
    .option('--reg-weight <w>', 'regulariser weight', '0');
  addTrainingOptions(command, { epochs: '100', lr: '0.05', optimizer: 'adagrad', neg: '50', patience: '10', unseen: 'drop' })
    .action(async (flags: TrainFlags, cmd: Command) => {
      await runTrainingJob(flags, cmd, {
        label: 'train',
        createModel: (data) => createModel(flags.model, { dim: intFlag(flags.dim, '--dim'), numEntities: data.numEntities, numRelations: data.numRelations, initScale: numberFlag(flags.initScale, '--init-scale') }),
      }, (dataset) => `${dataset}-${flags.model}-d${flags.dim}-s${flags.seed}`);
    });
}
