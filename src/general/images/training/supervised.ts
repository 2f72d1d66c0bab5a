/**
 * Plain supervised training and evaluation of the small networks: Adam through tfjs's own optimiser, seeded
 * batches, cross-entropy; prediction and accuracy in chunks. The building blocks every method and every baseline
 * shares, so a method and its baseline differ only in their loss.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients } from '../../../core/tfjs-gradients.js';
import { SeededRandom } from '../../../core/random.js';
import { crossEntropy } from '../../losses/classification.js';
import { epochBatches, type Batch } from '../data/batches.js';
import type { ImageSet } from '../data/digits.js';
import type { Network } from '../nets/network.js';
import { IMAGE_PIXELS } from '../nets/network.js';
import { guardedStep, requireFiniteOutputs, type StepPlace } from './divergence.js';

/** The optimisation budget of one training run. */
export interface Budget {
  epochs: number;
  batchSize: number;
  learningRate: number;
}

/** Calls `step` for every batch of `epochs` epochs in a seeded order (`batches:<seed>`), with the epoch and step numbers (from 1). */
export function forEachBatch(set: ImageSet, budget: Budget, seed: number | string, step: (batch: Batch, epoch: number, stepInEpoch: number) => void): void {
  const rng = new SeededRandom(`batches:${seed}`);
  for (let epoch = 1; epoch <= budget.epochs; epoch++) {
    let index = 0;
    for (const batch of epochBatches(set, budget.batchSize, rng)) step(batch, epoch, ++index);
  }
}

/** A [n, 64] tensor of images. */
export function imageTensor(x: Float32Array, n: number): tf.Tensor2D {
  return tf.tensor2d(x, [n, IMAGE_PIXELS]);
}

/**
 * One Adam step on `variables` minimising `loss()`; returns the loss value. The step goes through the divergence
 * guard (`divergence.ts`): a non-finite loss, or non-finite parameters after the update, stops the run with a
 * message naming `place`.
 */
export function minimizeStep(optimizer: tf.Optimizer, variables: readonly tf.Variable[], loss: () => tf.Scalar, place: StepPlace): number {
  ensureGradients();
  return guardedStep(variables, place, () => optimizer.minimize(loss, true, variables as tf.Variable[])!);
}

/**
 * Trains a network with cross-entropy alone (the baseline of every supervised method, and teachers); `phase` names
 * what trains in a divergence message (default: the network's name).
 */
export function trainWithCrossEntropy(net: Network, train: ImageSet, budget: Budget, seed: number | string, phase: string = net.name): void {
  const optimizer = tf.train.adam(budget.learningRate);
  try {
    forEachBatch(train, budget, seed, (batch, epoch, step) => {
      tf.tidy(() => {
        const x = imageTensor(batch.x, batch.n);
        minimizeStep(optimizer, net.variables, () => crossEntropy(net.apply(x).logits, batch.y), { phase, epoch, step });
      });
    });
  } finally {
    optimizer.dispose();
  }
}

/**
 * Logits of a network on a whole set, computed in chunks without a tape: [n, C] as a plain array. Non-finite
 * logits (a network whose last update diverged) stop the run (`requireFiniteOutputs`) instead of being scored.
 */
export function predictLogits(net: Network, set: ImageSet, chunk = 512): Float32Array {
  const out = new Float32Array(set.n * net.classes);
  for (let start = 0; start < set.n; start += chunk) {
    const end = Math.min(set.n, start + chunk);
    const values = tf.tidy(() => net.apply(imageTensor(set.x.subarray(start * IMAGE_PIXELS, end * IMAGE_PIXELS), end - start)).logits.dataSync() as Float32Array);
    out.set(values, start * net.classes);
  }
  requireFiniteOutputs(out, net.name);
  return out;
}

/** Index of the largest value in each row of a [n, C] array. */
export function argmaxRows(values: Float32Array, n: number, classes: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (values[i * classes + c]! > values[i * classes + best]!) best = c;
    out[i] = best;
  }
  return out;
}

/** Fraction of the set a network classifies correctly (argmax of its logits). */
export function accuracy(net: Network, set: ImageSet): number {
  const predicted = argmaxRows(predictLogits(net, set), set.n, net.classes);
  let correct = 0;
  for (let i = 0; i < set.n; i++) if (predicted[i] === set.y[i]) correct++;
  return correct / set.n;
}
