// A step that fails on the tfjs tape leaves no tensor behind (tfjs frees what a tape saved for the backward pass
// only when a backward pass ends) and no gradient; ids outside a table are refused, never read as zero rows.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { ModelRuntime } from '../../src/core/model-runtime.js';
import { oneToNGradients } from '../../src/core/one-to-n-step.js';
import { runTape } from '../../src/core/tape.js';
import { createModel } from '../../src/registry/models.js';

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

const E = 40, R = 3;
const runtimeOf = async (model: string): Promise<ModelRuntime> => ModelRuntime.create(createModel(model, { dim: 8, numEntities: E, numRelations: R, initScale: 0.3 }), 5);
const gradientSum = (runtime: ModelRuntime): number => runtime.store.tables().reduce((sum, t) => sum + t.grad.array.reduce((a, v) => a + Math.abs(v), 0), 0);

describe('a failing tfjs step', () => {
  it('a loss that throws: the error comes out, and no tensor and no gradient stay behind', async () => {
    const runtime = await runtimeOf('DistMult');
    const side = { model: runtime.model, store: runtime.store, entities: Int32Array.of(1, 2, 3), relations: Int32Array.of(0, 1, 4) }; // q = h ∘ r: every gathered row reaches the loss
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) {
      expect(() => runTape([side], [], ([view]) => {
        tf.sum(tf.square(view!.query.q)); // recorded on the tape, as a real loss's first ops are
        throw new Error(`loss failed ${i}`);
      })).toThrow(`loss failed ${i}`);
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(gradientSum(runtime)).toBe(0);
    // the tape still works after the failures
    const value = runTape([side], [], ([view]) => tf.sum(tf.square(view!.query.q)) as tf.Scalar);
    expect(value).toBeGreaterThan(0);
    expect(gradientSum(runtime)).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a 1-N answer outside the entity table is refused before the tape, naming it, with no tensor left', async () => {
    const runtime = await runtimeOf('DistMult');
    const batch = { entities: Int32Array.of(1, 2), relations: Int32Array.of(0, 1), answers: Int32Array.of(3, E + 5) };
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      expect(() => oneToNGradients(runtime.model, runtime.store, batch, { regularizer: 'none', regularizerWeight: 0, path: 'tfjs', oneToNLoss: 'softmax' }))
        .toThrow(`1-N step: answer: entity id ${E + 5} is outside [0, ${E})`);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a query id outside its table is refused by the table, not gathered as a zero row', async () => {
    const runtime = await runtimeOf('DistMult');
    const entity = runtime.store.table('entity');
    expect(() => entity.gather(Int32Array.of(0, -1))).toThrow(`gather: entity id -1 is outside [0, ${E})`);
    expect(() => entity.scatterAddGrad(Int32Array.of(E), new Float32Array(8))).toThrow(`gradient: entity id ${E} is outside [0, ${E})`);
    expect(Array.from(entity.gather(Int32Array.of(E - 1)))).toEqual(Array.from(entity.data.array.subarray((E - 1) * 8, E * 8)));
  });
});
