/**
 * The tfjs distance oracle (ball-oracles.ts: the uncapped asinh form of d_c) against production's Poincaré score
 * s = −d_c(q, exp₀(v))²: the fused kernel (src/kernels/assembly/poincare.ts) and its tfjs path
 * (src/core/similarity-tf.ts). Production caps artanh at z = √c‖(−q) ⊕ y‖ ≤ 1 − 1e-5 (as KGEmb); the oracle has
 * no cap. Inside the cap all three agree; past it production stops at the cap and the oracle does not.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as H from '../../src/hyperbolic/index.js';
import { similarityPairs } from '../../src/core/similarity-tf.js';
import { loadKernels, SimilarityKind, type Kernels } from '../../src/kernels/kernels.js';
import { f32, i32 } from '../kernels/helpers.js';
import * as O from './ball-oracles.js';
import { ballRows, rng, uniform, vectorOfNorm } from './helpers.js';
import * as R from './reference64.js';
import type { Mat } from './reference64.js';

let k: Kernels;
beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  k = await loadKernels();
});
beforeEach(() => k.memory.reset());

/** The three d² of each pair (q_b, exp₀(v_b)) at curvature c_b: oracle, tfjs path, kernel (float32 each). */
function threeWays(q: Mat, v: Mat, cs: number[]): { oracle: number[]; tfjs: number[]; kernel: number[] } {
  const B = q.length;
  const d = q[0]!.length;
  const [oracle, tfjs] = tf.tidy(() => {
    const qt = tf.tensor2d(q);
    const vt = tf.tensor2d(v);
    const ct = tf.tensor2d(cs, [B, 1]);
    const o = O.sqPoincareDistance(qt, H.expmap0(vt, ct), ct);
    const s = similarityPairs('negSqPoincare', qt, tf.reshape(vt, [B, 1, d]) as tf.Tensor3D, ct);
    return [Array.from(o.dataSync()), Array.from(s.dataSync(), (x) => -x)];
  });
  const out = f32(k, new Array(B).fill(0));
  k.similarityForward(SimilarityKind.NegSqPoincare, B, 1, d, f32(k, q.flat()), i32(k, q.map((_, b) => b)),
    f32(k, v.flat()), f32(k, cs), out);
  return { oracle: oracle!, tfjs: tfjs!, kernel: Array.from(out.array, (x) => -x) };
}

/** z = √c‖(−q) ⊕ y‖, y = tanh(√c‖v‖)·v/(√c‖v‖), in float64, unprojected as production's: what its artanh caps. */
function zOf(q: R.Vec, v: R.Vec, c: number): number {
  const t = Math.sqrt(c) * R.norm(v);
  const y = t === 0 ? v : R.scale(v, Math.tanh(t) / t);
  return Math.sqrt(c) * R.norm(R.mobiusAddRaw(R.neg(q), y, c));
}

describe('the distance oracle against production (kernel and tfjs path)', () => {
  it('agree inside the artanh cap (√c‖q‖ ≤ 0.9, √c‖v‖ ≤ 2, z ≤ 0.99)', () => {
    const rand = rng(8128);
    const B = 24;
    const d = 8;
    const cs = uniform(rand, B, 0.3, 2);
    const q = ballRows(rand, d, uniform(rand, B, 0, 0.9), cs);
    const v = cs.map((c) => vectorOfNorm(rand, d, (2 * rand()) / Math.sqrt(c)));
    q[0] = v[0]!.map(() => 0); // q at the origin
    v[1] = q[1]!.map(() => 0); // v at the origin
    const z = q.map((qb, b) => zOf(qb, v[b]!, cs[b]!));
    expect(Math.max(...z)).toBeLessThan(0.99);
    expect(Math.max(...z)).toBeGreaterThan(0.8); // the sample does reach far pairs
    const { oracle, tfjs, kernel } = threeWays(q, v, cs);
    oracle.forEach((o, b) => {
      // float32 each (measured: within 1.6e-6 relative), and an absolute floor for the near-zero pairs
      const tol = 2e-5 * o + 1e-6;
      expect(Math.abs(tfjs[b]! - o), `tfjs row ${b} (z = ${z[b]!.toFixed(4)})`).toBeLessThan(tol);
      expect(Math.abs(kernel[b]! - o), `kernel row ${b} (z = ${z[b]!.toFixed(4)})`).toBeLessThan(tol);
    });
  });

  it('past the cap production stops at (2·artanh(1 − 1e-5))²/c and the oracle goes on', () => {
    // q and exp₀(v) on opposite sides near the boundary: z is 1 − O(1e-7) (float32 reaches 1), d ≈ 2·12.2/√c
    const c = [1, 0.5];
    const q = [[0.999, 0, 0, 0], [0, -0.999 * Math.SQRT2, 0, 0]]; // √c‖q‖ = 0.999
    const v = [[-8, 0, 0, 0], [0, 8 * Math.SQRT2, 0, 0]]; // √c‖v‖ = 8: exp₀(v) at the projection radius
    q.forEach((qb, b) => expect(zOf(qb, v[b]!, c[b]!)).toBeGreaterThan(1 - 1e-5));
    const { oracle, tfjs, kernel } = threeWays(q, v, c);
    const Z = Math.fround(1 - 1e-5);
    c.forEach((cb, b) => {
      const cap = Math.log((1 + Z) / (1 - Z)) ** 2 / cb; // ≈ 148.95/c
      expect(Math.abs(kernel[b]! - cap) / cap, `kernel row ${b}`).toBeLessThan(1e-4);
      expect(Math.abs(tfjs[b]! - cap) / cap, `tfjs row ${b}`).toBeLessThan(1e-3);
      expect(oracle[b]!, `oracle row ${b}`).toBeGreaterThan(1.2 * cap);
      // the oracle's value is the true distance of the float32 points (float64 reference, exp₀ projected as H's)
      const y = R.expmap0(v[b]!.map(Math.fround), cb).map(Math.fround);
      const ref = R.sqDistance(q[b]!.map(Math.fround), y, cb);
      expect(Math.abs(oracle[b]! - ref) / ref, `oracle vs float64 row ${b}`).toBeLessThan(1e-2);
    });
  });
});
