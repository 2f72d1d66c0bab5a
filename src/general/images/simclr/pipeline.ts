/**
 * The SimCLRv2 pipeline on the digits (Chen et al. NeurIPS 2020, §2), one seed:
 * 1. unsupervised pre-training of the big network (the `teacher` size) with NT-Xent (SimCLR eq. (1)) on two
 *    augmented views of every training image, labels unused;
 * 2. supervised fine-tuning on 1% or 10% of the labels from the first (middle) layer of the 3-layer head;
 * 3. distillation into the small network (the `student` size) from scratch on the unlabelled rest with the
 *    teacher's soft labels (Eq. 2), labels unused.
 * Each stage is scored: the pre-trained encoder by a linear probe on all training labels (SimCLR's protocol),
 * the fine-tuned teacher and the distilled student by test accuracy. Reference points with the same labels:
 * the student and the big network trained on the labelled subset alone, and fine-tuning from the encoder output
 * (head layer 0) instead of the middle of the head.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { positiveFloat32 } from '../../../core/float32-range.js';
import { SeededRandom } from '../../../core/random.js';
import { augmentImages, augmentationSchema } from '../data/augment.js';
import type { ImageSet } from '../data/digits.js';
import { createLoss } from '../../losses/registry.js';
import { createNet, type Architecture } from '../nets/factory.js';
import type { Network } from '../nets/network.js';
import { linearProbeAccuracy } from '../training/linear-probe.js';
import { accuracy, forEachBatch, imageTensor, minimizeStep, trainWithCrossEntropy, type Budget } from '../training/supervised.js';
import { simclrDistillLoss } from './distill-loss.js';
import { splitLabels } from './label-subset.js';
import { FineTunedNet, createContrastiveModel, project, type ContrastiveModel } from './model.js';

/** Settings of the pipeline (pre-training epochs are the run's budget). */
export const simclrSchema = z.object({
  projection: z.number().int().positive().default(32),
  temperature: positiveFloat32().default(0.5),
  augment: augmentationSchema.default(augmentationSchema.parse({})),
  /** Head layer to fine-tune from (SimCLRv2: the first of three, "the middle layer"). */
  depth: z.number().int().min(0).max(2).default(1),
  finetuneEpochs: z.number().int().min(1).default(100),
  distillEpochs: z.number().int().min(1).default(30),
  distillTemperature: positiveFloat32().default(1),
}).strict();

/** Validated pipeline settings. */
export type SimclrSettings = z.infer<typeof simclrSchema>;

/** The stage figures of one label fraction. */
export interface FractionResult {
  labelled: number;
  /** Student trained on the labelled subset alone (the baseline). */
  studentSupervised: number;
  /** Big network trained on the labelled subset alone. */
  bigSupervised: number;
  /** Fine-tuned from the encoder output (depth 0). */
  teacherFromEncoder: number;
  /** Fine-tuned from the middle layer of the head (the teacher). */
  teacher: number;
  /** Student distilled on the unlabelled rest. */
  student: number;
}

/** Stage 1: NT-Xent pre-training of a contrastive model on augmented views (labels unused). */
export function pretrainContrastive(model: ContrastiveModel, train: ImageSet, budget: Budget, settings: SimclrSettings, seed: string): void {
  const ntXent = createLoss('nt-xent', { temperature: settings.temperature });
  const views = new SeededRandom(`simclr-views:${seed}`);
  const variables = [...model.encoder.variables, ...model.head.variables];
  const optimizer = tf.train.adam(budget.learningRate);
  try {
    forEachBatch(train, budget, seed, (batch, epoch, step) => tf.tidy(() => {
      const x1 = imageTensor(augmentImages(batch.x, batch.n, settings.augment, views), batch.n);
      const x2 = imageTensor(augmentImages(batch.x, batch.n, settings.augment, views), batch.n);
      minimizeStep(optimizer, variables, () => ntXent({ z1: project(model, x1), z2: project(model, x2) }), { phase: "the big encoder's pre-training (NT-Xent)", epoch, step });
    }));
  } finally {
    optimizer.dispose();
  }
}

/** Stage 3: trains `student` on the teacher's soft labels over an (unlabelled) set. */
export function distillOnUnlabelled(student: Network, teacher: Network, unlabelled: ImageSet, budget: Budget, temperature: number, seed: string): void {
  const optimizer = tf.train.adam(budget.learningRate);
  try {
    forEachBatch(unlabelled, budget, seed, (batch, epoch, step) => tf.tidy(() => {
      const x = imageTensor(batch.x, batch.n);
      const teacherLogits = teacher.apply(x).logits;
      minimizeStep(optimizer, student.variables, () => simclrDistillLoss(student.apply(x).logits, teacherLogits, temperature), { phase: 'the distillation into the student', epoch, step });
    }));
  } finally {
    optimizer.dispose();
  }
}

/** Trains a fresh network of a size on the labelled subset with cross-entropy and returns its test accuracy. */
export function supervisedOnLabels(arch: Architecture, size: 'student' | 'teacher', labelled: ImageSet, test: ImageSet, budget: Budget, seed: number): number {
  const net = createNet(arch, size, `${size}:${seed}`);
  try {
    trainWithCrossEntropy(net, labelled, budget, `${size}-labelled:${seed}`, `the ${size === 'teacher' ? 'big network' : 'student'} on the labelled subset`);
    return accuracy(net, test);
  } finally {
    net.dispose();
  }
}

/** Runs the whole pipeline for each label fraction from one pre-training; returns the probe and per-fraction figures. */
export function runSimclrPipeline(train: ImageSet, test: ImageSet, arch: Architecture, budget: Budget, settings: SimclrSettings, seed: number, fractions: readonly number[], log: (line: string) => void = () => undefined): { probe: number; fractions: FractionResult[] } {
  const model = createContrastiveModel(arch, 'teacher', `simclr:${seed}`, settings.projection);
  try {
    pretrainContrastive(model, train, budget, settings, `simclr:${seed}`);
    const probe = linearProbeAccuracy(model.encoder, train, test);
    log(`  pre-trained big encoder: linear probe ${probe.toFixed(4)}`);
    const results = fractions.map((fraction) => {
      const { labelled, unlabelled } = splitLabels(train, fraction, seed);
      const fine = { ...budget, epochs: settings.finetuneEpochs };
      const finetune = (depth: number): FineTunedNet => {
        const net = new FineTunedNet(model, arch, 'teacher', depth, train.classes, `simclr-finetune${depth}:${seed}`);
        trainWithCrossEntropy(net, labelled, fine, `finetune:${seed}`, `the fine-tuning from head layer ${depth}`);
        return net;
      };
      const fromEncoder = finetune(0);
      const teacherFromEncoder = accuracy(fromEncoder, test);
      fromEncoder.dispose();
      const teacher = finetune(settings.depth);
      try {
        const teacherAccuracy = accuracy(teacher, test);
        const student = createNet(arch, 'student', `student:${seed}`);
        try {
          distillOnUnlabelled(student, teacher, unlabelled, { ...budget, epochs: settings.distillEpochs }, settings.distillTemperature, `distill:${seed}`);
          const result: FractionResult = {
            labelled: labelled.n,
            studentSupervised: supervisedOnLabels(arch, 'student', labelled, test, fine, seed),
            bigSupervised: supervisedOnLabels(arch, 'teacher', labelled, test, fine, seed),
            teacherFromEncoder,
            teacher: teacherAccuracy,
            student: accuracy(student, test),
          };
          log(`  ${labelled.n} labels: teacher ${result.teacher.toFixed(4)} (from encoder ${teacherFromEncoder.toFixed(4)}), student ${result.student.toFixed(4)}`);
          return result;
        } finally {
          student.dispose();
        }
      } finally {
        teacher.dispose();
      }
    });
    return { probe, fractions: results };
  } finally {
    model.encoder.dispose();
    model.head.dispose();
  }
}
