/**
 * CBD (Iscen et al., ICCV 2021, arXiv 2104.05279) through the runner, on a long-tailed version of the digits'
 * training split (imbalance ratio `ratio`, seeded by `ltSeed`; the test split stays balanced). The method is the
 * CBD student (K instance-sampled teachers, then class-balanced sampling + feature distillation); the baseline is
 * the same student trained with class-balanced sampling and CE alone. The figure is balanced accuracy (mean
 * per-class test accuracy); extras: the instance-sampled baseline (teacher 1) and the student's shot groups.
 */
import { z } from 'zod';
import { nonNegativeFloat32 } from '../../../core/float32-range.js';
import { CBD_AUTHOR_WEIGHTS } from '../../losses/cbd.js';
import type { ImageSet } from '../data/digits.js';
import { runCbdExperiment, type CbdConfig } from '../longtail/cbd.js';
import { longTailSubset } from '../longtail/split.js';
import { defineImageMethod, type MethodContext } from './image-method.js';

const schema = z.object({
  ratio: z.number().min(1).default(100),
  ltSeed: z.number().int().default(0),
  teachers: z.number().int().min(1).max(4).default(2),
  alpha: z.number().min(0).max(1).default(CBD_AUTHOR_WEIGHTS.alpha),
  beta: nonNegativeFloat32().default(CBD_AUTHOR_WEIGHTS.beta),
  augment: z.boolean().default(true),
  size: z.enum(['teacher', 'student']).default('teacher'),
}).strict();

/** CBD hyper-parameters. */
export type CbdParams = z.infer<typeof schema>;

/** The long-tailed training set and counts of a context, plus the experiment settings. */
export function cbdSetup(ctx: MethodContext<CbdParams>): { train: ImageSet; counts: number[]; config: CbdConfig } {
  const lt = longTailSubset(ctx.train, ctx.params.ratio, ctx.params.ltSeed);
  return {
    train: lt.set,
    counts: lt.counts,
    config: { arch: ctx.arch, size: ctx.params.size, budget: ctx.budget, teachers: ctx.params.teachers, alpha: ctx.params.alpha, beta: ctx.params.beta, augment: ctx.params.augment, seed: ctx.seed },
  };
}

/** The CBD method. */
export const cbdMethod = defineImageMethod<CbdParams>({
  name: 'cbd',
  title: 'CBD, class-balanced distillation on long-tailed digits (Iscen et al. 2021)',
  baseline: 'the student with class-balanced sampling and CE alone',
  measures: 'balanced (mean per-class) test accuracy of the student, long-tailed training split',
  defaultArch: 'mlp',
  defaultEpochs: 100,
  schema,
  runBaseline(ctx) {
    const { train, counts, config } = cbdSetup(ctx);
    const r = runCbdExperiment(train, ctx.test, counts, config, { student: false });
    return { accuracy: r.classBalanced!.balanced };
  },
  runMethod(ctx) {
    const { train, counts, config } = cbdSetup(ctx);
    const r = runCbdExperiment(train, ctx.test, counts, config, { baseline: false });
    ctx.log(`  long-tailed train ${train.n} images, counts ${counts.join('/')}`);
    const extra: Record<string, number> = { instanceSampled: r.instance!.balanced, many: r.cbd!.many, medium: r.cbd!.medium, few: r.cbd!.few };
    return { accuracy: r.cbd!.balanced, extra: Object.fromEntries(Object.entries(extra).filter(([, v]) => !Number.isNaN(v))) };
  },
});
