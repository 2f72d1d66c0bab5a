/**
 * What every small network of the general module offers: logits plus named hidden-feature taps from one forward
 * pass, its trainable variables, and the shapes of its taps (so auxiliary classifiers, fusion and
 * self-distillation modules can be built on them). Inputs are flattened 8×8 images [B, 64] with values in [0, 1].
 */
import type * as tf from '@tensorflow/tfjs-core';

/** The outputs of one forward pass. */
export interface NetworkOutput {
  logits: tf.Tensor2D;
  /** Hidden features by tap name: stage outputs (shallow → deep) and `feature`, the penultimate representation. */
  taps: Record<string, tf.Tensor>;
}

/** A trainable classifier with named feature taps. */
export interface Network {
  readonly name: string;
  /** Stage taps, shallow → deep (where auxiliary classifiers and feature losses attach). */
  readonly stages: readonly string[];
  /** Shape of each tap without the batch dimension. */
  readonly tapShapes: Readonly<Record<string, readonly number[]>>;
  readonly classes: number;
  readonly variables: readonly tf.Variable[];
  /** The bias of the final classifier (detector-style heads re-initialise it to a prior). */
  readonly outputBias: tf.Variable;
  /** Forward pass on a batch [B, 64]. */
  apply(x: tf.Tensor2D): NetworkOutput;
  /** Frees the variables. */
  dispose(): void;
}

/** The name of the penultimate-feature tap every network has. */
export const FEATURE_TAP = 'feature';

/** Pixels per image side. */
export const IMAGE_SIDE = 8;
/** Pixels per image. */
export const IMAGE_PIXELS = IMAGE_SIDE * IMAGE_SIDE;

/** Disposes the variables of a network-like module. */
export function disposeVariables(variables: readonly tf.Variable[]): void {
  for (const v of variables) v.dispose();
}
