/**
 * Temperature KD from a trained teacher (Hinton, Vinyals & Dean 2015, §2): a wide teacher is trained with
 * cross-entropy first; the student is trained on L = (1 − α)·CE + α·T²·KL(softmax(t/T) ‖ softmax(s/T)) with the
 * teacher frozen. The loss comes from the registry by name (`hinton-kd`, or `kd` for the soft term alone).
 * Baseline: the same student, same initialisation, batches and epochs, trained with cross-entropy alone.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { positiveFloat32 } from '../../../core/float32-range.js';
import { createLoss } from '../../losses/registry.js';
import { accuracy, forEachBatch, imageTensor, minimizeStep } from '../training/supervised.js';
import { defineImageMethod } from './image-method.js';
import { frozenLogits, netFor, studentAloneBaseline, trainTeacher, withNet } from './building-blocks.js';

/** KD hyper-parameters: α, the soft term's weight, belongs to `hinton-kd` alone (`kd` is the soft term). */
export type KdParams = { loss: 'hinton-kd'; temperature: number; alpha: number } | { loss: 'kd'; temperature: number };

const DEFAULT_ALPHA = 0.9;

const schema = z.object({
  loss: z.enum(['hinton-kd', 'kd']).default('hinton-kd'),
  temperature: positiveFloat32().default(4),
  alpha: z.number().min(0).max(1).optional().meta({ default: DEFAULT_ALPHA }),
}).strict().superRefine((p, ctx) => {
  if (p.loss === 'kd' && p.alpha !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['alpha'], message: "loss=kd is the soft term alone and takes no alpha (alpha weighs hinton-kd's two terms)" });
  }
}).transform((p): KdParams => (p.loss === 'kd'
  ? { loss: 'kd', temperature: p.temperature }
  : { loss: 'hinton-kd', temperature: p.temperature, alpha: p.alpha ?? DEFAULT_ALPHA }));

/** The KD method. */
export const kdMethod = defineImageMethod<KdParams>({
  name: 'kd',
  title: 'KD, temperature knowledge distillation (Hinton et al. 2015)',
  baseline: 'student trained alone with cross-entropy',
  measures: 'test accuracy of the student',
  defaultArch: 'mlp',
  defaultEpochs: 60,
  schema,
  runBaseline: studentAloneBaseline,
  runMethod(ctx) {
    const params = ctx.params;
    const lossFn = params.loss === 'kd'
      ? createLoss('kd', { temperature: params.temperature })
      : createLoss('hinton-kd', { temperature: params.temperature, alpha: params.alpha });
    return withNet(trainTeacher(ctx.arch, ctx.train, ctx.budget, ctx.seed), (teacher) => {
      const teacherAccuracy = accuracy(teacher, ctx.test);
      ctx.log(`  teacher ${teacher.name}: test accuracy ${teacherAccuracy.toFixed(4)}`);
      return withNet(netFor(ctx.arch, 'student', 'student', ctx.seed), (student) => {
        const optimizer = tf.train.adam(ctx.budget.learningRate);
        try {
          forEachBatch(ctx.train, ctx.budget, ctx.seed, (batch, epoch, step) => tf.tidy(() => {
            const x = imageTensor(batch.x, batch.n);
            const teacherLogits = frozenLogits(teacher, x);
            minimizeStep(optimizer, student.variables, () => lossFn({ student: student.apply(x).logits, teacher: teacherLogits, labels: batch.y }),
              { phase: `the student (${params.loss})`, epoch, step });
          }));
        } finally {
          optimizer.dispose();
        }
        return { accuracy: accuracy(student, ctx.test), extra: { teacher: teacherAccuracy } };
      });
    });
  },
});
