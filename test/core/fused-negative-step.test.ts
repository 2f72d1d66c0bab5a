// The fused negative-sampling step (all kernels) against the hybrid step (tfjs query + fused candidate scoring):
// same loss, same accumulated gradients and touched rows, same random draws, with and without double negatives,
// and the same parameters after a few Adagrad steps.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { ModelRuntime } from '../../src/core/model-runtime.js';
import { randomQueryBatch } from '../helpers/query-batches.js';
import type { NegativeSamplingSettings, QueryBatch } from '../../src/core/batch.js';
import { kgeObjective } from '../../src/core/kge-objective.js';
import { CHUNK_ROWS, fusedNegativeSamplingGradients, fusedStepSupports } from '../../src/core/fused-negative-step.js';
import { SeededRandom } from '../../src/core/random.js';
import { TableOptimizer } from '../../src/core/optimizers.js';
import type { KgeModel } from '../../src/core/model.js';
import { createModel } from '../../src/registry/models.js';

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

const E = 60, R = 4;

/** The same model without its program: the KGE objective then takes the hybrid (tfjs query) path. */
function withoutProgram(model: KgeModel): KgeModel {
  return Object.create(model, { fusedQuery: { value: undefined } }) as KgeModel;
}

async function runtimeFor(name: string, d: number, hybrid: boolean): Promise<ModelRuntime> {
  // rows of norm ≈ 0.85 whatever d: near the ball's boundary tfjs's float32 query loses digits (query-accuracy.test.ts)
  // stored at its own width (the last argument): no zero columns (table-padding.ts), the tables as written here
  const model = createModel(name, { dim: d, numEntities: E, numRelations: R, initScale: 0.3 * Math.sqrt(8 / d) }, d);
  const runtime = await ModelRuntime.create(hybrid ? withoutProgram(model) : model, 11);
  const rng = new SeededRandom('biases');
  for (const t of runtime.store.tables()) {
    if (t.spec.name === 'curvature') t.data.array.forEach((_, i, a) => { a[i] = -1 + 3 * rng.next(); });
    else if (t.dim === 1) t.data.array.forEach((_, i, a) => { a[i] = rng.normal() * 0.5; });
  }
  return runtime;
}

const batchOf = (size: number, seed: number): QueryBatch => randomQueryBatch(size, seed, E, R);

/** Loss, every table's gradient accumulator and touched rows after one step of the given path. */
async function step(name: string, d: number, hybrid: boolean, batch: QueryBatch, settings: NegativeSamplingSettings) {
  const runtime = await runtimeFor(name, d, hybrid);
  const rng = new SeededRandom('draws');
  const objective = kgeObjective(runtime, { ...settings, path: 'fused' }, 'wasm');
  const loss = objective.gradients(batch, 1, rng);
  const tables = Object.fromEntries(runtime.store.tables().map((t) => [t.spec.name,
    { grad: Array.from(t.grad.array), touched: Array.from(t.touched()).sort((a, b) => a - b) }]));
  return { loss, tables, rngAfter: rng.next() };
}

const CASES: [string, number][] = [['RotH', 8], ['RotH', 32], ['AttH', 8], ['RotE', 8], ['DistMult', 8], ['ComplEx', 8], ['RotatE', 16]];

describe.each(CASES)('%s (d = %i): fused step equals the hybrid step', (name, d) => {
  for (const doubleNegatives of [false, true]) {
    for (const regularizer of ['none', 'n3'] as const) {
      it(`doubleNegatives = ${doubleNegatives}, regulariser ${regularizer}`, async () => {
        // 140 queries × (1 + 3) > CHUNK_ROWS with double negatives: several chunks, positives and negatives mixed in one
        const batch = batchOf(doubleNegatives ? 140 : 300, d);
        const settings: NegativeSamplingSettings = { negatives: doubleNegatives ? 3 : 7, doubleNegatives, regularizer, regularizerWeight: 0.05 };
        const fused = await step(name, d, false, batch, settings);
        const hybrid = await step(name, d, true, batch, settings);
        expect(fused.rngAfter).toBe(hybrid.rngAfter); // the same number of draws
        expect(Math.abs(fused.loss - hybrid.loss)).toBeLessThan(1e-5 * Math.abs(hybrid.loss));
        for (const [table, want] of Object.entries(hybrid.tables)) {
          const got = fused.tables[table]!;
          expect(got.touched, `${table} touched rows`).toEqual(want.touched);
          const scale = Math.max(...want.grad.map(Math.abs));
          const worst = Math.max(...got.grad.map((g, i) => Math.abs(g - want.grad[i]!)));
          expect(worst, `${table}: max |Δgrad| (max |grad| ${scale})`).toBeLessThanOrEqual(1e-4 * scale + 1e-9);
        }
        expect(fused.tables.entity!.grad.some((g) => g !== 0)).toBe(true);
      });
    }
  }
});

describe('training with the fused step', () => {
  it('RotH: five Adagrad steps give the same parameters as the hybrid step', async () => {
    const settings: NegativeSamplingSettings = { negatives: 10, doubleNegatives: true, regularizer: 'n3', regularizerWeight: 0.01 };
    const params = await Promise.all([false, true].map(async (hybrid) => {
      const runtime = await runtimeFor('RotH', 8, hybrid);
      const optimizer = new TableOptimizer('adagrad', 0.05, runtime.store, runtime.kernels);
      const objective = kgeObjective(runtime, { ...settings, path: 'fused' }, 'wasm');
      const rng = new SeededRandom('train');
      for (let s = 0; s < 5; s++) {
        objective.gradients(batchOf(40, s), 1, rng);
        optimizer.step();
      }
      return runtime.store.tables().map((t) => Array.from(t.data.array));
    }));
    params[0]!.forEach((table, i) => {
      const want = params[1]![i]!;
      const worst = Math.max(...table.map((v, j) => Math.abs(v - want[j]!)));
      expect(worst).toBeLessThan(1e-4 * Math.max(1, ...want.map(Math.abs)));
    });
  });

  it('dispatches only when the scorer is fused and the model has a usable program', async () => {
    const runtime = await runtimeFor('ComplEx', 6, false); // rows of 6 floats: no f32x4 kernels
    expect(fusedStepSupports(runtime.model, runtime.store)).toBe(false);
    expect(() => fusedNegativeSamplingGradients(runtime.model, runtime.store, batchOf(4, 1),
      { negatives: 2, doubleNegatives: false, regularizer: 'none', regularizerWeight: 0 }, new SeededRandom(1))).toThrow(/no usable fused query/);
    const roth = await runtimeFor('RotH', 8, false);
    expect(fusedStepSupports(roth.model, roth.store)).toBe(true);
    const bad = batchOf(4, 2);
    bad.entities[2] = E;
    expect(() => fusedNegativeSamplingGradients(roth.model, roth.store, bad,
      { negatives: 2, doubleNegatives: false, regularizer: 'none', regularizerWeight: 0 }, new SeededRandom(1))).toThrow(/outside/);
    expect(CHUNK_ROWS).toBeGreaterThan(0);
  });
});
