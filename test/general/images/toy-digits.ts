// Shared helpers of the general-distillation tests: a separable toy image set in the digits format, 2-D tensors
// from rows, and the value of a scalar-valued computation.
import * as tf from '@tensorflow/tfjs';
import { SeededRandom } from '../../../src/core/random.js';
import type { ImageSet } from '../../../src/general/images/data/digits.js';

/** 10 classes × perClass 8×8 images; class c lights pixel c on seeded noise of amplitude `noise`. */
export function toyDigits(perClass: number, seed: number, noise = 0.1): ImageSet {
  const rng = new SeededRandom(seed);
  const n = perClass * 10;
  const x = new Float32Array(n * 64);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 10;
    for (let j = 0; j < 64; j++) x[i * 64 + j] = noise * rng.next();
    x[i * 64 + y[i]!] = 1;
  }
  return { x, y, n, classes: 10 };
}

/** A [rows × cols] tensor from nested arrays. */
export const t2 = (rows: number[][]): tf.Tensor2D => tf.tensor2d(rows);

/** The number a scalar-valued computation yields (its tensors disposed). */
export const value = (f: () => tf.Scalar): number => tf.tidy(() => f().dataSync()[0]!);
