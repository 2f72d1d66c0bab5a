/**
 * Linear-probe evaluation of a self-supervised encoder (the protocol of SimCLR and DoGo): the encoder is frozen,
 * its `feature` tap is computed for the train and test images, standardised with the train statistics, and a
 * softmax linear classifier is trained on the train features with full-batch Adam; its test accuracy is the score.
 */
import * as tf from '@tensorflow/tfjs-core';
import { crossEntropy } from '../../losses/classification.js';
import { FEATURE_TAP, IMAGE_PIXELS, type Network } from '../nets/network.js';
import type { ImageSet } from '../data/digits.js';
import { imageTensor, minimizeStep } from './supervised.js';

/** Settings of the probe. */
export interface ProbeOptions {
  steps: number;
  learningRate: number;
  /** L2 penalty on the probe's weights. */
  weightDecay: number;
}

/** Defaults: 300 full-batch Adam steps at 0.01, L2 1e-4. */
export const DEFAULT_PROBE: ProbeOptions = { steps: 300, learningRate: 0.01, weightDecay: 1e-4 };

/** The frozen `feature` tap of a network on a whole set [n, D]. */
export function encode(net: Network, set: ImageSet, chunk = 512): tf.Tensor2D {
  return tf.tidy(() => {
    const parts: tf.Tensor2D[] = [];
    for (let start = 0; start < set.n; start += chunk) {
      const end = Math.min(set.n, start + chunk);
      parts.push(net.apply(imageTensor(set.x.subarray(start * IMAGE_PIXELS, end * IMAGE_PIXELS), end - start)).taps[FEATURE_TAP] as tf.Tensor2D);
    }
    return tf.concat(parts, 0) as tf.Tensor2D;
  });
}

/** Test accuracy of a linear classifier trained on the frozen features of `net`. */
export function linearProbeAccuracy(net: Network, train: ImageSet, test: ImageSet, options: ProbeOptions = DEFAULT_PROBE): number {
  const trainFeatures = encode(net, train);
  const testFeatures = encode(net, test);
  const dim = trainFeatures.shape[1];
  const zerosW = tf.zeros([dim, train.classes]);
  const zerosB = tf.zeros([train.classes]);
  const w = tf.variable(zerosW);
  const b = tf.variable(zerosB);
  tf.dispose([zerosW, zerosB]); // the variables keep their own references
  const optimizer = tf.train.adam(options.learningRate);
  try {
    const { mean, variance } = tf.moments(trainFeatures, 0);
    const std = tf.tidy(() => tf.add(tf.sqrt(variance), 1e-6));
    const standardise = (f: tf.Tensor2D): tf.Tensor2D => tf.tidy(() => tf.div(tf.sub(f, mean), std) as tf.Tensor2D);
    const xTrain = standardise(trainFeatures);
    const xTest = standardise(testFeatures);
    for (let step = 0; step < options.steps; step++) {
      minimizeStep(optimizer, [w, b], () => tf.add(
        crossEntropy(tf.add(tf.matMul(xTrain, w), b) as tf.Tensor2D, train.y),
        tf.mul(options.weightDecay, tf.sum(tf.square(w))),
      ) as tf.Scalar, {
        phase: `the linear probe on ${net.name}'s frozen features`, step: step + 1,
        // The probe's own rate is fixed and its features standardised: a non-finite loss means the encoder diverged.
        advice: "the encoder's features are not finite (it diverged in its last step): run again with a lower learning rate for the encoder (--lr, or the method's --param lr)",
      });
    }
    const predicted = tf.tidy(() => tf.argMax(tf.add(tf.matMul(xTest, w), b), 1).dataSync() as Int32Array);
    let correct = 0;
    for (let i = 0; i < test.n; i++) if (predicted[i] === test.y[i]) correct++;
    tf.dispose([mean, variance, std, xTrain, xTest]);
    return correct / test.n;
  } finally {
    optimizer.dispose();
    tf.dispose([trainFeatures, testFeatures, w, b]);
  }
}
