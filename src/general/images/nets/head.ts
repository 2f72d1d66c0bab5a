/**
 * A small head on a feature tap: optional max-pooling of a conv feature map down to `poolTo`×`poolTo`, flatten,
 * hidden ReLU layers, a linear output. Used for DCM's auxiliary classifiers, SimCLR/DoGo projection heads, FFSD's
 * fused classifier and linear probes (no hidden layer).
 */
import * as tf from '@tensorflow/tfjs-core';
import { ParamFactory, denseForward, maxPool2, type DenseParams } from './params.js';
import { disposeVariables } from './network.js';

/** Shape of a head. */
export interface HeadOptions {
  /** Hidden ReLU widths (empty: a linear head). */
  hidden: readonly number[];
  out: number;
  /** For conv inputs [H, W, C]: max-pool down to this side first (default 2). */
  poolTo?: number;
}

/** A head on one tap. */
export class Head {
  readonly variables: readonly tf.Variable[];
  private readonly layers: DenseParams[];
  private readonly output: DenseParams;
  private readonly pool: number;

  constructor(readonly inputShape: readonly number[], readonly options: HeadOptions, seed: string | number) {
    const params = new ParamFactory(seed);
    let width: number;
    if (inputShape.length === 3) {
      const [h, w, c] = inputShape as [number, number, number];
      const side = Math.min(options.poolTo ?? 2, h);
      if (h !== w || h % side !== 0) throw new Error(`head: cannot pool a ${h}×${w} map to ${side}×${side}`);
      this.pool = h / side;
      width = side * side * c;
    } else if (inputShape.length === 1) {
      this.pool = 1;
      width = inputShape[0]!;
    } else {
      throw new Error(`head: input shape must be [D] or [H, W, C] (got [${inputShape.join(', ')}])`);
    }
    this.layers = options.hidden.map((hiddenWidth) => {
      const layer = params.dense(width, hiddenWidth);
      width = hiddenWidth;
      return layer;
    });
    this.output = params.dense(width, options.out, 'lecun');
    this.variables = params.variables;
  }

  /** The head's output [B, out]. */
  apply(features: tf.Tensor): tf.Tensor2D {
    let x: tf.Tensor = features;
    if (features.rank === 4 && this.pool > 1) x = maxPool2(features as tf.Tensor4D, this.pool);
    let h = tf.reshape(x, [features.shape[0]!, -1]) as tf.Tensor2D;
    for (const layer of this.layers) h = tf.relu(denseForward(h, layer));
    return denseForward(h, this.output);
  }

  /** Frees the variables. */
  dispose(): void {
    disposeVariables(this.variables);
  }
}
