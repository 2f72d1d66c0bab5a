/**
 * FFSD's two extra modules (Li et al. 2021; structure after the authors' FusionModule and SelfDistillationModel,
 * without batch norm, as none of this module's networks has it):
 * - the fusion module: the common students' last stage maps concatenated over channels → conv3×3 + ReLU →
 *   conv1×1 + ReLU down to one student's channels (the fused map) → a classifier head shaped like the students'
 *   own (max-pool, flatten, ReLU layer, linear; the authors average-pool, which at 4×4 loses the digit's layout);
 * - the self-distillation module: a deep stage map [h, w, c] → nearest ×2 up-sampling → conv3×3 + ReLU to the
 *   shallow stage's shape [2h, 2w, c′] (in place of the authors' stride-2 transposed convolution).
 */
import * as tf from '@tensorflow/tfjs-core';
import { ParamFactory, convForward, type ConvParams } from './params.js';
import { Head } from './head.js';
import { disposeVariables } from './network.js';

/** The fusion module over `students` maps of shape [h, w, c]. */
export class FusionModule {
  readonly variables: readonly tf.Variable[];
  private readonly mix: ConvParams;
  private readonly reduce: ConvParams;
  private readonly classifier: Head;

  constructor(readonly mapShape: readonly [number, number, number], students: number, classes: number, hidden: number, seed: string) {
    const params = new ParamFactory(seed);
    const channels = mapShape[2];
    this.mix = params.conv(3, students * channels, students * channels);
    this.reduce = params.conv(1, students * channels, channels);
    this.classifier = new Head(mapShape, { hidden: [hidden], out: classes }, `${seed}:classifier`);
    this.variables = [...params.variables, ...this.classifier.variables];
  }

  /** The fused map [B, h, w, c] and the fused classifier's logits. */
  apply(maps: readonly tf.Tensor4D[]): { fused: tf.Tensor4D; logits: tf.Tensor2D } {
    const concatenated = tf.concat([...maps], 3) as tf.Tensor4D;
    const fused = tf.relu(convForward(tf.relu(convForward(concatenated, this.mix)), this.reduce));
    return { fused, logits: this.classifier.apply(fused) };
  }

  /** Frees the variables. */
  dispose(): void {
    disposeVariables(this.variables);
  }
}

/** Nearest-neighbour ×2 up-sampling of [B, h, w, c] (broadcast add, so every backend has the gradient). */
export function upsample2(x: tf.Tensor4D): tf.Tensor4D {
  const [batch, h, w, c] = x.shape;
  const spread = tf.add(tf.reshape(x, [batch, h, 1, w, 1, c]), tf.zeros([1, 1, 2, 1, 2, 1]));
  return tf.reshape(spread, [batch, 2 * h, 2 * w, c]) as tf.Tensor4D;
}

/** The self-distillation module: deep map → shallow-map shape. */
export class SelfDistillationModule {
  readonly variables: readonly tf.Variable[];
  private readonly conv: ConvParams;

  constructor(readonly deepShape: readonly [number, number, number], readonly shallowShape: readonly [number, number, number], seed: string) {
    if (shallowShape[0] !== 2 * deepShape[0] || shallowShape[1] !== 2 * deepShape[1]) {
      throw new Error(`self-distillation module: shallow map [${shallowShape.join(', ')}] must be twice the deep map [${deepShape.join(', ')}] in size`);
    }
    const params = new ParamFactory(seed);
    this.conv = params.conv(3, deepShape[2], shallowShape[2]);
    this.variables = params.variables;
  }

  /** The deep map transformed to the shallow map's shape. */
  apply(deep: tf.Tensor4D): tf.Tensor4D {
    return tf.relu(convForward(upsample2(deep), this.conv));
  }

  /** Frees the variables. */
  dispose(): void {
    disposeVariables(this.variables);
  }
}
