/**
 * LAD and Co-LAD, label assignment distillation (Nguyen et al., WACV 2022, arXiv 2108.10520), on anchor windows of
 * the digits (`lad/anchors.ts`): networks are trained as one-stage detector classifiers (sigmoid per class,
 * all-zero target = background) with the focal loss (registry `focal`) on hard labels from PAA's assignment
 * (`lad/assign.ts`). Test accuracy is that of the centred window (argmax of the logits).
 * - Baseline (PAA): the student assigns its own labels from its current predictions.
 * - LAD: a teacher (wide, trained beforehand with PAA) gives the costs, so the teacher's predictions fused with
 *   the ground truth assign the student's labels; no soft targets are used.
 * - Co-LAD: student and a wide peer learn from scratch; at every step each computes its costs, the one with the
 *   larger performance score ρ (σ/μ of its costs, or the Fisher score of its GMM fits) assigns the labels both
 *   train on — teacher and student roles switch dynamically.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { nonNegativeFloat32 } from '../../../core/float32-range.js';
import { createLoss } from '../../losses/registry.js';
import { ANCHORS, anchorIou, anchorWindows } from '../lad/anchors.js';
import { anchorCosts, assignLabels, performanceScore, type Assignment, type AssignmentSettings } from '../lad/assign.js';
import type { Network } from '../nets/network.js';
import type { Architecture, NetSize } from '../nets/factory.js';
import type { Batch } from '../data/batches.js';
import { accuracy, forEachBatch, imageTensor, minimizeStep, type Budget } from '../training/supervised.js';
import type { StepPlace } from '../training/divergence.js';
import type { ImageSet } from '../data/digits.js';
import { defineImageMethod, type MethodContext, type RunOutcome } from './image-method.js';
import { disposeAll, netFor, roleSeed, withNet } from './building-blocks.js';

const schema = z.object({
  gamma: nonNegativeFloat32().default(2),
  alpha: z.number().min(0).max(1).default(0.25),
  iouWeight: nonNegativeFloat32().default(1),
  criterion: z.enum(['std-mean', 'fisher']).default('std-mean'),
}).strict();

/** LAD / Co-LAD hyper-parameters. */
export type LadParams = z.infer<typeof schema>;

const IOUS = ANCHORS.map(anchorIou);

/**
 * A network for detector-style training: its classifier bias set to the prior −log((1 − π)/π), π = 0.01, so that
 * every class starts rare (RetinaNet's initialisation, Lin et al. 2017, §4.1), as PAA's heads are initialised.
 */
export function detectorNet(arch: Architecture, size: NetSize, role: string, seed: number): Network {
  const net = netFor(arch, size, role, seed);
  const prior = 0.01;
  tf.tidy(() => net.outputBias.assign(tf.fill(net.outputBias.shape, -Math.log((1 - prior) / prior))));
  return net;
}

/** The anchor windows of a batch as a tensor [n·A, 64]. */
function windowsOf(batch: Batch): tf.Tensor2D {
  return imageTensor(anchorWindows(batch.x, batch.n), batch.n * ANCHORS.length);
}

/** A network's anchor costs for a batch (no tape). */
function costsOf(net: Network, windows: tf.Tensor2D, batch: Batch, settings: AssignmentSettings): Float32Array {
  const logits = tf.tidy(() => net.apply(windows).logits.dataSync() as Float32Array);
  return anchorCosts(logits, batch.y, IOUS, net.classes, settings);
}

/** One focal-loss step of a network on assigned targets (`place`: where it is, for the divergence guard). */
function focalStep(net: Network, optimizer: tf.Optimizer, windows: tf.Tensor2D, assignment: Assignment, settings: AssignmentSettings, place: StepPlace): void {
  const focal = createLoss('focal', { gamma: settings.gamma, alpha: settings.alpha });
  tf.tidy(() => {
    const targets = tf.tensor2d(assignment.targets, [windows.shape[0], net.classes]);
    minimizeStep(optimizer, net.variables, () => focal({ logits: net.apply(windows).logits, targets }), place);
  });
}

/** Trains `net` with labels assigned by `assigner` (itself for PAA); `phase` names what trains in a divergence message. */
export function trainWithAssignment(net: Network, assigner: Network, train: ImageSet, budget: Budget, seed: number | string, settings: AssignmentSettings, phase: string = net.name): void {
  const optimizer = tf.train.adam(budget.learningRate);
  try {
    forEachBatch(train, budget, seed, (batch, epoch, step) => tf.tidy(() => {
      const windows = windowsOf(batch);
      const assignment = assignLabels(costsOf(assigner, windows, batch, settings), batch.y, ANCHORS.length, net.classes);
      focalStep(net, optimizer, windows, assignment, settings, { phase, epoch, step });
    }));
  } finally {
    optimizer.dispose();
  }
}

/** PAA baseline shared by LAD and Co-LAD: the student assigning its own labels. */
function paaBaseline(ctx: MethodContext<LadParams>): RunOutcome {
  return withNet(detectorNet(ctx.arch, 'student', 'student', ctx.seed), (student) => {
    trainWithAssignment(student, student, ctx.train, ctx.budget, ctx.seed, ctx.params, 'the student (PAA self-assignment)');
    return { accuracy: accuracy(student, ctx.test) };
  });
}

/** The LAD method. */
export const ladMethod = defineImageMethod<LadParams>({
  name: 'lad',
  title: 'LAD, label assignment distillation (Nguyen et al. 2021)',
  baseline: 'student with PAA self-assignment (focal loss on anchor windows)',
  measures: 'test accuracy of the student on centred windows; extra: the PAA-trained teacher',
  defaultArch: 'mlp',
  defaultEpochs: 20,
  schema,
  runBaseline: paaBaseline,
  runMethod(ctx) {
    const teacher = detectorNet(ctx.arch, 'teacher', 'teacher', ctx.seed);
    return withNet(teacher, () => {
      trainWithAssignment(teacher, teacher, ctx.train, ctx.budget, roleSeed('teacher', ctx.seed), ctx.params, 'the teacher (PAA self-assignment)');
      const teacherAccuracy = accuracy(teacher, ctx.test);
      ctx.log(`  teacher ${teacher.name} (PAA): test accuracy ${teacherAccuracy.toFixed(4)}`);
      return withNet(detectorNet(ctx.arch, 'student', 'student', ctx.seed), (student) => {
        trainWithAssignment(student, teacher, ctx.train, ctx.budget, ctx.seed, ctx.params, 'the student (teacher-assigned labels)');
        return { accuracy: accuracy(student, ctx.test), extra: { teacher: teacherAccuracy } };
      });
    });
  },
});

/** The Co-LAD method. */
export const coLadMethod = defineImageMethod<LadParams>({
  name: 'co-lad',
  title: 'Co-LAD, co-learning label assignment distillation (Nguyen et al. 2021)',
  baseline: 'student with PAA self-assignment (focal loss on anchor windows)',
  measures: 'test accuracy of the student; extra: the wide peer, and the fraction of steps the student assigned',
  defaultArch: 'mlp',
  defaultEpochs: 20,
  schema,
  runBaseline: paaBaseline,
  runMethod(ctx) {
    const student = detectorNet(ctx.arch, 'student', 'student', ctx.seed);
    const peer = detectorNet(ctx.arch, 'teacher', 'teacher', ctx.seed);
    const optimizers = [tf.train.adam(ctx.budget.learningRate), tf.train.adam(ctx.budget.learningRate)];
    let steps = 0;
    let studentLed = 0;
    try {
      forEachBatch(ctx.train, ctx.budget, ctx.seed, (batch, epoch, step) => tf.tidy(() => {
        const windows = windowsOf(batch);
        const candidates = [student, peer].map((net) => {
          const costs = costsOf(net, windows, batch, ctx.params);
          const assignment = assignLabels(costs, batch.y, ANCHORS.length, net.classes);
          return { assignment, rho: performanceScore(costs, assignment, ctx.params.criterion) };
        });
        const leader = candidates[0]!.rho >= candidates[1]!.rho ? 0 : 1;
        steps++;
        if (leader === 0) studentLed++;
        const assignment = candidates[leader]!.assignment;
        focalStep(student, optimizers[0]!, windows, assignment, ctx.params, { phase: 'the student', epoch, step });
        focalStep(peer, optimizers[1]!, windows, assignment, ctx.params, { phase: 'the wide peer', epoch, step });
      }));
      return { accuracy: accuracy(student, ctx.test), extra: { peer: accuracy(peer, ctx.test), studentAssigned: studentLed / Math.max(1, steps) } };
    } finally {
      disposeAll(optimizers);
      disposeAll([student, peer]);
    }
  },
});
