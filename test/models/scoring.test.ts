import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { ModelRuntime } from '../../src/core/model-runtime.js';
import { createModel } from '../../src/registry/models.js';

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

/** Scores of query (entity 0, relation 0) against both entities, with tables set by hand. */
async function scoresOf(model: string, dim: number, tables: Record<string, number[]>, options: Record<string, number> = {}): Promise<number[]> {
  // stored at its own width (the last argument): no zero columns (table-padding.ts), the tables as written here
  const runtime = await ModelRuntime.create(createModel(model, { dim, numEntities: 2, numRelations: 1, ...options }, dim));
  for (const [name, values] of Object.entries(tables)) {
    const table = runtime.store.table(name);
    table.data.array.fill(0);
    table.data.array.set(values);
  }
  const scorer = runtime.entityScorer();
  const scores = await scorer.scoreAll(Int32Array.of(0), Int32Array.of(0));
  scorer.dispose();
  return Array.from(scores);
}

describe('scoring functions on hand-computed values', () => {
  it('DistMult: ⟨h, r, t⟩', async () => {
    // h = e0 = [1, 2], r = [3, 4]; t = e1 = [5, 6]: 1·3·5 + 2·4·6 = 63; t = e0: 1·3·1 + 2·4·2 = 19.
    const s = await scoresOf('DistMult', 2, { entity: [1, 2, 5, 6], relation: [3, 4] });
    expect(s[0]).toBeCloseTo(19, 4);
    expect(s[1]).toBeCloseTo(63, 4);
  });

  it('TransE (norm 2): −‖h + r − t‖₂', async () => {
    // h = [1, 2], r = [0.5, −1] → q = [1.5, 1]; t = e1 = [1, 1]: −‖[0.5, 0]‖ = −0.5; t = e0: −‖[0.5, −1]‖ = −√1.25.
    const s = await scoresOf('TransE', 2, { entity: [1, 2, 1, 1], relation: [0.5, -1] }, { norm: 2 });
    expect(s[0]).toBeCloseTo(-Math.sqrt(1.25), 4);
    expect(s[1]).toBeCloseTo(-0.5, 4);
  });

  it('TransE (default, norm 1): −‖h + r − t‖₁, by the kernels (d = 4) and by tfjs (d = 2)', async () => {
    // d = 2: h = [1, 2], r = [0.5, −1] → q = [1.5, 1]; t = e0 = [1, 2]: −(0.5 + 1) = −1.5; t = e1 = [1, 1]: −0.5.
    const s = await scoresOf('TransE', 2, { entity: [1, 2, 1, 1], relation: [0.5, -1] });
    expect(s[0]).toBeCloseTo(-1.5, 6);
    expect(s[1]).toBeCloseTo(-0.5, 6);
    // d = 4: q = [1, 2, 3, 4] + [0.5, −1, 0, 2] = [1.5, 1, 3, 6]; t = e1 = [0, 0, 3, −1]: −(1.5 + 1 + 0 + 7) = −9.5.
    const k = await scoresOf('TransE', 4, { entity: [1, 2, 3, 4, 0, 0, 3, -1], relation: [0.5, -1, 0, 2] });
    expect(k[0]).toBeCloseTo(-(0.5 + 1 + 0 + 2), 6);
    expect(k[1]).toBeCloseTo(-9.5, 6);
  });

  it('ComplEx: Re(⟨h, r, t̄⟩)', async () => {
    // h = 1 + 2i, r = 3 + 4i: hr = −5 + 10i. t = 5 + 6i: Re((−5 + 10i)(5 − 6i)) = −25 + 60 = 35.
    // t = h = 1 + 2i: Re((−5 + 10i)(1 − 2i)) = −5 + 20 = 15.
    const s = await scoresOf('ComplEx', 2, { entity: [1, 2, 5, 6], relation: [3, 4] });
    expect(s[0]).toBeCloseTo(15, 4);
    expect(s[1]).toBeCloseTo(35, 4);
  });

  it('RotatE: −‖h ∘ e^{iθ} − t‖', async () => {
    // h = 1 + 0i rotated by θ = π/2 is i; t = e1 = 0 + 1i → 0; t = e0 = 1 + 0i → −‖(−1, 1)‖ = −√2.
    const s = await scoresOf('RotatE', 2, { entity: [1, 0, 0, 1], phase: [Math.PI / 2] });
    expect(s[0]).toBeCloseTo(-Math.SQRT2, 4);
    expect(Math.abs(s[1]!)).toBeLessThan(1e-3); // the sqrt floor of 1e-12 keeps this at −1e-6
  });

  // d = 4, rows [Re | Im]: h = e0 = (1, 2i), θ = (π/2, π) → q = (i, −2i); t = e1 = (0, 3 + 2i): Δ = (i, −3 − 4i),
  // moduli 1 and 5 → −6 (norm 1), −√26 (norm 2); t = e0: Δ = (−1 + i, −4i), moduli √2 and 4 → −(√2 + 4), −√18.
  // d = 6: a third coordinate, h₃ = 0 (θ₃ = 0), t₃ = 1: modulus 1 more against e1 → −7, −√27; e0 unchanged.
  it.each([
    { dim: 4, entity: [1, 0, 0, 2, 0, 3, 0, 2], phase: [Math.PI / 2, Math.PI], norm1: [-(Math.SQRT2 + 4), -6], norm2: [-Math.sqrt(18), -Math.sqrt(26)] },
    { dim: 6, entity: [1, 0, 0, 0, 2, 0, 0, 3, 1, 0, 2, 0], phase: [Math.PI / 2, Math.PI, 0], norm1: [-(Math.SQRT2 + 4), -7], norm2: [-Math.sqrt(18), -Math.sqrt(27)] },
  ])('RotatE d = $dim: −Σᵢ|(h ∘ r − t)ᵢ| (norm 1), −‖h ∘ r − t‖₂ (norm 2, the default)', async ({ dim, entity, phase, norm1, norm2 }) => {
    const tables = { entity, phase };
    const scores = [await scoresOf('RotatE', dim, tables, { norm: 1 }), await scoresOf('RotatE', dim, tables, { norm: 2 })];
    [norm1, norm2].forEach((want, n) => want.forEach((w, j) => expect(scores[n]![j]).toBeCloseTo(w, 5)));
    expect(await scoresOf('RotatE', dim, tables)).toEqual(scores[1]);
  });

  it('rejects unknown models and odd dimensions for complex models', () => {
    expect(() => createModel('NoSuchModel', { dim: 4, numEntities: 2, numRelations: 1 })).toThrow(/unknown model 'NoSuchModel'; known models: .*DistMult/);
    expect(() => createModel('ComplEx', { dim: 3, numEntities: 2, numRelations: 1 })).toThrow(/dim must be even/);
  });
});
