// ModelEntityScorer's kernel path (the one-pass denseScores kernel) against the all-tfjs computation: similarityAll
// of the model's query against the entity table, plus the biases.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { similarityAll } from '../../src/core/similarity-tf.js';
import { ModelRuntime } from '../../src/core/model-runtime.js';
import { createModel } from '../../src/registry/models.js';
import { gatherQueryRows, rowsByName } from '../../src/core/query-rows.js';
import { expectClose, rng, uniform } from './helpers.js';

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

describe('ModelEntityScorer kernel path', () => {
  for (const name of ['RotH', 'AttH', 'TransE', 'RotE']) {
    it(`${name}: equals similarityAll + biases computed in tfjs`, async () => {
      const model = createModel(name, { dim: 8, numEntities: 23, numRelations: 3, initScale: 0.2 }); // away from the boundary, where the tfjs formula loses float32 digits
      const runtime = await ModelRuntime.create(model, 5);
      const r = rng(3);
      for (const t of runtime.store.tables()) if (t.spec.dim === 1) t.data.array.set(uniform(r, t.data.length, -0.5, 0.5));
      const entities = Int32Array.from({ length: 9 }, (_, i) => (i * 7) % 23);
      const relations = Int32Array.from({ length: 9 }, (_, i) => i % 6);
      const scorer = runtime.entityScorer();
      const got = await scorer.scoreAll(entities, relations);
      const tensor = scorer.scoreTensor(entities, relations);
      expect(Array.from(tensor.dataSync())).toEqual(Array.from(got));
      tensor.dispose();
      scorer.dispose();
      const table = runtime.store.table('entity');
      const want = tf.tidy(() => {
        const gathered = gatherQueryRows(model, runtime.store, entities, relations);
        const out = model.query(rowsByName(gathered.names, gathered.tensors));
        const tableT = tf.transpose(tf.tensor2d(table.data.array, [23, 8])) as tf.Tensor2D;
        let s = similarityAll(model.similarity, out.q, tableT, out.c);
        if (model.tailBiasTable) s = tf.add(s, tf.tensor2d(runtime.store.table(model.tailBiasTable).data.array, [1, 23]));
        if (out.offset) s = tf.add(s, out.offset);
        return s.dataSync() as Float32Array;
      });
      const scale = Math.max(1, ...Array.from(want, Math.abs));
      expectClose(got, want, 2e-5, 2e-5 * scale, name);
    });
  }
});
