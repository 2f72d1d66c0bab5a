import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { ModelRuntime } from '../../../src/core/model-runtime.js';
import { createModel } from '../../../src/registry/models.js';

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

/** Scores of query (entity 0, relation 0) against 2 entities of dim 2, tables zeroed then set by hand. */
async function scoresOf(model: string, tables: Record<string, number[]>): Promise<number[]> {
  // stored at its own width (the last argument): no zero columns (table-padding.ts), the tables as written here
  const runtime = await ModelRuntime.create(createModel(model, { dim: 2, numEntities: 2, numRelations: 1 }, 2));
  for (const table of runtime.store.tables()) table.data.array.fill(table.spec.name === 'curvature' ? 0.7 : 0);
  for (const [name, values] of Object.entries(tables)) runtime.store.table(name).data.array.set(values);
  const scorer = runtime.entityScorer();
  const scores = await scorer.scoreAll(Int32Array.of(0), Int32Array.of(0));
  scorer.dispose();
  return Array.from(scores);
}

describe('hyperbolic models on hand-computed values', () => {
  // With the head at the origin and zero translations, q = 0 and d_c(0, exp₀(t)) = (2/√c)·artanh(√c·tanh(√c‖t‖)/√c)
  // = 2‖t‖ for every curvature, so f = −4‖t‖² + b_h + b_t. Entity 1 is t = (0.3, 0.4), ‖t‖ = 0.5 → −1.
  it.each(['RotH', 'RefH', 'AttH', 'MuRP'])('%s: f(0, r, t) = −4‖t‖² + b_h + b_t for any curvature', async (model) => {
    const givens: Record<string, number[]> = model === 'MuRP' ? { scaling: [1, 1] } : model === 'AttH' ? { rotation: [1, 0], reflection: [1, 0] } : model === 'RotH' ? { rotation: [1, 0] } : { reflection: [1, 0] };
    const s = await scoresOf(model, { entity: [0, 0, 0.3, 0.4], headBias: [0.25, 0], tailBias: [0, -0.5], ...givens });
    expect(s[0]).toBeCloseTo(0.25, 4); // t = h = 0: distance 0, b_h only
    expect(s[1]).toBeCloseTo(-1 + 0.25 - 0.5, 4);
  });

  it('RotH: a translation by r moves the query to exp₀(r)', async () => {
    // h = 0, r₁ = 0, rotation identity, r₂ = (0.3, 0.4): q = exp₀(r₂) = exp₀(t) for t = entity 1 → distance 0.
    const s = await scoresOf('RotH', { entity: [0, 0, 0.3, 0.4], rotation: [1, 0], translation2: [0.3, 0.4] });
    expect(s[1]).toBeCloseTo(0, 4);
    expect(s[0]).toBeCloseTo(-1, 4); // back to the origin: −(2‖r₂‖)²
  });

  it('RotE: a 90° rotation then translation, scored by −‖q − t‖²', async () => {
    // h = (1, 0), rotation (0, 1) = 90°: Rot h = (0, 1); translation (0, 0.5) → q = (0, 1.5).
    // t = e0 = (1, 0): −(1 + 2.25) = −3.25; t = e1 = (0, 1): −0.25.
    const s = await scoresOf('RotE', { entity: [1, 0, 0, 1], rotation: [0, 1], translation: [0, 0.5] });
    expect(s[0]).toBeCloseTo(-3.25, 4);
    expect(s[1]).toBeCloseTo(-0.25, 4);
  });

  it('AttE: equal attention logits average the rotated and reflected heads', async () => {
    // context 0 → weights ½, ½. h = (1, 0); rotation (0, 1): (0, 1); reflection (1, 0): (1, 0)·G⁻ = (1, 0).
    // q = (0.5, 0.5); t = e1 = (0, 1): −(0.25 + 0.25) = −0.5.
    const s = await scoresOf('AttE', { entity: [1, 0, 0, 1], rotation: [0, 1], reflection: [1, 0] });
    expect(s[1]).toBeCloseTo(-0.5, 4);
  });
});
