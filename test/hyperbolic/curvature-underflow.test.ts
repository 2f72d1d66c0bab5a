// A relation curvature c = softplus(c₀) that underflows to 0 (c₀ < −104, a finite parameter: a diverged run, or a
// checkpoint) or runs past MAX_CURVATURE: the models' query hands out c clamped to [MIN_CURVATURE, MAX_CURVATURE]
// (shared-tables.ts curvatureOf, by guards.ts clampCurvature), as every ball function already clamps it, so the
// all-entity scores (the denseScores kernel: validation, eval, predict --tail, serve) and the scorer's top-K are
// those of the clamped curvature instead of the kernel's "curvature c[1] = 0 must be finite and > 0".
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { ModelRuntime } from '../../src/core/model-runtime.js';
import { createModel } from '../../src/registry/models.js';
import { gatherQueryRows, rowsByName } from '../../src/core/query-rows.js';
import { similarityForwardRef } from '../../src/kernels/reference.js';
import { SimilarityKind } from '../../src/kernels/kernels.js';
import { MAX_CURVATURE, MIN_CURVATURE } from '../../src/hyperbolic/index.js';

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

const N = 23, d = 8;

describe('a curvature outside [MIN_CURVATURE, MAX_CURVATURE] is clamped for all-entity scoring', () => {
  for (const name of ['RotH', 'RefH', 'AttH', 'MuRP']) {
    it(`${name}: c₀ = −1000 (softplus 0) and c₀ = 1e9 score as the clamped curvature, on the kernel path`, async () => {
      const model = createModel(name, { dim: d, numEntities: N, numRelations: 3, initScale: 0.2 });
      const runtime = await ModelRuntime.create(model, 5);
      const curvature = runtime.store.table('curvature').data.array;
      curvature[1] = -1000; // softplus(−1000) = 0 in float32 and float64
      curvature[2] = 1e9;
      const entities = Int32Array.from({ length: 9 }, (_, i) => (i * 7) % N);
      const relations = Int32Array.from({ length: 9 }, (_, i) => i % 6);
      const { c, q, offset } = tf.tidy(() => {
        const gathered = gatherQueryRows(model, runtime.store, entities, relations);
        const out = model.query(rowsByName(gathered.names, gathered.tensors));
        return { c: Array.from(out.c!.dataSync()), q: out.q.dataSync() as Float32Array, offset: out.offset!.dataSync() as Float32Array };
      });
      // the float64 reference at the raw softplus clamped here, explicitly (tfjs's float32 formula loses digits at c = 1e-7)
      const B = entities.length;
      const clamped = Array.from(relations, (r) => Math.min(Math.max(Math.log1p(Math.exp(curvature[r]!)), MIN_CURVATURE), MAX_CURVATURE));
      const all = Int32Array.from({ length: B * N }, (_, i) => i % N);
      const s64 = similarityForwardRef(SimilarityKind.NegSqPoincare, B, N, d, q, all, runtime.store.table('entity').data.array, clamped);
      const tailBias = runtime.store.table(model.tailBiasTable!).data.array;
      const want = Float64Array.from(s64, (v, i) => v + tailBias[i % N]! + offset[Math.floor(i / N)]!);
      const scorer = runtime.entityScorer();
      const got = scorer.scoreAllSync(entities, relations); // threw "kernels.denseScores: curvature c[1] = 0 …"
      for (const v of got) expect(Number.isFinite(v)).toBe(true);
      const scale = Math.max(1, ...Array.from(want, Math.abs));
      want.forEach((w, i) => expect(Math.abs(got[i]! - w), `score ${i}`).toBeLessThan(2e-5 * scale));
      const top = scorer.topKSync(entities, relations, 3); // threw "kernels.poincareEntityTerms: curvature 0 …"
      expect(top.length).toBe(27);
      for (const id of top) expect(id >= 0 && id < N).toBe(true);
      scorer.dispose();
      relations.forEach((r, b) => {
        if (r === 1) expect(c[b]).toBe(Math.fround(MIN_CURVATURE));
        else if (r === 2) expect(c[b]).toBe(Math.fround(MAX_CURVATURE));
        else expect(c[b]).toBeCloseTo(Math.log1p(Math.E), 6);
      });
    });
  }
});
