/**
 * FedNTD (Lee et al., NeurIPS 2022, arXiv 2106.03097) through the runner: a FedAvg simulation on the digits with
 * a seeded Dirichlet(α) non-IID split, where each client's loss is CE + β·not-true distillation from the round's
 * global model (§4 Eq. 5); the baseline is plain FedAvg with the same clients, rounds, sampling and batches.
 * `--epochs` sets the number of communication rounds; the accuracy is the global model's after the last round.
 */
import { z } from 'zod';
import { nonNegativeFloat32, positiveFloat32 } from '../../../core/float32-range.js';
import { runFederated, type FederatedConfig } from '../federated/fedavg.js';
import { FEDERATED_METHOD_TRAITS, fedAvgParamFields, fedAvgSettingsOf } from './federated-method.js';
import { defineImageMethod, type MethodContext, type RunOutcome } from './image-method.js';

const schema = z.object({
  ...fedAvgParamFields({ alpha: 0.1, localEpochs: 5, lr: 0.01 }),
  beta: nonNegativeFloat32().default(1),
  temperature: positiveFloat32().default(1),
  size: z.enum(['teacher', 'student']).default('teacher'),
}).strict();

/** FedNTD hyper-parameters (paper: SGD lr 0.01, momentum 0.9, 5 local epochs, τ = 1, β = 1). */
export type FedNtdParams = z.infer<typeof schema>;

/** The simulation settings of a runner context. */
export function federatedConfig(ctx: MethodContext<FedNtdParams>, algorithm: FederatedConfig['algorithm']): FederatedConfig {
  return { algorithm, ...fedAvgSettingsOf(ctx), beta: ctx.params.beta, temperature: ctx.params.temperature };
}

function run(ctx: MethodContext<FedNtdParams>, algorithm: FederatedConfig['algorithm']): RunOutcome {
  const result = runFederated(ctx.train, ctx.test, federatedConfig(ctx, algorithm));
  const best = Math.max(...result.perRound);
  ctx.log(`  ${algorithm} α=${ctx.params.alpha}: per round ${result.perRound.map((a) => a.toFixed(3)).join(' ')}`);
  return { accuracy: result.accuracy, extra: { bestRound: best } };
}

/** The FedNTD method. */
export const fedNtdMethod = defineImageMethod<FedNtdParams>({
  name: 'fedntd',
  title: 'FedNTD, federated not-true distillation (Lee et al. 2022)',
  baseline: 'FedAvg with cross-entropy (same clients, rounds and batches)',
  measures: 'test accuracy of the global model after the last round',
  ...FEDERATED_METHOD_TRAITS,
  schema,
  runBaseline: (ctx) => run(ctx, 'fedavg'),
  runMethod: (ctx) => run(ctx, 'fedntd'),
});
