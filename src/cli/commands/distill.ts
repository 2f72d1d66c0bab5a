/**
 * `kgdistill distill`: MulDE (Wang et al., WWW 2021) — frozen teachers, a Junior student that picks its top-K
 * candidates and asks the teachers, a Senior that turns their answers into soft labels. Writes an ordinary run
 * directory (checkpoints, metrics.jsonl, result.json) that `eval` accepts. Defaults follow the authors' code.
 */
import { Command, Option } from 'commander';
import { createModel, modelNames } from '../../registry/models.js';
import { TeacherEnsemble } from '../../muldE/teacher-ensemble.js';
import { MuldeObjective } from '../../muldE/muldE-objective.js';
import { trainingQueries } from '../../core/batch.js';
import { addTrainingOptions, intFlag, numberFlag, runTrainingJob, type TrainingFlags } from '../run-training.js';

interface DistillFlags extends TrainingFlags {
  teachers: string; student: string; topK: string; kdWeight: string; temperature: string; seniorLr?: string; refreshEvery: string;
  scaling: boolean; attention: boolean;
}

/** Adds `kgdistill distill`. */
export function registerDistillCommand(program: Command): void {
  const command = program
    .command('distill')
    .description('MulDE: distil several trained teachers into a low-dimensional student (Junior/Senior)')
    .requiredOption('--teachers <run dirs>', 'comma-separated run directories of trained teacher models')
    .addOption(new Option('--student <name>', `student (Junior) model: ${modelNames().join(', ')}`).default('RotH'))
    .option('--top-k <K>', 'candidates per query the Junior picks and asks the teachers about', '500')
    .option('--kd-weight <λ>', 'weight of the distillation loss (authors: 0.01 on WN18RR, 0.5 on FB15k-237)', '0.5')
    .option('--temperature <T>', 'distillation temperature', '1')
    .option('--senior-lr <rate>', 'learning rate of the Senior (default: --lr)')
    .option('--refresh-every <epochs>', "reuse a query's top-K and the teachers' scores until they are this many epochs old (0: every iteration, as the paper; R ≥ 1: all queries together at the start of every R-th epoch)", '0')
    .option('--no-scaling', "switch off the Senior's relation-specific scaling")
    .option('--no-attention', "switch off the Senior's contrastive attention (teachers averaged)");
  addTrainingOptions(command, { epochs: '100', lr: '0.0005', optimizer: 'adam', neg: '255', patience: '10', unseen: 'keep' })
    .action(async (flags: DistillFlags, cmd: Command) => {
      const teacherDirs = flags.teachers.split(',').map((s) => s.trim()).filter((s) => s !== '');
      const settings = {
        topK: intFlag(flags.topK, '--top-k'),
        negatives: intFlag(flags.neg, '--neg'),
        kdWeight: numberFlag(flags.kdWeight, '--kd-weight'),
        temperature: numberFlag(flags.temperature, '--temperature'),
        seniorLearningRate: numberFlag(flags.seniorLr ?? flags.lr, '--senior-lr'),
        mechanisms: { scaling: flags.scaling, attention: flags.attention },
        refreshEvery: intFlag(flags.refreshEvery, '--refresh-every'),
      };
      await runTrainingJob(flags, cmd, {
        label: 'distill',
        createModel: (data) => createModel(flags.student, { dim: intFlag(flags.dim, '--dim'), numEntities: data.numEntities, numRelations: data.numRelations, initScale: numberFlag(flags.initScale, '--init-scale') }),
        objective: async (runtime, data, backend) => new MuldeObjective(runtime, await TeacherEnsemble.load(teacherDirs, data, backend),
          { ...settings, trainingQueries: trainingQueries(data.train, data.numRelations) }, backend),
        describe: () => ({ method: 'MulDE', teachers: teacherDirs, ...settings }),
      }, (dataset) => `${dataset}-mulde-${flags.student}-d${flags.dim}-k${flags.topK}-s${flags.seed}`);
    });
}
