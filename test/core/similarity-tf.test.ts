// The tfjs similarities of sampled pairs (similarityPairs) against float64 values computed by hand, where the
// dot-product form x2 + v2 − 2·xv would cancel: a candidate close to a query of large norm.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { similarityPairs } from '../../src/core/similarity-tf.js';

describe('similarityPairs: Euclidean distances of close pairs at large norms', () => {
  // d = 8, every q_i = 750 (TransE: h_i = 500 + i, r_i = 250 − i); candidate 0 = q ± 0.01 (alternating signs),
  // candidate 1 = q + 1 in every coordinate. ‖q − v₀‖ = √(8·1e-4) = 0.0282843, ‖q − v₁‖ = √8 = 2.8284271.
  const d = 8;
  const q = Array.from({ length: d }, () => 750);
  const near = q.map((x, i) => x + (i % 2 === 0 ? 0.01 : -0.01));
  const far = q.map((x) => x + 1);

  it('the squared and plain distances agree with float64 to float32 accuracy, and the near pair gets its gradient', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    const qT = tf.tensor2d(q, [1, d]);
    const candT = tf.tensor3d([...near, ...far], [1, 2, d]);
    const eucl = similarityPairs('negEuclidean', qT, candT).arraySync()[0]!;
    const sq = similarityPairs('negSqEuclidean', qT, candT).arraySync()[0]!;
    // float32 stores 750 ± 0.01 as 750.010009765625 / 749.989990234375: |Δ| = 0.010009765625 in every coordinate
    const deltaNear = Math.fround(750.01) - 750;
    const expectedNear = Math.sqrt(8 * deltaNear * deltaNear);
    expect(eucl[0]!).toBeCloseTo(-expectedNear, 6);
    expect(eucl[1]!).toBeCloseTo(-Math.sqrt(8), 5);
    expect(sq[0]!).toBeCloseTo(-8 * deltaNear * deltaNear, 8);
    expect(sq[1]!).toBeCloseTo(-8, 4);
    // ∂s₀/∂v₀ = (q − v₀)/‖q − v₀‖ = ∓1/√8 per coordinate (was exactly 0 through x2 + v2 − 2·xv)
    const grad = tf.grad((c: tf.Tensor) => tf.sum(tf.slice(similarityPairs('negEuclidean', qT, c as tf.Tensor3D), [0, 0], [1, 1])))(candT);
    const g = (grad.arraySync() as number[][][])[0]![0]!;
    g.forEach((value, i) => expect(value).toBeCloseTo((i % 2 === 0 ? -1 : 1) / Math.sqrt(8), 4));
    tf.dispose([qT, candT, grad]);
  });
});
