/**
 * A detector head on the small networks (Chen et al. NeurIPS 2017 distil Faster R-CNN's classification and
 * box-regression heads): the network's logits over the 10 digits + background, and a linear box regressor on its
 * `feature` tap giving (x0, y0, x1, y1). The adaptation layer of hint learning (§3.3) maps the student's guided
 * layer to the teacher's hint layer: a 1×1 convolution for conv maps of equal spatial size (as in the paper), a
 * linear layer for dense features.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createNet, type Architecture, type NetSize } from '../nets/factory.js';
import { Head } from '../nets/head.js';
import { ParamFactory, denseForward, type DenseParams } from '../nets/params.js';
import { FEATURE_TAP, disposeVariables, type Network } from '../nets/network.js';
import { DETECTION_CLASSES } from './scenes.js';

/** One forward pass of a detector. */
export interface DetectorOutput {
  logits: tf.Tensor2D;
  boxes: tf.Tensor2D;
  taps: Record<string, tf.Tensor>;
}

/** A classification network with a box-regression head. */
export class Detector {
  readonly boxHead: Head;

  constructor(readonly net: Network, seed: string) {
    this.boxHead = new Head(net.tapShapes[FEATURE_TAP]!, { hidden: [], out: 4 }, `${seed}:box`);
  }

  /** A detector of an architecture and size (11 classes), initialised from `seed`. */
  static create(arch: Architecture, size: NetSize, seed: string): Detector {
    return new Detector(createNet(arch, size, seed, DETECTION_CLASSES), seed);
  }

  /** The last stage, where hints attach (the `feature` tap for a one-stage net). */
  get hintLayer(): string {
    return this.net.stages.at(-1) ?? FEATURE_TAP;
  }

  /** Every trainable variable. */
  get variables(): tf.Variable[] {
    return [...this.net.variables, ...this.boxHead.variables];
  }

  /** Logits, boxes and taps. */
  apply(x: tf.Tensor2D): DetectorOutput {
    const out = this.net.apply(x);
    return { logits: out.logits, boxes: this.boxHead.apply(out.taps[FEATURE_TAP]!), taps: out.taps };
  }

  /** Frees the variables. */
  dispose(): void {
    this.net.dispose();
    this.boxHead.dispose();
  }
}

/** The adaptation layer of hint learning: student tap shape → teacher tap shape. */
export class Adaptation {
  readonly variables: readonly tf.Variable[];
  private readonly layer: DenseParams;

  constructor(readonly from: readonly number[], readonly to: readonly number[], seed: string) {
    const spatial = from.length === 3 && to.length === 3;
    if (spatial && (from[0] !== to[0] || from[1] !== to[1])) throw new Error(`adaptation: maps [${from.join(', ')}] and [${to.join(', ')}] differ in spatial size`);
    if (!spatial && (from.length !== 1 || to.length !== 1)) throw new Error(`adaptation: needs two conv maps or two vectors (got [${from.join(', ')}] → [${to.join(', ')}])`);
    const params = new ParamFactory(seed);
    this.layer = params.dense(from.at(-1)!, to.at(-1)!, 'lecun');
    this.variables = params.variables;
  }

  /** The adapted student feature, shaped like the teacher's hint. */
  apply(feature: tf.Tensor): tf.Tensor {
    if (feature.rank === 2) return denseForward(feature as tf.Tensor2D, this.layer);
    // 1×1 convolution: the same linear map at every position.
    const [batch, h, w, c] = feature.shape as [number, number, number, number];
    const flat = denseForward(tf.reshape(feature, [batch * h * w, c]) as tf.Tensor2D, this.layer);
    return tf.reshape(flat, [batch, h, w, this.to.at(-1)!]);
  }

  /** Frees the variables. */
  dispose(): void {
    disposeVariables(this.variables);
  }
}
