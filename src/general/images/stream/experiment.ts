/**
 * One seed's stream-distillation experiment: the expensive teacher (the wide net, trained offline on the
 * training split with rotation/shift/noise augmentation so it copes with every scene), the cheap student
 * (the narrow net, pre-trained briefly on the clean training split), and the drifting stream built from the test
 * split's images. Several schedules (fixed strides, the adaptive controller) then run from copies of the same
 * pre-trained student on the same frames.
 */
import * as tf from '@tensorflow/tfjs-core';
import { SeededRandom } from '../../../core/random.js';
import { augmentImages, type AugmentationOptions } from '../data/augment.js';
import type { ImageSet } from '../data/digits.js';
import { crossEntropy } from '../../losses/classification.js';
import { createNet, type Architecture } from '../nets/factory.js';
import type { Network } from '../nets/network.js';
import { forEachBatch, imageTensor, minimizeStep, trainWithCrossEntropy, type Budget } from '../training/supervised.js';
import { driftingStream, type Frame, type StreamSettings } from './drifting-stream.js';
import { runOnlineDistillation, type StreamRunResult } from './online-distill.js';
import { StrideController, type StrideSettings } from './stride-controller.js';

/** The trained models and frames of one seed. */
export interface StreamSetup {
  teacher: Network;
  /** The pre-trained student; schedules run on copies. */
  student: Network;
  frames: Frame[];
  dispose(): void;
}

/** Trains a network with cross-entropy on freshly augmented batches (a seeded view stream); `phase` names it in a divergence message. */
export function trainAugmented(net: Network, train: ImageSet, budget: Budget, augment: AugmentationOptions, seed: string, phase: string = net.name): void {
  const views = new SeededRandom(`stream-teacher-views:${seed}`);
  const optimizer = tf.train.adam(budget.learningRate);
  try {
    forEachBatch(train, budget, seed, (batch, epoch, step) => tf.tidy(() => {
      const x = imageTensor(augmentImages(batch.x, batch.n, augment, views), batch.n);
      minimizeStep(optimizer, net.variables, () => crossEntropy(net.apply(x).logits, batch.y), { phase, epoch, step });
    }));
  } finally {
    optimizer.dispose();
  }
}

/** Builds the teacher, the pre-trained student and the stream of a seed (the caller disposes). */
export function prepareStream(train: ImageSet, test: ImageSet, arch: Architecture, teacherBudget: Budget, pretrainEpochs: number, settings: StreamSettings, seed: number): StreamSetup {
  const teacher = createNet(arch, 'teacher', `teacher:${seed}`, train.classes);
  const student = createNet(arch, 'student', `student:${seed}`, train.classes);
  try {
    const augment = { maxDegrees: settings.maxDegrees + settings.jitterDegrees, maxShift: settings.maxShift, noise: settings.maxNoise / 2 };
    trainAugmented(teacher, train, teacherBudget, augment, `teacher:${seed}`, 'the teacher (offline, augmented)');
    if (pretrainEpochs > 0) trainWithCrossEntropy(student, train, { ...teacherBudget, epochs: pretrainEpochs }, `student:${seed}`, "the student's pre-training");
  } catch (error) {
    teacher.dispose();
    student.dispose();
    throw error;
  }
  const { frames } = driftingStream(test, settings, seed);
  return { teacher, student, frames, dispose: () => { teacher.dispose(); student.dispose(); } };
}

/** Runs one schedule from a copy of the pre-trained student. */
export function runSchedule(setup: StreamSetup, arch: Architecture, controller: StrideController, learningRate: number, seed: number): StreamRunResult {
  const copy = createNet(arch, 'student', `student:${seed}`, setup.student.classes);
  try {
    setup.student.variables.forEach((v, i) => copy.variables[i]!.assign(v));
    return runOnlineDistillation(copy, setup.teacher, setup.frames, controller, learningRate);
  } finally {
    copy.dispose();
  }
}

/** The adaptive controller, or a fixed stride with the same threshold and update cap. */
export function controllerFor(settings: StrideSettings, fixedStride?: number): StrideController {
  return fixedStride === undefined ? new StrideController(settings) : StrideController.fixed(fixedStride, settings.threshold, settings.maxUpdates);
}
