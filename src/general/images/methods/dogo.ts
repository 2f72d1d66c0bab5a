/**
 * DoGo, distill on the go (Bhat, Arani & Zonooz, CVPR-W 2021): two untrained encoders of different capacity, each
 * with a two-layer projection head g (SimCLR), learn without labels from two augmented views of every image. Each
 * minimises its NT-Xent loss (`nt-xent`, SimCLR eq. (1)) plus λ times the KL from the peer's softmaxed
 * batch-similarity distribution to its own (`similarity-kl`): deep mutual learning on similarity scores.
 * Evaluation: a linear probe on the frozen student encoder. Baseline: the student encoder and head trained with
 * NT-Xent alone on the same views, epochs and initialisation.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { nonNegativeFloat32, positiveFloat32 } from '../../../core/float32-range.js';
import { SeededRandom } from '../../../core/random.js';
import { createLoss } from '../../losses/registry.js';
import { Head } from '../nets/head.js';
import { FEATURE_TAP, type Network } from '../nets/network.js';
import { augmentImages, augmentationSchema } from '../data/augment.js';
import type { ImageSet } from '../data/digits.js';
import { forEachBatch, imageTensor, minimizeStep, type Budget } from '../training/supervised.js';
import { linearProbeAccuracy } from '../training/linear-probe.js';
import { defineImageMethod, type MethodContext } from './image-method.js';
import { disposeAll, netFor, roleSeed } from './building-blocks.js';

const schema = z.object({
  temperature: positiveFloat32().default(0.5),
  klTemperature: positiveFloat32().default(0.5),
  weight: nonNegativeFloat32().default(1),
  projection: z.number().int().positive().default(32),
  augment: augmentationSchema.default(augmentationSchema.parse({})),
}).strict();

/** DoGo hyper-parameters. */
export type DogoParams = z.infer<typeof schema>;

/** An encoder with its projection head. */
interface Contrastive { net: Network; head: Head }

function contrastiveModel(arch: MethodContext<DogoParams>['arch'], size: 'student' | 'teacher', role: string, seed: number, projection: number): Contrastive {
  const net = netFor(arch, size, role, seed);
  const width = net.tapShapes[FEATURE_TAP]![0]!;
  return { net, head: new Head([width], { hidden: [width], out: projection }, roleSeed(`${role}-projection`, seed)) };
}

function project(model: Contrastive, x: tf.Tensor2D): tf.Tensor2D {
  return model.head.apply(model.net.apply(x).taps[FEATURE_TAP]!);
}

/** Trains contrastive models together for a budget; the loss of each sees the others' projections detached. */
function trainContrastive(models: Contrastive[], train: ImageSet, budget: Budget, seed: number, params: DogoParams): void {
  const ntXent = createLoss('nt-xent', { temperature: params.temperature });
  const similarityKl = createLoss('similarity-kl', { temperature: params.klTemperature });
  const views = new SeededRandom(`views:${seed}`);
  const variables = models.flatMap((m) => [...m.net.variables, ...m.head.variables]);
  const optimizer = tf.train.adam(budget.learningRate);
  try {
    forEachBatch(train, budget, seed, (batch, epoch, step) => tf.tidy(() => {
      const x1 = imageTensor(augmentImages(batch.x, batch.n, params.augment, views), batch.n);
      const x2 = imageTensor(augmentImages(batch.x, batch.n, params.augment, views), batch.n);
      minimizeStep(optimizer, variables, () => {
        const z = models.map((m) => [project(m, x1), project(m, x2)] as const);
        const terms = z.map(([z1, z2], k) => {
          let loss = ntXent({ z1, z2 });
          z.forEach(([p1, p2], l) => {
            if (l !== k && params.weight > 0) loss = tf.add(loss, tf.mul(params.weight / (models.length - 1), similarityKl({ z1, z2, peerZ1: p1, peerZ2: p2 })));
          });
          return loss;
        });
        return tf.addN(terms) as tf.Scalar;
      }, { phase: models.length > 1 ? 'the student and peer encoders (NT-Xent + similarity KL)' : 'the student encoder (NT-Xent)', epoch, step });
    }));
  } finally {
    optimizer.dispose();
  }
}

/** The DoGo method. */
export const dogoMethod = defineImageMethod<DogoParams>({
  name: 'dogo',
  title: 'DoGo, distill on the go (Bhat et al. 2021)',
  baseline: 'student encoder trained alone with SimCLR (NT-Xent)',
  measures: 'linear-probe test accuracy of the student encoder; extra: the peer (teacher-size) encoder',
  defaultArch: 'mlp',
  defaultEpochs: 30,
  schema,
  runBaseline(ctx) {
    const student = contrastiveModel(ctx.arch, 'student', 'student', ctx.seed, ctx.params.projection);
    try {
      trainContrastive([student], ctx.train, ctx.budget, ctx.seed, ctx.params);
      return { accuracy: linearProbeAccuracy(student.net, ctx.train, ctx.test) };
    } finally {
      disposeAll([student.net, student.head]);
    }
  },
  runMethod(ctx) {
    const student = contrastiveModel(ctx.arch, 'student', 'student', ctx.seed, ctx.params.projection);
    const peer = contrastiveModel(ctx.arch, 'teacher', 'teacher', ctx.seed, ctx.params.projection);
    try {
      trainContrastive([student, peer], ctx.train, ctx.budget, ctx.seed, ctx.params);
      return { accuracy: linearProbeAccuracy(student.net, ctx.train, ctx.test), extra: { peer: linearProbeAccuracy(peer.net, ctx.train, ctx.test) } };
    } finally {
      disposeAll([student.net, student.head, peer.net, peer.head]);
    }
  },
});
