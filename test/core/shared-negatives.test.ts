// PyTorch-BigGraph's chunked negatives (--shared-neg c): c consecutive queries share one draw of negatives. The draws
// themselves (hand-checked layout, one stream draw per chunk), the fused step equal to the hybrid step with them, and
// the settings that cannot go together.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { drawGoldFirst } from '../../src/core/negative-sampler.js';
import { SeededRandom } from '../../src/core/random.js';
import { checkSampledLoss, type NegativeSamplingSettings, type QueryBatch } from '../../src/core/batch.js';
import { ModelRuntime } from '../../src/core/model-runtime.js';
import { kgeObjective } from '../../src/core/kge-objective.js';
import type { KgeModel } from '../../src/core/model.js';
import { createModel } from '../../src/registry/models.js';

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

describe('drawGoldFirst with shared negatives', () => {
  it('chunks of 3 over 7 queries: gold first, one draw per chunk, the last chunk short', () => {
    const answers = [10, 11, 12, 13, 14, 15, 16], N = 4, M = 1 + N;
    const shared = drawGoldFirst(answers, N, 1000, new SeededRandom(5), undefined, 3);
    const rows = Array.from({ length: 7 }, (_, b) => Array.from(shared.subarray(b * M, (b + 1) * M)));
    rows.forEach((row, b) => expect(row[0]).toBe(answers[b]));
    for (const [a, b] of [[0, 1], [0, 2], [3, 4], [3, 5]]) expect(rows[b]!.slice(1)).toEqual(rows[a]!.slice(1));
    expect(rows[3]!.slice(1)).not.toEqual(rows[0]!.slice(1));
    expect(rows[6]!.slice(1)).not.toEqual(rows[3]!.slice(1));
    // the chunks' draws are three draws of N from the same stream, in chunk order
    const rng = new SeededRandom(5);
    const want = new Int32Array(3 * N);
    for (let chunk = 0; chunk < 3; chunk++) rng.fillInts(want, 1000, chunk * N, (chunk + 1) * N);
    expect([...rows[0]!.slice(1), ...rows[3]!.slice(1), ...rows[6]!.slice(1)]).toEqual(Array.from(want));
    // one query a chunk is the per-query draw
    expect(Array.from(drawGoldFirst(answers, N, 1000, new SeededRandom(5), undefined, 1))).toEqual(Array.from(drawGoldFirst(answers, N, 1000, new SeededRandom(5))));
  });

  it('cannot go with double negatives', () => {
    const settings: NegativeSamplingSettings = { negatives: 5, doubleNegatives: true, sharedNegatives: 4, regularizer: 'none', regularizerWeight: 0 };
    expect(() => checkSampledLoss(settings)).toThrow(/shared negatives .* cannot be used with double negatives/);
  });
});

describe('the fused step with shared negatives', () => {
  const E = 80, R = 3;
  const batch: QueryBatch = (() => {
    const rng = new SeededRandom(3);
    const ids = (n: number) => Int32Array.from({ length: 130 }, () => rng.int(n));
    return { entities: ids(E), relations: ids(2 * R), answers: ids(E) };
  })();

  it.each(['DistMult', 'RotH'])('%s: equals the hybrid (tfjs query) step, and differs from per-query negatives', async (name) => {
    const run = async (hybrid: boolean, sharedNegatives: number) => {
      const model = createModel(name, { dim: 8, numEntities: E, numRelations: R, initScale: 0.2 });
      const runtime = await ModelRuntime.create(hybrid ? Object.create(model, { fusedQuery: { value: undefined } }) as KgeModel : model, 4);
      const objective = kgeObjective(runtime, { negatives: 6, doubleNegatives: false, sharedNegatives, regularizer: 'none', regularizerWeight: 0, path: 'fused' }, 'wasm');
      const loss = objective.gradients(batch, 1, new SeededRandom('shared'));
      return { loss, grad: Array.from(runtime.store.table('entity').grad.array) };
    };
    const fused = await run(false, 16), hybrid = await run(true, 16), perQuery = await run(false, 1);
    expect(Math.abs(fused.loss - hybrid.loss)).toBeLessThan(1e-5 * hybrid.loss);
    const scale = Math.max(...hybrid.grad.map(Math.abs));
    fused.grad.forEach((g, i) => expect(Math.abs(g - hybrid.grad[i]!)).toBeLessThanOrEqual(1e-4 * scale));
    // other candidates, so other entity rows receive gradient
    expect(Math.max(...fused.grad.map((g, i) => Math.abs(g - perQuery.grad[i]!)))).toBeGreaterThan(0.01 * scale); // float noise is 1e-4·scale
  });
});
