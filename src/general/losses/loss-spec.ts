/**
 * What a registered distillation loss is: a name, the paper and equation it implements, a zod schema of its
 * hyper-parameters (strict: unknown keys are errors; defaults filled in), and a builder that turns validated
 * hyper-parameters into a pure function of tfjs tensors returning a scalar. In the style of torchdistill, where
 * a run's configuration names its losses and their parameters and a registry builds them.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import type { RegistryEntry } from '../../core/registry.js';

/** A built loss: a pure function of named input tensors to a scalar. */
export type LossFn<I> = (inputs: I) => tf.Scalar;

/** One entry of the loss registry (name, one-line summary and parameter schema, as every registry entry). */
export interface LossSpec<I, P> extends RegistryEntry {
  /** The paper, with section. */
  readonly paper: string;
  /** The equation as implemented, in plain text. */
  readonly equation: string;
  /** Names of the input tensors the loss takes. */
  readonly inputs: readonly string[];
  readonly schema: z.ZodType<P, unknown>;
  build(params: P): LossFn<I>;
}

/** Declares a loss (identity function that fixes the spec's types). */
export function defineLoss<I, P>(spec: LossSpec<I, P>): LossSpec<I, P> {
  return spec;
}

/** Throws a clear error when a tensor does not have the expected rank or shape. */
export function requireShape(loss: string, input: string, tensor: tf.Tensor, rank: number, like?: { tensor: tf.Tensor; name: string }): void {
  if (tensor.rank !== rank) throw new Error(`loss '${loss}': input '${input}' must have rank ${rank}, got shape [${tensor.shape.join(', ')}]`);
  if (like && like.tensor.shape.join(',') !== tensor.shape.join(',')) {
    throw new Error(`loss '${loss}': input '${input}' has shape [${tensor.shape.join(', ')}], '${like.name}' has [${like.tensor.shape.join(', ')}]; they must match`);
  }
}
