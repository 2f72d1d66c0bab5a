/**
 * A multilayer perceptron for flattened 8×8 images: hidden ReLU layers (taps `hidden1`, `hidden2`, …; the last
 * one is also `feature`) and a linear classifier. Stages are the hidden layers before the last.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ParamFactory, denseForward, type DenseParams } from './params.js';
import { FEATURE_TAP, IMAGE_PIXELS, disposeVariables, type Network, type NetworkOutput } from './network.js';

/** An MLP classifier. */
export class Mlp implements Network {
  readonly stages: readonly string[];
  readonly tapShapes: Record<string, readonly number[]>;
  readonly variables: readonly tf.Variable[];
  private readonly layers: DenseParams[];
  private readonly output: DenseParams;

  constructor(readonly name: string, readonly hidden: readonly number[], readonly classes: number, seed: string | number) {
    if (hidden.length === 0 || hidden.some((h) => !Number.isInteger(h) || h < 1)) throw new Error(`MLP ${name}: hidden sizes must be positive integers (got [${hidden.join(', ')}])`);
    const params = new ParamFactory(seed);
    let width = IMAGE_PIXELS;
    this.layers = hidden.map((h) => {
      const layer = params.dense(width, h);
      width = h;
      return layer;
    });
    this.output = params.dense(width, classes, 'lecun');
    this.variables = params.variables;
    this.tapShapes = { [FEATURE_TAP]: [width] };
    hidden.forEach((h, i) => {
      this.tapShapes[`hidden${i + 1}`] = [h];
    });
    this.stages = hidden.slice(0, -1).map((_, i) => `hidden${i + 1}`);
  }

  /** Hidden layers then logits, with every hidden activation tapped. */
  apply(x: tf.Tensor2D): NetworkOutput {
    const taps: Record<string, tf.Tensor> = {};
    let h = x;
    this.layers.forEach((layer, i) => {
      h = tf.relu(denseForward(h, layer));
      taps[`hidden${i + 1}`] = h;
    });
    taps[FEATURE_TAP] = h;
    return { logits: denseForward(h, this.output), taps };
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
