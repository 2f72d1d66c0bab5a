/**
 * DCM, dense cross-layer mutual distillation (Yao & Sun, ECCV 2020): a wide and a narrow network trained together
 * from scratch, each with auxiliary classifiers on its hidden stages (DCM's "down-sampling layers"); the loss
 * (registry `dcm`) is cross-entropy on every classifier plus two-way KL between every classifier of one net and
 * every classifier of the other. One optimiser over both nets and all heads, as in the authors' code. After
 * training the auxiliary heads are dropped: the student is evaluated through its own final classifier.
 * Baseline: the student trained alone with cross-entropy.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { nonNegativeFloat32, positiveFloat32 } from '../../../core/float32-range.js';
import { createLoss } from '../../losses/registry.js';
import { Head } from '../nets/head.js';
import { FEATURE_TAP, type Network } from '../nets/network.js';
import { accuracy, forEachBatch, imageTensor, minimizeStep } from '../training/supervised.js';
import { defineImageMethod } from './image-method.js';
import { disposeAll, netFor, roleSeed, studentAloneBaseline } from './building-blocks.js';

const schema = z.object({
  temperature: positiveFloat32().default(1),
  weight: nonNegativeFloat32().default(1),
}).strict();

/** DCM hyper-parameters. */
export type DcmParams = z.infer<typeof schema>;

/** Auxiliary classifiers on every stage tap of a network (hidden width: the net's feature width). */
export function auxiliaryHeads(net: Network, role: string, seed: number): Head[] {
  const width = net.tapShapes[FEATURE_TAP]![0]!;
  return net.stages.map((stage, i) => new Head(net.tapShapes[stage]!, { hidden: [width], out: net.classes }, roleSeed(`${role}-aux${i + 1}`, seed)));
}

/** The logits of a net's classifiers on a batch: auxiliaries (shallow → deep), then the final one. */
export function allClassifiers(net: Network, heads: readonly Head[], x: tf.Tensor2D): tf.Tensor2D[] {
  const out = net.apply(x);
  return [...net.stages.map((stage, i) => heads[i]!.apply(out.taps[stage]!)), out.logits];
}

/** The DCM method. */
export const dcmMethod = defineImageMethod<DcmParams>({
  name: 'dcm',
  title: 'DCM, dense cross-layer mutual distillation (Yao & Sun 2020)',
  baseline: 'student trained alone with cross-entropy',
  measures: "test accuracy of the student's final classifier (auxiliary heads dropped); extra: the teacher trained with it",
  defaultArch: 'mlp',
  defaultEpochs: 60,
  schema,
  runBaseline: studentAloneBaseline,
  runMethod(ctx) {
    const loss = createLoss('dcm', { temperature: ctx.params.temperature, weight: ctx.params.weight });
    const student = netFor(ctx.arch, 'student', 'student', ctx.seed);
    const teacher = netFor(ctx.arch, 'teacher', 'teacher', ctx.seed);
    const studentHeads = auxiliaryHeads(student, 'student', ctx.seed);
    const teacherHeads = auxiliaryHeads(teacher, 'teacher', ctx.seed);
    const variables = [student, teacher, ...studentHeads, ...teacherHeads].flatMap((m) => [...m.variables]);
    const optimizer = tf.train.adam(ctx.budget.learningRate);
    try {
      forEachBatch(ctx.train, ctx.budget, ctx.seed, (batch, epoch, step) => tf.tidy(() => {
        const x = imageTensor(batch.x, batch.n);
        minimizeStep(optimizer, variables, () => loss({
          a: allClassifiers(student, studentHeads, x),
          b: allClassifiers(teacher, teacherHeads, x),
          labels: batch.y,
        }), { phase: 'the student and teacher with their auxiliary heads (dcm)', epoch, step });
      }));
      // The auxiliaries play no part in evaluation: each net answers through its own final classifier.
      return { accuracy: accuracy(student, ctx.test), extra: { teacher: accuracy(teacher, ctx.test) } };
    } finally {
      optimizer.dispose();
      disposeAll([student, teacher, ...studentHeads, ...teacherHeads]);
    }
  },
});
