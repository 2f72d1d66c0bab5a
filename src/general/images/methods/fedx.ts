/**
 * FedX (Han et al. ECCV 2022, arXiv 2207.09158) through the runner: unsupervised federated learning on the digits
 * (seeded Dirichlet(α) split over M clients, FedAvg underneath) with FedX's local and global cross-knowledge
 * distillation (`fedx/simulation.ts`). Baseline: FedAvg with the plain contrastive loss (NT-Xent) on the same
 * clients, rounds, sampling, batches and views. The figure is the linear-probe test accuracy of the global
 * encoder after the last round; `--epochs` sets the number of rounds.
 */
import { z } from 'zod';
import { positiveFloat32 } from '../../../core/float32-range.js';
import { augmentationSchema } from '../data/augment.js';
import { randomEncoderProbe, runFedx, type FedxConfig } from '../fedx/simulation.js';
import { FEDERATED_METHOD_TRAITS, fedAvgParamFields, fedAvgSettingsOf } from './federated-method.js';
import { defineImageMethod, type MethodContext, type RunOutcome } from './image-method.js';

const schema = z.object({
  ...fedAvgParamFields({ alpha: 0.5, localEpochs: 2, lr: 0.1 }),
  projection: z.number().int().positive().default(32),
  temperature: positiveFloat32().default(0.5),
  relTemperature: positiveFloat32().default(0.5),
  targetTemperature: positiveFloat32().default(0.5),
  augment: augmentationSchema.default(augmentationSchema.parse({})),
  size: z.enum(['teacher', 'student']).default('student'),
  probeEvery: z.number().int().min(0).default(0),
}).strict();

/**
 * FedX hyper-parameters (paper: Dirichlet β = 0.5, 10 clients, SGD lr 0.01 momentum 0.9, one temperature 0.1 for
 * every term). Here every temperature is NT-Xent's 0.5: at 0.1 the 16-wide student encoder fell to or below a
 * random encoder on 2 seeds; lr 0.1 (0.05 learnt little in 20 rounds).
 */
export type FedxParams = z.infer<typeof schema>;

/** The simulation settings of a runner context. */
export function fedxConfig(ctx: MethodContext<FedxParams>, algorithm: FedxConfig['algorithm']): FedxConfig {
  const p = ctx.params;
  return {
    algorithm, ...fedAvgSettingsOf(ctx), projection: p.projection, temperature: p.temperature, relTemperature: p.relTemperature,
    targetTemperature: p.targetTemperature, augment: p.augment, probeEvery: p.probeEvery,
  };
}

function run(ctx: MethodContext<FedxParams>, algorithm: FedxConfig['algorithm']): RunOutcome {
  const config = fedxConfig(ctx, algorithm);
  const r = runFedx(ctx.train, ctx.test, config, ctx.log);
  return algorithm === 'fedx' ? { accuracy: r.accuracy, extra: { randomEncoder: randomEncoderProbe(ctx.train, ctx.test, config) } } : { accuracy: r.accuracy };
}

/** The FedX method. */
export const fedxMethod = defineImageMethod<FedxParams>({
  name: 'fedx',
  title: 'FedX, unsupervised federated cross-knowledge distillation (Han et al. 2022)',
  baseline: 'FedAvg with the plain contrastive loss (NT-Xent), same clients, rounds, batches and views',
  measures: 'linear-probe test accuracy of the global encoder after the last round; extra: a random encoder of the same shape',
  ...FEDERATED_METHOD_TRAITS,
  schema,
  runBaseline: (ctx) => run(ctx, 'fedavg'),
  runMethod: (ctx) => run(ctx, 'fedx'),
});
