/**
 * One seed's detection-KD study: the teacher detector is trained once, then the supervised student baseline and
 * any number of distilled-student variants (different loss weights) from the same initialisation and batches.
 */
import type { Architecture } from '../nets/factory.js';
import type { Budget } from '../training/supervised.js';
import { Detector } from './detector.js';
import type { DetectionSet } from './scenes.js';
import { evaluateDetector, trainDistilledDetector, trainSupervisedDetector, type DetectionScores, type DistillWeights } from './training.js';

/** The scores of a study. */
export interface DetectionStudy {
  teacher?: DetectionScores;
  baseline?: DetectionScores;
  variants: Record<string, DetectionScores>;
}

/** Trains the baseline (when asked), the teacher (when any variant needs it) and every distilled variant. */
export function runDetectionStudy(train: DetectionSet, test: DetectionSet, arch: Architecture, budget: Budget, seed: number, options: { baseline: boolean; lambda: number; variants: Record<string, DistillWeights> }): DetectionStudy {
  const study: DetectionStudy = { variants: {} };
  const studentSeed = `student:${seed}`;
  if (options.baseline) {
    const student = Detector.create(arch, 'student', studentSeed);
    try {
      trainSupervisedDetector(student, train, budget, options.lambda, studentSeed, 'the student detector (CE + smooth-L1)');
      study.baseline = evaluateDetector(student, test);
    } finally {
      student.dispose();
    }
  }
  if (Object.keys(options.variants).length === 0) return study;
  const teacher = Detector.create(arch, 'teacher', `teacher:${seed}`);
  try {
    trainSupervisedDetector(teacher, train, budget, options.lambda, `teacher:${seed}`, 'the teacher detector (CE + smooth-L1)');
    study.teacher = evaluateDetector(teacher, test);
    for (const [name, weights] of Object.entries(options.variants)) {
      const student = Detector.create(arch, 'student', studentSeed);
      try {
        trainDistilledDetector(student, teacher, train, budget, weights, studentSeed, `the student detector (distilled, ${name})`);
        study.variants[name] = evaluateDetector(student, test);
      } finally {
        student.dispose();
      }
    }
    return study;
  } finally {
    teacher.dispose();
  }
}
