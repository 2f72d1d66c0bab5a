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
import { MAX_CURVATURE, MIN_CURVATURE } from '../../src/hyperbolic/index.js';
import { loadKernels, SimilarityKind, type Kernels } from '../../src/kernels/kernels.js';
import { QueryExecutor } from '../../src/kernels/query-program.js';
import { mulberry32 } from '../../src/core/random.js';

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

// The fused query programs (src/kernels/query-program.ts) form the same clamped c: `c = clampCurvature(c0)` after
// `c0 = softplus(curvature)`. Without it softplus(−1000) was 0 in the kernel's scalar tail and ~1.6e-38 in its SIMD
// lanes, and softplus(1e9) = 1e9: the c the fused candidate scoring (and the top-K) read disagreed with the tfjs
// query's, and a 0 reached kernels that require c > 0.
describe('the fused query programs clamp the curvature as the tfjs query does', () => {
  let k: Kernels;
  beforeAll(async () => {
    k = await loadKernels();
  });

  for (const name of ['RotH', 'RefH', 'AttH', 'MuRP']) {
    for (const B of [5, 8]) { // 5 rows: four SIMD lanes and a scalar tail (row 4 is c₀ = −1000); 8: SIMD only
      it(`${name}: c₀ = −1000 and 1e9, ${B} rows: the program's c and q equal the tfjs query's, scores finite and equal`, () => {
        k.memory.reset();
        const model = createModel(name, { dim: d, numEntities: N, numRelations: 3, initScale: 0.2 });
        const r = mulberry32(B * 31 + name.length);
        const widths = Object.fromEntries(model.queryTables.map((t) => [t, model.tables.find((s) => s.name === t)!.dim]));
        const rows: Record<string, number[]> = {};
        for (const t of model.queryTables) {
          rows[t] = t === 'curvature'
            ? Array.from({ length: B }, (_, b) => [0.5, -1000, 1e9][b % 3]!)
            : Array.from({ length: B * widths[t]! }, () => 0.4 * (r() - 0.5));
        }
        const ex = new QueryExecutor(k, model.fusedQuery!, widths);
        ex.reserve(B);
        for (const t of model.queryTables) ex.input(t).array.set(rows[t]!);
        ex.forward(B);
        const c = Array.from(ex.output('c')!.array.subarray(0, B));
        const q = Array.from(ex.output('q')!.array.subarray(0, B * d));
        const want = tf.tidy(() => {
          const out = model.query(Object.fromEntries(model.queryTables.map((t) => [t, tf.tensor2d(rows[t]!, [B, widths[t]!])])));
          return { c: Array.from(out.c!.dataSync()), q: Array.from(out.q.dataSync()) };
        });
        want.c.forEach((w, b) => {
          expect([Math.fround(MIN_CURVATURE), Math.fround(Math.log1p(Math.exp(0.5))), Math.fround(MAX_CURVATURE)]).toContain(w);
          expect(Math.abs(c[b]! - w), `c[${b}] = ${c[b]} (tfjs ${w})`).toBeLessThanOrEqual(2e-7 * w);
        });
        for (let b = 0; b < B; b++) {
          const qb = q.slice(b * d, b * d + d), wb = want.q.slice(b * d, b * d + d);
          const scale = Math.max(...wb.map(Math.abs));
          qb.forEach((v, j) => expect(Math.abs(v - wb[j]!), `q[${b}][${j}]`).toBeLessThanOrEqual(2e-6 * scale));
        }
        // the fused candidate scores (poincareScores at the program's q and c) against the float64 reference at the tfjs query's
        const M = 6;
        const entity = Float32Array.from({ length: N * d }, () => 0.2 * (r() - 0.5));
        const cand = Int32Array.from({ length: B * M }, (_, i) => (i * 5 + 3) % N);
        const candBlock = k.memory.allocI32(B * M), table = k.memory.allocF32(N * d);
        candBlock.array.set(cand);
        table.array.set(entity);
        const scores = k.memory.allocF32(B * M), partials = k.memory.allocF32(4 * B * M);
        k.fused.poincareScores(B, M, d, ex.output('q')!, candBlock, table, ex.output('c')!, scores, partials);
        const got = Array.from(scores.array.subarray(0, B * M));
        const ref = similarityForwardRef(SimilarityKind.NegSqPoincare, B, M, d, want.q, cand, entity, want.c);
        for (const v of got) expect(Number.isFinite(v)).toBe(true);
        ref.forEach((w, i) => {
          const rowScale = Math.max(1, ...Array.from(ref.subarray(Math.floor(i / M) * M, Math.floor(i / M) * M + M), Math.abs));
          expect(Math.abs(got[i]! - w), `score ${i}: ${got[i]} vs ${w}`).toBeLessThan(2e-5 * rowScale);
        });
      });
    }
  }
});
