/**
 * Class-balanced distillation on a long-tailed set (Iscen et al., ICCV 2021, arXiv 2104.05279, §3): stage 1
 * trains K teachers with instance sampling and cross-entropy (different seeds); stage 2 trains the student from
 * scratch with class-balanced sampling on (1 − α)·CE + α·β·cosine feature distillation from the frozen teachers
 * (the `cbd` registry loss; the authors' α = 0.4, β = 100), through a linear projection ψ of the student's
 * feature that is dropped afterwards.
 * The two baselines share the budget: instance sampling + CE (that is teacher 1) and class-balanced sampling + CE
 * from the student's initialisation on the student's batches (CBD with α = 0).
 */
import * as tf from '@tensorflow/tfjs-core';
import { SeededRandom } from '../../../core/random.js';
import { augmentImages, augmentationSchema } from '../data/augment.js';
import type { Batch } from '../data/batches.js';
import type { ImageSet } from '../data/digits.js';
import { crossEntropy } from '../../losses/classification.js';
import { createLoss } from '../../losses/registry.js';
import { createNet, type Architecture, type NetSize } from '../nets/factory.js';
import { Head } from '../nets/head.js';
import { FEATURE_TAP, type Network } from '../nets/network.js';
import { imageTensor, minimizeStep, type Budget } from '../training/supervised.js';
import { longTailScores, type LongTailScores } from './metrics.js';
import { samplerBatches, type Sampling } from './sampling.js';

/** Settings of a CBD experiment. */
export interface CbdConfig {
  arch: Architecture;
  size: NetSize;
  budget: Budget;
  teachers: number;
  alpha: number;
  /** Weight β of the feature distillation inside its α share (the authors' 100). */
  beta: number;
  augment: boolean;
  seed: number;
}

/** Every model's long-tail figures from one seed. */
export interface CbdExperiment {
  instance: LongTailScores;
  classBalanced: LongTailScores;
  cbd: LongTailScores;
  teachers: LongTailScores[];
}

const AUGMENT = augmentationSchema.parse({});

/** Runs `step` on every (optionally augmented) batch of `epochs` epochs under a sampling scheme, with the epoch and step numbers (from 1). */
export function forEachSampledBatch(set: ImageSet, budget: Budget, sampling: Sampling, augment: boolean, seed: string,
  step: (x: tf.Tensor2D, batch: Batch, at: { epoch: number; step: number }) => void): void {
  const rng = new SeededRandom(`lt-batches:${seed}`);
  const augRng = new SeededRandom(`lt-augment:${seed}`);
  for (let epoch = 1; epoch <= budget.epochs; epoch++) {
    let index = 0;
    for (const batch of samplerBatches(set, budget.batchSize, sampling, rng)) {
      const pixels = augment ? augmentImages(batch.x, batch.n, AUGMENT, augRng) : batch.x;
      const at = { epoch, step: ++index };
      tf.tidy(() => step(imageTensor(pixels, batch.n), batch, at));
    }
  }
}

/**
 * Trains a network with cross-entropy under a sampling scheme (stage 1 teachers and both baselines); `phase` names
 * what trains in a divergence message.
 */
export function trainSampled(net: Network, set: ImageSet, budget: Budget, sampling: Sampling, augment: boolean, seed: string, phase = `${net.name} (${sampling} sampling)`): void {
  const optimizer = tf.train.adam(budget.learningRate);
  try {
    forEachSampledBatch(set, budget, sampling, augment, seed, (x, batch, at) => {
      minimizeStep(optimizer, net.variables, () => crossEntropy(net.apply(x).logits, batch.y), { phase, ...at });
    });
  } finally {
    optimizer.dispose();
  }
}

/** Stage 2: the student from scratch, class-balanced batches, (1 − α)·CE + α·β·feature distillation. */
export function trainCbdStudent(student: Network, teachers: readonly Network[], set: ImageSet, budget: Budget, weights: { alpha: number; beta: number }, augment: boolean, seed: string): void {
  const width = teachers.reduce((s, t) => s + t.tapShapes[FEATURE_TAP]!.reduce((a, b) => a * b, 1), 0);
  const projection = new Head(student.tapShapes[FEATURE_TAP]!, { hidden: [], out: width }, `cbd-projection:${seed}`);
  const loss = createLoss('cbd', weights);
  const optimizer = tf.train.adam(budget.learningRate);
  try {
    forEachSampledBatch(set, budget, 'class-balanced', augment, seed, (x, batch, at) => {
      const teacherFeatures = teachers.map((t) => tf.reshape(t.apply(x).taps[FEATURE_TAP]!, [batch.n, -1]) as tf.Tensor2D);
      minimizeStep(optimizer, [...student.variables, ...projection.variables], () => {
        const out = student.apply(x);
        return loss({ logits: out.logits, projected: projection.apply(out.taps[FEATURE_TAP]!), teachers: teacherFeatures, labels: batch.y });
      }, { phase: 'the student (cbd, class-balanced sampling)', ...at });
    });
  } finally {
    optimizer.dispose();
    projection.dispose();
  }
}

/** Trains and evaluates the instance-sampled teachers, the class-balanced baseline and the CBD student. */
export function runCbdExperiment(train: ImageSet, test: ImageSet, counts: readonly number[], config: CbdConfig, parts: { baseline?: boolean; student?: boolean } = {}): Partial<CbdExperiment> & { teachers: LongTailScores[] } {
  const { arch, size, budget, seed } = config;
  const teachers: Network[] = [];
  try {
    const result: Partial<CbdExperiment> & { teachers: LongTailScores[] } = { teachers: [] };
    if (parts.baseline !== false) {
      const baseline = createNet(arch, size, `student:${seed}`, train.classes);
      try {
        trainSampled(baseline, train, budget, 'class-balanced', config.augment, `student:${seed}`, 'the student (cross-entropy, class-balanced sampling)');
        result.classBalanced = longTailScores(baseline, test, counts);
      } finally {
        baseline.dispose();
      }
    }
    if (parts.student === false) return result;
    for (let k = 0; k < config.teachers; k++) {
      const teacher = createNet(arch, size, `teacher${k}:${seed}`, train.classes);
      teachers.push(teacher);
      trainSampled(teacher, train, budget, 'instance', config.augment, `teacher${k}:${seed}`, `teacher ${k + 1} (cross-entropy, instance sampling)`);
      result.teachers.push(longTailScores(teacher, test, counts));
    }
    result.instance = result.teachers[0];
    const student = createNet(arch, size, `student:${seed}`, train.classes);
    try {
      trainCbdStudent(student, teachers, train, budget, { alpha: config.alpha, beta: config.beta }, config.augment, `student:${seed}`);
      result.cbd = longTailScores(student, test, counts);
    } finally {
      student.dispose();
    }
    return result;
  } finally {
    for (const t of teachers) t.dispose();
  }
}
