/**
 * SimCLRv2's networks (Chen, Kornblith, Swersky, Norouzi & Hinton, "Big Self-Supervised Models are Strong
 * Semi-Supervised Learners", NeurIPS 2020, §2): an encoder f with a deeper projection head g (three layers:
 * two ReLU layers and a linear output), and the classifier that fine-tunes "from a middle layer of the projection
 * head": encoder → the head's first layer (with its ReLU) → a new linear layer, every weight trainable. The
 * fine-tuned classifier is a {@link Network}, so the module's training and accuracy functions apply to it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createNet, type Architecture, type NetSize } from '../nets/factory.js';
import { ParamFactory, denseForward, type DenseParams } from '../nets/params.js';
import { FEATURE_TAP, disposeVariables, type Network, type NetworkOutput } from '../nets/network.js';

/** A projection head of ReLU layers and a linear output, whose intermediate layers can be read. */
export class ProjectionHead {
  readonly variables: readonly tf.Variable[];
  readonly layers: readonly DenseParams[];

  constructor(readonly inWidth: number, readonly widths: readonly number[], readonly outWidth: number, seed: string) {
    const params = new ParamFactory(seed);
    let width = inWidth;
    const layers = widths.map((w) => {
      const layer = params.dense(width, w);
      width = w;
      return layer;
    });
    layers.push(params.dense(width, outWidth, 'lecun'));
    this.layers = layers;
    this.variables = params.variables;
  }

  /** The output of the first `depth` layers (ReLU after every layer but the last one of the head). */
  apply(feature: tf.Tensor2D, depth = this.layers.length): tf.Tensor2D {
    let h = feature;
    for (let i = 0; i < depth; i++) {
      h = denseForward(h, this.layers[i]!);
      if (i < this.layers.length - 1) h = tf.relu(h);
    }
    return h;
  }

  /** Frees the variables. */
  dispose(): void {
    disposeVariables(this.variables);
  }
}

/** Encoder plus projection head, trained with the contrastive loss. */
export interface ContrastiveModel {
  encoder: Network;
  head: ProjectionHead;
}

/** A contrastive model of an architecture and size with a 3-layer head (two hidden layers as wide as the feature). */
export function createContrastiveModel(arch: Architecture, size: NetSize, seed: string, projection: number): ContrastiveModel {
  const encoder = createNet(arch, size, seed);
  const width = encoder.tapShapes[FEATURE_TAP]![0]!;
  return { encoder, head: new ProjectionHead(width, [width, width], projection, `${seed}:projection`) };
}

/** The projection z = g(f(x)). */
export function project(model: ContrastiveModel, x: tf.Tensor2D): tf.Tensor2D {
  return model.head.apply(model.encoder.apply(x).taps[FEATURE_TAP] as tf.Tensor2D);
}

/** The classifier fine-tuned from layer `depth` of a pre-trained model's head (0: from the encoder output). */
export class FineTunedNet implements Network {
  readonly name: string;
  readonly stages: readonly string[] = [];
  readonly tapShapes: Record<string, readonly number[]>;
  readonly variables: readonly tf.Variable[];
  private readonly encoder: Network;
  private readonly headLayers: DenseParams[];
  private readonly output: DenseParams;

  /** Copies the pre-trained weights (the source stays untouched) and adds a fresh linear output layer. */
  constructor(source: ContrastiveModel, arch: Architecture, size: NetSize, readonly depth: number, readonly classes: number, seed: string) {
    if (depth < 0 || depth >= source.head.layers.length) throw new Error(`fine-tuning depth ${depth} is not a hidden layer of a ${source.head.layers.length}-layer head`);
    this.name = `${arch}-${size}-finetuned@${depth}`;
    this.encoder = createNet(arch, size, `${seed}:copy`);
    source.encoder.variables.forEach((v, i) => this.encoder.variables[i]!.assign(v));
    const params = new ParamFactory(seed);
    let width = source.head.inWidth;
    this.headLayers = source.head.layers.slice(0, depth).map((layer) => {
      const copy = params.dense(layer.w.shape[0]!, layer.w.shape[1]!);
      copy.w.assign(layer.w);
      copy.b.assign(layer.b);
      width = layer.w.shape[1]!;
      return copy;
    });
    this.output = params.dense(width, classes, 'lecun');
    this.variables = [...this.encoder.variables, ...params.variables];
    this.tapShapes = { [FEATURE_TAP]: [width] };
  }

  /** Logits from the encoder, the kept head layers and the new output layer. */
  apply(x: tf.Tensor2D): NetworkOutput {
    let h = this.encoder.apply(x).taps[FEATURE_TAP] as tf.Tensor2D;
    for (const layer of this.headLayers) h = tf.relu(denseForward(h, layer));
    return { logits: denseForward(h, this.output), taps: { [FEATURE_TAP]: h } };
  }

  /** The output layer's bias. */
  get outputBias(): tf.Variable {
    return this.output.b;
  }

  /** Frees the variables. */
  dispose(): void {
    this.encoder.dispose();
    disposeVariables(this.variables.slice(this.encoder.variables.length));
  }
}
