/**
 * A small convolutional network for 8×8 images (NHWC):
 *   stage1 = ReLU(conv3×3(x, c1))            [8, 8, c1]
 *   stage2 = ReLU(conv3×3(maxpool2(stage1), c2))  [4, 4, c2]
 *   feature = ReLU(W·flatten(maxpool2(stage2)) + b)  [fc]
 *   logits = linear(feature)
 * The two stages are the down-sampling points where auxiliary classifiers and feature losses attach.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ParamFactory, convForward, denseForward, maxPool2, type ConvParams, type DenseParams } from './params.js';
import { FEATURE_TAP, IMAGE_SIDE, disposeVariables, type Network, type NetworkOutput } from './network.js';

/** Channel and width settings of a CNN. */
export interface CnnShape { c1: number; c2: number; fc: number }

/** The small CNN classifier. */
export class Cnn implements Network {
  readonly stages = ['stage1', 'stage2'] as const;
  readonly tapShapes: Record<string, readonly number[]>;
  readonly variables: readonly tf.Variable[];
  private readonly conv1: ConvParams;
  private readonly conv2: ConvParams;
  private readonly fc: DenseParams;
  private readonly output: DenseParams;

  constructor(readonly name: string, readonly shape: CnnShape, readonly classes: number, seed: string | number) {
    for (const [key, value] of Object.entries(shape)) {
      if (!Number.isInteger(value) || value < 1) throw new Error(`CNN ${name}: ${key} must be a positive integer (got ${value})`);
    }
    const params = new ParamFactory(seed);
    this.conv1 = params.conv(3, 1, shape.c1);
    this.conv2 = params.conv(3, shape.c1, shape.c2);
    this.fc = params.dense(4 * shape.c2, shape.fc);
    this.output = params.dense(shape.fc, classes, 'lecun');
    this.variables = params.variables;
    this.tapShapes = { stage1: [IMAGE_SIDE, IMAGE_SIDE, shape.c1], stage2: [IMAGE_SIDE / 2, IMAGE_SIDE / 2, shape.c2], [FEATURE_TAP]: [shape.fc] };
  }

  /** Forward pass with the stage and feature taps. */
  apply(x: tf.Tensor2D): NetworkOutput {
    const image = tf.reshape(x, [x.shape[0], IMAGE_SIDE, IMAGE_SIDE, 1]) as tf.Tensor4D;
    const stage1 = tf.relu(convForward(image, this.conv1));
    const stage2 = tf.relu(convForward(maxPool2(stage1), this.conv2));
    const pooled = maxPool2(stage2);
    const feature = tf.relu(denseForward(tf.reshape(pooled, [x.shape[0], 4 * this.shape.c2]) as tf.Tensor2D, this.fc));
    return { logits: denseForward(feature, this.output), taps: { stage1, stage2, [FEATURE_TAP]: feature } };
  }

  /** The final classifier's bias. */
  get outputBias(): tf.Variable {
    return this.output.b;
  }

  /** Frees the variables. */
  dispose(): void {
    disposeVariables(this.variables);
  }
}
