/**
 * Seeded parameter creation for the small tfjs networks: dense and convolution weights drawn from one
 * `SeededRandom` (He-normal for ReLU layers, LeCun-normal for output layers), biases at zero. Every variable a
 * factory makes is recorded so its owner can list and dispose them.
 */
import * as tf from '@tensorflow/tfjs-core';
import { SeededRandom } from '../../../core/random.js';

/** Weight scaling: He (√(2/fan-in), before a ReLU) or LeCun (√(1/fan-in), linear outputs). */
export type InitKind = 'he' | 'lecun';

/** A dense layer's parameters: W [in, out], b [out]. */
export interface DenseParams { w: tf.Variable; b: tf.Variable }

/** A convolution's parameters: W [k, k, in, out], b [out]. */
export interface ConvParams { w: tf.Variable; b: tf.Variable }

/** Creates and records trainable variables from a seeded stream. */
export class ParamFactory {
  readonly variables: tf.Variable[] = [];
  private readonly rng: SeededRandom;

  constructor(seed: string | number) {
    this.rng = new SeededRandom(`general-init:${seed}`);
  }

  private normal(count: number, std: number): Float32Array {
    const values = new Float32Array(count);
    for (let i = 0; i < count; i++) values[i] = this.rng.normal() * std;
    return values;
  }

  private variable(values: Float32Array, shape: number[]): tf.Variable {
    const initial = tf.tensor(values, shape);
    const v = tf.variable(initial, true);
    initial.dispose(); // the variable keeps its own reference to the data
    this.variables.push(v);
    return v;
  }

  /** A dense layer in → out. */
  dense(inDim: number, outDim: number, init: InitKind = 'he'): DenseParams {
    const std = Math.sqrt((init === 'he' ? 2 : 1) / inDim);
    return { w: this.variable(this.normal(inDim * outDim, std), [inDim, outDim]), b: this.variable(new Float32Array(outDim), [outDim]) };
  }

  /** A k×k convolution in → out channels. */
  conv(kernel: number, inChannels: number, outChannels: number, init: InitKind = 'he'): ConvParams {
    const fanIn = kernel * kernel * inChannels;
    const std = Math.sqrt((init === 'he' ? 2 : 1) / fanIn);
    return {
      w: this.variable(this.normal(kernel * kernel * inChannels * outChannels, std), [kernel, kernel, inChannels, outChannels]),
      b: this.variable(new Float32Array(outChannels), [outChannels]),
    };
  }
}

/** x·W + b. */
export function denseForward(x: tf.Tensor2D, p: DenseParams): tf.Tensor2D {
  return tf.add(tf.matMul(x, p.w as tf.Tensor2D), p.b) as tf.Tensor2D;
}

/**
 * 'same'-padded stride-1 convolution plus bias, NHWC, written as im2col (k² shifted slices of the zero-padded
 * input, concatenated over channels) times the flattened kernel: the wasm backend has no Conv2DBackpropFilter
 * kernel, while pad, slice, concat and matMul all have gradients there.
 */
export function convForward(x: tf.Tensor4D, p: ConvParams): tf.Tensor4D {
  const [batch, height, width, channels] = x.shape;
  const [kernel, , inChannels, outChannels] = p.w.shape as [number, number, number, number];
  if (channels !== inChannels) throw new Error(`convolution: input has ${channels} channels, kernel expects ${inChannels}`);
  const half = (kernel - 1) / 2;
  const padded = tf.pad(x, [[0, 0], [half, half], [half, half], [0, 0]]);
  const patches: tf.Tensor4D[] = [];
  for (let dy = 0; dy < kernel; dy++) {
    for (let dx = 0; dx < kernel; dx++) patches.push(tf.slice(padded, [0, dy, dx, 0], [batch, height, width, channels]));
  }
  // Column order (dy, dx, c) matches the kernel's [k, k, in, out] layout flattened to [k·k·in, out].
  const columns = tf.reshape(tf.concat(patches, 3), [batch * height * width, kernel * kernel * channels]) as tf.Tensor2D;
  const out = tf.matMul(columns, tf.reshape(p.w, [kernel * kernel * inChannels, outChannels]) as tf.Tensor2D);
  return tf.reshape(tf.add(out, p.b), [batch, height, width, outChannels]) as tf.Tensor4D;
}

/** 2×2 max-pooling with stride 2 through reshape and max (gradient available on every backend). */
export function maxPool2(x: tf.Tensor4D, size = 2): tf.Tensor4D {
  const [batch, height, width, channels] = x.shape;
  if (height % size !== 0 || width % size !== 0) throw new Error(`max-pool: ${height}×${width} is not divisible by ${size}`);
  const blocks = tf.reshape(x, [batch, height / size, size, width / size, size, channels]);
  return tf.max(blocks, [2, 4]) as tf.Tensor4D;
}

/** Number of scalar parameters in a list of variables. */
export function parameterCount(variables: readonly tf.Variable[]): number {
  return variables.reduce((sum, v) => sum + v.size, 0);
}
