/**
 * Detection-style KD (Chen, Choi, Yu, Han & Chandraker, NeurIPS 2017) through the runner, on the digits
 * detection set (digits shifted in the frame with the box of their ink as target, plus a dominant background
 * class of blank, noise and digit-fragment images; `detection/scenes.ts`). A wide detector is trained first
 * with CE + λ·smooth-L1; the narrow student learns from it with the class-weighted KD loss, the teacher-bounded
 * regression loss and a hint through an adaptation layer (Eq. 1). Baseline: the same student (initialisation,
 * batches, epochs) with CE + λ·smooth-L1. The figure is the balanced detection accuracy (mean per-class accuracy
 * over 10 digits + background, an object counting only with IoU ≥ 0.5).
 */
import { z } from 'zod';
import { nonNegativeFloat32, positiveFloat32 } from '../../../core/float32-range.js';
import { buildDetectionSet, detectionSetSchema, type DetectionSet } from '../detection/scenes.js';
import { runDetectionStudy } from '../detection/experiment.js';
import type { DetectionScores } from '../detection/training.js';
import { defineImageMethod, type MethodContext, type RunOutcome } from './image-method.js';

const schema = z.object({
  ...detectionSetSchema.shape,
  lambda: nonNegativeFloat32().default(1),
  /** γ: the hint is a sum of squares over the teacher's hint width (256 for the MLP teacher), so γ is small (0.05 and 0.5 hurt more on 2 seeds). */
  gamma: nonNegativeFloat32().default(0.01),
  mu: z.number().min(0).max(1).default(0.5),
  backgroundWeight: positiveFloat32().default(1.5),
  temperature: positiveFloat32().default(1),
  nu: nonNegativeFloat32().default(0.5),
  margin: nonNegativeFloat32().default(0),
}).strict();

/** Detection-KD hyper-parameters (paper: λ = 1, μ = 0.5, w_bg = 1.5, ν = 0.5, T = 1). */
export type DetectionParams = z.infer<typeof schema>;

/** The detection train/test sets of a context (train and test splits each get their own backgrounds). */
export function detectionSets(ctx: MethodContext<DetectionParams>): { train: DetectionSet; test: DetectionSet } {
  const settings = detectionSetSchema.parse({ backgroundRatio: ctx.params.backgroundRatio, maxShift: ctx.params.maxShift });
  return { train: buildDetectionSet(ctx.train, settings, 'train'), test: buildDetectionSet(ctx.test, settings, 'test') };
}

/** The scores as a run outcome (headline: balanced detection accuracy). */
export function detectionOutcome(scores: DetectionScores, extra: Record<string, number> = {}): RunOutcome {
  return { accuracy: scores.balanced, extra: { objectRecall: scores.objectRecall, background: scores.background, meanIou: scores.meanIou, classAccuracy: scores.accuracy, ...extra } };
}

/** The detection-KD method. */
export const detectionMethod = defineImageMethod<DetectionParams>({
  name: 'det-kd',
  title: 'Detection-style KD: class-weighted KD, teacher-bounded regression, hints (Chen et al. 2017)',
  baseline: 'the student detector trained with CE + λ·smooth-L1 alone',
  measures: 'balanced detection accuracy of the student (10 digits + background; objects need IoU ≥ 0.5); extras: object recall, background accuracy, mean IoU',
  defaultArch: 'mlp',
  defaultEpochs: 20,
  schema,
  runBaseline(ctx) {
    const { train, test } = detectionSets(ctx);
    const study = runDetectionStudy(train, test, ctx.arch, ctx.budget, ctx.seed, { baseline: true, lambda: ctx.params.lambda, variants: {} });
    return detectionOutcome(study.baseline!);
  },
  runMethod(ctx) {
    const { train, test } = detectionSets(ctx);
    const study = runDetectionStudy(train, test, ctx.arch, ctx.budget, ctx.seed, { baseline: false, lambda: ctx.params.lambda, variants: { kd: ctx.params } });
    ctx.log(`  teacher: balanced ${study.teacher!.balanced.toFixed(4)}, mean IoU ${study.teacher!.meanIou.toFixed(3)}`);
    return detectionOutcome(study.variants.kd!, { teacher: study.teacher!.balanced });
  },
});
