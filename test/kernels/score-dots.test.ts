// All-entity similarity from dot products (similarityFromDots, addScoreBiases) against the tfjs reference
// `similarityAll`, and ModelEntityScorer's kernel path against the all-tfjs computation.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { loadKernels, type Kernels } from '../../src/kernels/kernels.js';
import { similarityAll } from '../../src/core/similarity-tf.js';
import { SIMILARITY_KERNEL_ID } from '../../src/core/candidate-scoring.js';
import type { SimilarityName } from '../../src/core/model.js';
import { ModelRuntime } from '../../src/core/model-runtime.js';
import { createModel } from '../../src/registry/models.js';
import { gatherQueryRows, rowsByName } from '../../src/core/query-rows.js';
import { expectClose, expectFinite, f32, rng, uniform, withNorms } from './helpers.js';

let k: Kernels;
beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  k = await loadKernels();
});
beforeEach(() => k.memory.reset());

const KINDS: SimilarityName[] = ['dot', 'negSqEuclidean', 'negEuclidean', 'negSqPoincare'];

/** Kernel scores of queries q [B×d] against table [N×d] from their dot products. */
function kernelScores(kind: SimilarityName, B: number, N: number, d: number, q: number[], table: number[], c: number[]): Float32Array {
  const x2 = Array.from({ length: B }, (_, b) => q.slice(b * d, b * d + d).reduce((s, x) => s + x * x, 0));
  const v2 = Array.from({ length: N }, (_, j) => table.slice(j * d, j * d + d).reduce((s, x) => s + x * x, 0));
  const xv = Array.from({ length: B * N }, (_, i) => {
    const b = Math.floor(i / N), j = i % N;
    let s = 0;
    for (let t = 0; t < d; t++) s += q[b * d + t]! * table[j * d + t]!;
    return s;
  });
  const out = f32(k, xv);
  k.fused.similarityFromDots(SIMILARITY_KERNEL_ID[kind], B, N, f32(k, x2), f32(k, v2), out, f32(k, c));
  return out.array.slice();
}

function tfjsScores(kind: SimilarityName, B: number, N: number, d: number, q: number[], table: number[], c: number[]): Float32Array {
  return tf.tidy(() => {
    const tableT = tf.transpose(tf.tensor2d(table, [N, d])) as tf.Tensor2D;
    return similarityAll(kind, tf.tensor2d(q, [B, d]), tableT, tf.tensor2d(c, [B, 1])).dataSync() as Float32Array;
  });
}

describe('similarityFromDots equals similarityAll', () => {
  for (const kind of KINDS) {
    for (const N of [1, 6, 37]) {
      it(`${kind}, N = ${N}`, () => {
        const r = rng(17 * N + kind.length);
        const B = 5, d = 8;
        const c = uniform(r, B, 0.3, 2);
        const q = withNorms(uniform(r, B * d, -1, 1), d, c.map((ci) => (0.95 * r()) / Math.sqrt(ci)));
        const table = withNorms(uniform(r, N * d, -1, 1), d, Array.from({ length: N }, (_, j) => (j === 0 ? 0 : 2.5 * r())));
        const got = kernelScores(kind, B, N, d, q, table, c);
        const want = tfjsScores(kind, B, N, d, q, table, c);
        const scale = Math.max(1, ...Array.from(want, Math.abs));
        expectClose(got, want, 2e-5, 2e-5 * scale, kind);
        expectFinite(got, kind);
      });
    }
  }
});

describe('addScoreBiases', () => {
  it('adds the tail bias per column, then the head offset per row', () => {
    const B = 3, N = 7;
    const s = f32(k, Array.from({ length: B * N }, (_, i) => i));
    const row = [0.5, -1, 2], col = Array.from({ length: N }, (_, j) => j / 10);
    k.fused.addScoreBiases(B, N, s, f32(k, row), f32(k, col));
    expectClose(s.array, Array.from({ length: B * N }, (_, i) => i + col[i % N]! + row[Math.floor(i / N)]!), 1e-6, 1e-6);
    k.fused.addScoreBiases(B, N, s, null, null); // nothing to add
    expect(() => k.fused.addScoreBiases(B, N, s, s, null)).toThrow(/overlaps/);
  });
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
