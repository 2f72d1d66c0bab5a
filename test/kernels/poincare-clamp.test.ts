// Past the artanh clamp (z = √c‖(−q) ⊕ y‖ > 1 − 1e-5) the score is capped, and its gradient is KGEmb's straight-
// through one (artanh' at the clamp times the true dz) in all three: the fused kernel, the float64 reference and
// tfjs autodiff of similarityPairs (whose tf.minimum gave 0 there).
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { loadKernels, SimilarityKind, type Kernels } from '../../src/kernels/kernels.js';
import { similarityBackwardRef, similarityForwardRef } from '../../src/kernels/reference.js';
import { similarityPairs } from '../../src/core/similarity-tf.js';
import { expectClose, f32, i32 } from './helpers.js';

let k: Kernels;
beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  k = await loadKernels();
});
beforeEach(() => k.memory.reset());

describe('a Poincaré pair past the artanh clamp', () => {
  it('q = (0.99, 0, 0, 0), candidate (−6, 0, 0, 0), c = 1: capped score, and a gradient that still pulls', () => {
    const d = 4, B = 1, M = 1;
    const q = [0.99, 0, 0, 0], table = [-6, 0, 0, 0], c = [1], dscore = [1];
    const ref = similarityForwardRef(SimilarityKind.NegSqPoincare, B, M, d, q, [0], table, c);
    // the cap: d = 2·artanh(Z) = log((1 + Z)/(1 − Z)) ≈ 12.205 with Z = f32(1 − 1e-5), s = −d² ≈ −148.95
    const Z = Math.fround(1 - 1e-5);
    expect(ref[0]!).toBeCloseTo(-(Math.log((1 + Z) / (1 - Z)) ** 2), 6);
    const back = similarityBackwardRef(SimilarityKind.NegSqPoincare, B, M, d, q, [0], table, c, dscore);
    expect(back.dq[0]!).toBeLessThan(-1); // the true pull on q, not 0
    expect(back.gtable[0]!).toBeGreaterThan(0.01);

    const dq = f32(k, [0, 0, 0, 0]), gt = f32(k, [0, 0, 0, 0]), dc = f32(k, [0]);
    k.similarityBackward(SimilarityKind.NegSqPoincare, B, M, d, f32(k, q), i32(k, [0]), f32(k, table), f32(k, c), f32(k, dscore), dq, gt, dc);
    expectClose(dq.array, back.dq, 1e-4, 1e-5, 'kernel dq vs float64');
    expectClose(gt.array, back.gtable, 1e-4, 1e-5, 'kernel gtable vs float64');

    const [gq, gcand] = tf.tidy(() => {
      const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(similarityPairs('negSqPoincare', a as tf.Tensor2D, b as tf.Tensor3D, tf.tensor2d(c, [1, 1]))));
      return grads([tf.tensor2d(q, [1, d]), tf.tensor3d(table, [1, 1, d])]).map((t) => t.dataSync() as Float32Array);
    });
    // tfjs's float32 formula through ‖q‖², q·y loses digits this near the edge (1 − ‖q‖² ≈ 0.02): within 2%
    expectClose(gq!, back.dq, 2e-2, 1e-4, 'tfjs dq vs float64');
    expectClose(gcand!, back.gtable, 2e-2, 1e-4, 'tfjs dcand vs float64');
  });
});
