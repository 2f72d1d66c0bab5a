/**
 * Training and evaluation of the digits detectors. The supervised detector (teacher, and the student baseline)
 * minimises CE + λ·smooth-L1 on object boxes (Faster R-CNN's losses, Chen et al. 2017 Eq. 1 without the
 * distillation terms). The distilled student minimises Chen et al. Eq. 1:
 *   L = L_cls (`weighted-kd`, Eq. 2–3) + λ·L_reg (`bounded-regression`, Eq. 4–5) + γ·L_hint (`hint`, Eq. 6),
 * with the teacher frozen. Box losses cover object images only: background rows are zeroed in prediction,
 * teacher and target alike (so they add nothing) and the batch mean is rescaled by B / (objects in the batch).
 */
import * as tf from '@tensorflow/tfjs-core';
import { smoothL1 } from '../../losses/detection.js';
import { crossEntropy } from '../../losses/classification.js';
import { createLoss } from '../../losses/registry.js';
import { epochBatches, type Batch } from '../data/batches.js';
import { SeededRandom } from '../../../core/random.js';
import { argmaxRows, imageTensor, minimizeStep, type Budget } from '../training/supervised.js';
import { requireFiniteOutputs } from '../training/divergence.js';
import { IMAGE_PIXELS } from '../nets/network.js';
import { iou, type Box } from './boxes.js';
import { BACKGROUND, type DetectionSet } from './scenes.js';
import { Adaptation, Detector } from './detector.js';

/** Weights of the distilled student's loss terms and the registry losses' settings. */
export interface DistillWeights {
  /** λ (paper 1). */
  lambda: number;
  /** γ (paper 0.5; scaled here to the hint's width, see the method). */
  gamma: number;
  mu: number;
  backgroundWeight: number;
  temperature: number;
  nu: number;
  margin: number;
}

/** A batch's boxes [B, 4] and object mask [B, 1], and the factor B / objects (0 when none). */
function boxTargets(set: DetectionSet, batch: Batch): { target: tf.Tensor2D; mask: tf.Tensor2D; scale: number } {
  const boxes = new Float32Array(batch.n * 4);
  const mask = new Float32Array(batch.n);
  let objects = 0;
  batch.ids.forEach((row, i) => {
    boxes.set(set.boxes.subarray(row * 4, row * 4 + 4), i * 4);
    mask[i] = set.objects[row]!;
    objects += mask[i]!;
  });
  return { target: tf.tensor2d(boxes, [batch.n, 4]), mask: tf.tensor2d(mask, [batch.n, 1]), scale: objects > 0 ? batch.n / objects : 0 };
}

/** Calls `step` on every batch of `epochs` epochs (seeded order), inside a tidy scope, with the epoch and step numbers (from 1). */
function forEachDetectionBatch(set: DetectionSet, budget: Budget, seed: string,
  step: (x: tf.Tensor2D, batch: Batch, boxes: ReturnType<typeof boxTargets>, at: { epoch: number; step: number }) => void): void {
  const rng = new SeededRandom(`detection-batches:${seed}`);
  for (let epoch = 1; epoch <= budget.epochs; epoch++) {
    let index = 0;
    for (const batch of epochBatches(set, budget.batchSize, rng)) {
      const at = { epoch, step: ++index };
      tf.tidy(() => step(imageTensor(batch.x, batch.n), batch, boxTargets(set, batch), at));
    }
  }
}

/** Trains a detector on CE + λ·smooth-L1 (teacher, and the student baseline); `phase` names it in a divergence message. */
export function trainSupervisedDetector(det: Detector, set: DetectionSet, budget: Budget, lambda: number, seed: string, phase = 'the detector (CE + smooth-L1)'): void {
  const optimizer = tf.train.adam(budget.learningRate);
  try {
    forEachDetectionBatch(set, budget, seed, (x, batch, { target, mask, scale }, at) => {
      minimizeStep(optimizer, det.variables, () => {
        const out = det.apply(x);
        const reg = tf.mul(scale, smoothL1(tf.mul(out.boxes, mask) as tf.Tensor2D, tf.mul(target, mask) as tf.Tensor2D));
        return tf.add(crossEntropy(out.logits, batch.y), tf.mul(lambda, reg)) as tf.Scalar;
      }, { phase, ...at });
    });
  } finally {
    optimizer.dispose();
  }
}

/** Trains the student with Chen et al.'s Eq. 1 from a frozen teacher, through an adaptation layer (γ > 0). */
export function trainDistilledDetector(student: Detector, teacher: Detector, set: DetectionSet, budget: Budget, w: DistillWeights, seed: string,
  phase = 'the student detector (distilled)'): void {
  const cls = createLoss('weighted-kd', { mu: w.mu, temperature: w.temperature, backgroundWeight: w.backgroundWeight, background: BACKGROUND });
  const reg = createLoss('bounded-regression', { nu: w.nu, margin: w.margin });
  const hint = createLoss('hint');
  const adaptation = new Adaptation(student.net.tapShapes[student.hintLayer]!, teacher.net.tapShapes[teacher.hintLayer]!, `${seed}:adaptation`);
  const optimizer = tf.train.adam(budget.learningRate);
  try {
    forEachDetectionBatch(set, budget, seed, (x, batch, { target, mask, scale }, at) => {
      const t = teacher.apply(x);
      const tBoxes = tf.mul(t.boxes, mask) as tf.Tensor2D;
      const tHint = t.taps[teacher.hintLayer]!;
      minimizeStep(optimizer, [...student.variables, ...adaptation.variables], () => {
        const s = student.apply(x);
        let loss: tf.Tensor = cls({ student: s.logits, teacher: t.logits, labels: batch.y });
        loss = tf.add(loss, tf.mul(w.lambda * scale, reg({ student: tf.mul(s.boxes, mask) as tf.Tensor2D, teacher: tBoxes, target: tf.mul(target, mask) as tf.Tensor2D })));
        if (w.gamma > 0) loss = tf.add(loss, tf.mul(w.gamma, hint({ adapted: adaptation.apply(s.taps[student.hintLayer]!), hint: tHint })));
        return loss as tf.Scalar;
      }, { phase, ...at });
    });
  } finally {
    optimizer.dispose();
    adaptation.dispose();
  }
}

/** Test figures of a detector. */
export interface DetectionScores {
  /** Mean over the 11 classes of per-class accuracy, an object counting only with IoU ≥ 0.5 (the headline). */
  balanced: number;
  /** Fraction of objects with the right class and IoU ≥ 0.5. */
  objectRecall: number;
  /** Fraction of background images classified as background. */
  background: number;
  /** Mean IoU of the predicted box over objects. */
  meanIou: number;
  /** Plain 11-way accuracy (boxes ignored). */
  accuracy: number;
}

/** Evaluates a detector on a set (in chunks, no tape). */
export function evaluateDetector(det: Detector, set: DetectionSet, minIou = 0.5, chunk = 512): DetectionScores {
  const correct = new Array<number>(set.classes).fill(0);
  const total = new Array<number>(set.classes).fill(0);
  let iouSum = 0;
  let objects = 0;
  let hits = 0;
  let plain = 0;
  for (let start = 0; start < set.n; start += chunk) {
    const end = Math.min(set.n, start + chunk);
    const n = end - start;
    const [logits, boxes] = tf.tidy(() => {
      const out = det.apply(imageTensor(set.x.subarray(start * IMAGE_PIXELS, end * IMAGE_PIXELS), n));
      return [out.logits.dataSync() as Float32Array, out.boxes.dataSync() as Float32Array];
    });
    requireFiniteOutputs(logits, "the detector's class logits");
    requireFiniteOutputs(boxes, "the detector's boxes");
    const predicted = argmaxRows(logits, n, set.classes);
    for (let i = 0; i < n; i++) {
      const row = start + i;
      const label = set.y[row]!;
      total[label]!++;
      const classRight = predicted[i] === label;
      if (classRight) plain++;
      let ok = classRight;
      if (label !== BACKGROUND) {
        const overlap = iou(Array.from(boxes.subarray(i * 4, i * 4 + 4)) as Box, Array.from(set.boxes.subarray(row * 4, row * 4 + 4)) as Box);
        iouSum += overlap;
        objects++;
        ok = classRight && overlap >= minIou;
        if (ok) hits++;
      }
      if (ok) correct[label]!++;
    }
  }
  const present = total.map((t, c) => (t > 0 ? c : -1)).filter((c) => c >= 0);
  return {
    balanced: present.reduce((s, c) => s + correct[c]! / total[c]!, 0) / present.length,
    objectRecall: objects > 0 ? hits / objects : Number.NaN,
    background: total[BACKGROUND]! > 0 ? correct[BACKGROUND]! / total[BACKGROUND]! : Number.NaN,
    meanIou: objects > 0 ? iouSum / objects : Number.NaN,
    accuracy: plain / set.n,
  };
}
