/**
 * Online stream distillation (JITNet, Mullapudi et al. ICCV 2019, arXiv 1812.02699) through the runner: a cheap
 * student, pre-trained on clean digits, adapts online to a drifting stream of digit frames (scenes of few classes
 * under their own rotation, shift and noise) from an expensive teacher queried on key frames. The method is the
 * adaptive stride of Algorithm 1; the baseline is a fixed stride with the same update rule (threshold, u_max).
 * The figure is the student's mean per-frame accuracy over the stream; extras: the fraction of frames the teacher
 * labelled (method and baseline), updates per frame, the teacher's own accuracy and the non-adapting student's.
 * `--epochs` is the teacher's offline training budget.
 */
import { z } from 'zod';
import { positiveFloat32 } from '../../../core/float32-range.js';
import { streamSchema } from '../stream/drifting-stream.js';
import { controllerFor, prepareStream, runSchedule } from '../stream/experiment.js';
import { streamAccuracy } from '../stream/online-distill.js';
import { strideFields } from '../stream/stride-controller.js';
import { defineImageMethod, type MethodContext, type RunOutcome } from './image-method.js';

const schema = z.object({
  ...streamSchema.shape,
  ...strideFields,
  fixedStride: z.number().int().min(1).default(8),
  pretrainEpochs: z.number().int().min(0).default(5),
  onlineLr: positiveFloat32().default(0.01),
}).strict().refine((p) => p.maxStride >= p.minStride, { message: 'maxStride must be ≥ minStride' });

/** Stream-distillation hyper-parameters. */
export type StreamParams = z.infer<typeof schema>;

/** The stream settings of the parameters. */
export function streamSettingsOf(p: StreamParams): z.infer<typeof streamSchema> {
  return streamSchema.parse({
    frames: p.frames, frameSize: p.frameSize, sceneLength: p.sceneLength, classesPerScene: p.classesPerScene,
    maxDegrees: p.maxDegrees, jitterDegrees: p.jitterDegrees, maxShift: p.maxShift, maxNoise: p.maxNoise,
  });
}

function run(ctx: MethodContext<StreamParams>, adaptive: boolean): RunOutcome {
  const p = ctx.params;
  const setup = prepareStream(ctx.train, ctx.test, ctx.arch, ctx.budget, p.pretrainEpochs, streamSettingsOf(p), ctx.seed);
  try {
    const controller = controllerFor(p, adaptive ? undefined : p.fixedStride);
    const r = runSchedule(setup, ctx.arch, controller, p.onlineLr, ctx.seed);
    ctx.log(`  ${adaptive ? 'adaptive' : `fixed stride ${p.fixedStride}`}: accuracy ${r.accuracy.toFixed(4)}, teacher on ${(100 * r.teacherFraction).toFixed(1)}% of frames, ${r.totalUpdates} updates`);
    const extra: Record<string, number> = { teacherFraction: r.teacherFraction, updatesPerFrame: r.totalUpdates / setup.frames.length };
    if (adaptive) {
      // A fixed stride k labels frames 0, k, 2k, …: ⌈F/k⌉ of F.
      extra.fixedTeacherFraction = Math.ceil(setup.frames.length / p.fixedStride) / setup.frames.length;
      extra.teacher = streamAccuracy(setup.teacher, setup.frames);
      extra.noAdaptation = streamAccuracy(setup.student, setup.frames);
    }
    return { accuracy: r.accuracy, extra };
  } finally {
    setup.dispose();
  }
}

/** The stream-distillation method. */
export const streamMethod = defineImageMethod<StreamParams>({
  name: 'stream',
  title: 'Online stream distillation with an adaptive teacher stride (JITNet, Mullapudi et al. 2019)',
  baseline: 'the same student and update rule with a fixed teacher stride (--param fixedStride, default 8)',
  measures: "student's mean per-frame accuracy over a drifting stream of test-digit frames; extra teacherFraction = frames the teacher labelled",
  defaultArch: 'mlp',
  defaultEpochs: 30,
  epochsAre: "epochs of the teacher's offline training (the student's: --param pretrainEpochs)",
  schema: schema as unknown as z.ZodType<StreamParams, unknown>,
  runBaseline: (ctx) => run(ctx, false),
  runMethod: (ctx) => run(ctx, true),
});
