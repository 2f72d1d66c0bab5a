/**
 * The SimCLRv2 pipeline (Chen et al. NeurIPS 2020) through the runner: contrastive pre-training of the big
 * network, fine-tuning from the middle of its projection head on `labelFraction` of the labels, distillation into
 * the small network on the unlabelled rest (`simclr/pipeline.ts`). Baseline: the small network trained on the
 * same labelled subset alone (same initialisation, fine-tuning epochs). `--epochs` sets the pre-training epochs.
 * Extras: the linear probe of the pre-trained encoder, the fine-tuned teacher, fine-tuning from the encoder
 * output, and the big network trained on the labels alone.
 */
import { z } from 'zod';
import { splitLabels } from '../simclr/label-subset.js';
import { runSimclrPipeline, simclrSchema, supervisedOnLabels } from '../simclr/pipeline.js';
import { defineImageMethod, type MethodContext } from './image-method.js';

const schema = simclrSchema.extend({ labelFraction: z.number().gt(0).max(1).default(0.1) }).strict();

/** SimCLRv2 hyper-parameters. */
export type SimclrParams = z.infer<typeof schema>;

/** The pipeline settings of the parameters. */
export function simclrSettingsOf(p: SimclrParams): z.infer<typeof simclrSchema> {
  const { labelFraction: _fraction, ...settings } = p;
  return settings;
}

function labelled(ctx: MethodContext<SimclrParams>): ReturnType<typeof splitLabels> {
  return splitLabels(ctx.train, ctx.params.labelFraction, ctx.seed);
}

/** The SimCLRv2 method. */
export const simclrV2Method = defineImageMethod<SimclrParams>({
  name: 'simclrv2',
  title: 'SimCLRv2: contrastive pre-training, fine-tuning on few labels, distillation on unlabelled data (Chen et al. 2020)',
  baseline: 'the small network trained on the labelled subset alone',
  measures: 'test accuracy of the distilled small network; extras: probe (pre-trained encoder), teacher (fine-tuned big net), teacherFromEncoder, bigSupervised',
  defaultArch: 'mlp',
  defaultEpochs: 30,
  epochsAre: 'pre-training epochs (fine-tuning: --param finetuneEpochs)',
  schema,
  runBaseline(ctx) {
    const split = labelled(ctx);
    return { accuracy: supervisedOnLabels(ctx.arch, 'student', split.labelled, ctx.test, { ...ctx.budget, epochs: ctx.params.finetuneEpochs }, ctx.seed) };
  },
  runMethod(ctx) {
    const r = runSimclrPipeline(ctx.train, ctx.test, ctx.arch, ctx.budget, simclrSettingsOf(ctx.params), ctx.seed, [ctx.params.labelFraction], ctx.log);
    const f = r.fractions[0]!;
    return { accuracy: f.student, extra: { probe: r.probe, teacher: f.teacher, teacherFromEncoder: f.teacherFromEncoder, bigSupervised: f.bigSupervised, labelled: f.labelled } };
  },
});
