import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { ModelRuntime } from '../../src/core/model-runtime.js';
import { SeededRandom } from '../../src/core/random.js';
import { createModel } from '../../src/registry/models.js';

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

describe('ModelRuntime.scoreCandidates (no gradient): forward-only kernels and tfjs give the all-entity scores', () => {
  it.each(['RotH', 'AttH', 'RefH', 'DistMult', 'TransE'])('%s', async (name) => {
    const N = 50;
    const runtime = await ModelRuntime.create(createModel(name, { dim: 8, numEntities: N, numRelations: 3 }), 4);
    const rng = new SeededRandom(`cand:${name}`);
    for (const table of runtime.store.tables()) {
      if (table.spec.name === 'curvature') continue;
      for (let i = 0; i < table.data.length; i++) table.data.array[i] = 0.4 * (rng.next() - 0.5);
    }
    const entities = Int32Array.of(0, 7, 49, 3), relations = Int32Array.of(0, 2, 4, 5);
    const M = 6;
    const ids = Int32Array.from({ length: entities.length * M }, (_, i) => (11 * i + 5) % N);
    const scorer = runtime.entityScorer();
    const all = scorer.scoreAllSync(entities, relations);
    scorer.dispose();
    for (const backend of ['wasm', 'tensorflow']) { // 'tensorflow' makes the core take the tfjs path (on wasm here)
      const got = runtime.scoreCandidates(entities, relations, { ids, perQuery: M }, backend);
      for (let b = 0; b < entities.length; b++) {
        for (let m = 0; m < M; m++) expect(got[b * M + m]).toBeCloseTo(all[b * N + ids[b * M + m]!]!, 4);
      }
    }
  });
});
