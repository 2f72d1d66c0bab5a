/**
 * Online model distillation on a stream (JITNet, Mullapudi et al. ICCV 2019, §3.2 Algorithm 1): a cheap student,
 * pre-trained on clean data, labels every frame; on the key frames a {@link StrideController} chooses, the
 * expensive teacher labels the frame and the student takes Adam steps on cross-entropy to the teacher's hard
 * labels (the paper trains on the teacher's predictions) until it agrees with the teacher on at least a_thr of
 * the frame or u_max updates are spent. The student's accuracy is measured on every frame against the true labels
 * with its prediction made before any update on that frame (what it would have output online). The paper's 5×
 * weight on pixels inside instance boxes has no counterpart here (a frame's images all count once).
 */
import * as tf from '@tensorflow/tfjs-core';
import { crossEntropy } from '../../losses/classification.js';
import type { Network } from '../nets/network.js';
import { argmaxRows, imageTensor, minimizeStep } from '../training/supervised.js';
import { requireFiniteOutputs } from '../training/divergence.js';
import type { Frame } from './drifting-stream.js';
import type { StrideController } from './stride-controller.js';

/** What one pass over the stream produced. */
export interface StreamRunResult {
  /** Student accuracy on each frame (true labels, before updating on it). */
  perFrame: Float32Array;
  /** 1 where the teacher labelled the frame. */
  keyframes: Uint8Array;
  /** Student updates taken on each frame. */
  updates: Int32Array;
  /** Mean of `perFrame`. */
  accuracy: number;
  /** Fraction of frames the teacher labelled. */
  teacherFraction: number;
  totalUpdates: number;
}

/**
 * The argmax labels of a network on a frame (no tape); non-finite logits stop the run (`requireFiniteOutputs`,
 * naming `what` and the `--param` key of the rate that trained it, if any).
 */
export function frameLabels(net: Network, frame: Frame, what: string = net.name, rateParam?: string): Int32Array {
  const logits = tf.tidy(() => net.apply(imageTensor(frame.x, frame.n)).logits.dataSync() as Float32Array);
  requireFiniteOutputs(logits, what, rateParam);
  return argmaxRows(logits, frame.n, net.classes);
}

/** Fraction of positions where two label arrays agree. */
export function agreement(a: Int32Array, b: Int32Array): number {
  if (a.length !== b.length || a.length === 0) throw new Error(`agreement: label arrays of length ${a.length} and ${b.length}`);
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}

/** Runs the student over the stream under a query schedule, updating it in place from the teacher. */
export function runOnlineDistillation(student: Network, teacher: Network, frames: readonly Frame[], controller: StrideController, learningRate: number): StreamRunResult {
  const count = frames.length;
  const perFrame = new Float32Array(count);
  const keyframes = new Uint8Array(count);
  const updates = new Int32Array(count);
  const optimizer = tf.train.adam(learningRate);
  try {
    for (let t = 0; t < count; t++) {
      const frame = frames[t]!;
      let predicted = frameLabels(student, frame, 'the online student', 'onlineLr');
      perFrame[t] = agreement(predicted, frame.y);
      if (!controller.isKeyframe(t)) continue;
      keyframes[t] = 1;
      const target = frameLabels(teacher, frame);
      let score = agreement(predicted, target);
      while (controller.shouldUpdate(score, updates[t]!)) {
        tf.tidy(() => {
          const x = imageTensor(frame.x, frame.n);
          minimizeStep(optimizer, student.variables, () => crossEntropy(student.apply(x).logits, target),
            { phase: 'the online student', unit: 'frame', epoch: t + 1, step: updates[t]! + 1, rateParam: 'onlineLr' });
        });
        updates[t]!++;
        predicted = frameLabels(student, frame, 'the online student', 'onlineLr');
        score = agreement(predicted, target);
      }
      controller.endKeyframe(t, score);
    }
  } finally {
    optimizer.dispose();
  }
  const totalKeyframes = keyframes.reduce((s, v) => s + v, 0);
  return {
    perFrame,
    keyframes,
    updates,
    accuracy: perFrame.reduce((s, v) => s + v, 0) / count,
    teacherFraction: totalKeyframes / count,
    totalUpdates: updates.reduce((s, v) => s + v, 0),
  };
}

/** Mean accuracy of a frozen network over the stream's frames (teacher or non-adapting student). */
export function streamAccuracy(net: Network, frames: readonly Frame[]): number {
  let sum = 0;
  for (const frame of frames) sum += agreement(frameLabels(net, frame), frame.y);
  return sum / frames.length;
}

/** Trailing moving average of a per-frame series over the last `window` frames (fewer at the start). */
export function movingAverage(values: ArrayLike<number>, window: number): number[] {
  const out: number[] = [];
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i]!;
    if (i >= window) sum -= values[i - window]!;
    out.push(sum / Math.min(i + 1, window));
  }
  return out;
}
