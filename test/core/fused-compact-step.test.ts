// The compact fused step (large tables: the step runs on a copy of the rows it touches, the optimiser updates the
// table rows from a compact gradient): the same losses and parameters bit for bit as the step in place, for every
// row optimiser and sampled loss, with a regulariser or a second gradient in the same update (the compact gradient
// is then folded), and the same message for an id out of range. RowSlots numbers ids by first occurrence.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { ModelRuntime } from '../../src/core/model-runtime.js';
import { randomQueryBatch } from '../helpers/query-batches.js';
import type { NegativeSamplingSettings } from '../../src/core/batch.js';
import { kgeObjective } from '../../src/core/kge-objective.js';
import { fusedCandidateGradients, fusedNegativeSamplingGradients } from '../../src/core/fused-negative-step.js';
import { COMPACT_MIN_TABLE_BYTES, compactStepWorthIt, setCompactSteps } from '../../src/core/fused-compact-step.js';
import { RowSlots } from '../../src/core/row-slots.js';
import { SeededRandom } from '../../src/core/random.js';
import { TableOptimizer, type OptimizerName } from '../../src/core/optimizers.js';
import type { SampledLoss } from '../../src/core/losses.js';
import { createModel } from '../../src/registry/models.js';

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});
afterEach(() => setCompactSteps('auto'));

const E = 70, R = 3;

describe('RowSlots', () => {
  it('numbers distinct ids by first occurrence, and starts again after a reset', () => {
    const slots = new RowSlots();
    expect([40, 7, 40, 0, 7, 1_000_000].map((id) => slots.slotOf(id))).toEqual([0, 1, 0, 2, 1, 3]);
    expect(slots.count).toBe(4);
    expect(Array.from(slots.ids.subarray(0, 4))).toEqual([40, 7, 0, 1_000_000]);
    slots.reset();
    expect([7, 5, 7].map((id) => slots.slotOf(id))).toEqual([0, 1, 0]);
  });

  it('grows past its first size and keeps every slot; a reset after growing forgets them all', () => {
    const slots = new RowSlots();
    for (const n of [90, 120, 3000, 40, 5000]) { // more ids than the last step, fewer, then many more
      slots.reset();
      for (let i = 0; i < n; i++) expect(slots.slotOf(i * 4099)).toBe(i);
      for (let i = n - 1; i >= 0; i -= 7) expect(slots.slotOf(i * 4099)).toBe(i);
      expect(slots.count).toBe(n);
      expect(slots.ids[n - 1]).toBe((n - 1) * 4099);
    }
    slots.reset();
    expect(slots.slotOf(4099)).toBe(0);
    expect(slots.count).toBe(1);
  });
});

/** Parameters and losses after `steps` updates of one model, with compact steps forced on or off. */
async function train(model: string, optimizer: OptimizerName, settings: NegativeSamplingSettings, compact: boolean, steps = 4,
  extra?: (runtime: ModelRuntime) => void, batchSizes = [90]) {
  setCompactSteps(compact ? 'always' : 'never');
  const runtime = await ModelRuntime.create(createModel(model, { dim: 8, numEntities: E, numRelations: R, initScale: 0.2 }), 7);
  const objective = kgeObjective(runtime, { ...settings, path: 'fused' }, 'wasm');
  const opt = new TableOptimizer(optimizer, 0.05, runtime.store, runtime.kernels);
  const rng = new SeededRandom('compact');
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    losses.push(objective.gradients(randomQueryBatch(batchSizes[s % batchSizes.length]!, s, E, R), 1, rng));
    extra?.(runtime);
    opt.step();
  }
  const grads = runtime.store.tables().every((t) => t.grad.array.every((g) => g === 0));
  return { losses, params: runtime.store.tables().map((t) => Array.from(t.data.array)), gradsZero: grads, compactUsed: compactStepWorthIt(runtime.model, runtime.store) };
}

const NSSA: SampledLoss = { loss: 'nssa', margin: 0, adversarialTemperature: 1 };
const MARGIN: SampledLoss = { loss: 'margin', margin: 1, adversarialTemperature: 1 };

describe('compact steps give the numbers of steps in place', () => {
  const cases: [string, OptimizerName, SampledLoss | undefined, number][] = [
    ['DistMult', 'adagrad', undefined, 1], ['DistMult', 'adagrad', undefined, 10], ['DistMult', 'sgd', NSSA, 10],
    ['ComplEx', 'sparse-adam', NSSA, 1], ['RotH', 'adagrad', undefined, 5], ['RotH', 'sgd', MARGIN, 1], ['TransE', 'sgd', MARGIN, 4],
  ];
  it.each(cases)('%s, %s, loss %o, negatives shared by %i', async (model, optimizer, loss, sharedNegatives) => {
    const settings: NegativeSamplingSettings = { negatives: 6, doubleNegatives: false, sharedNegatives, regularizer: 'none', regularizerWeight: 0, ...(loss ? { loss } : {}) };
    const inPlace = await train(model, optimizer, settings, false);
    const compact = await train(model, optimizer, settings, true);
    expect(compact.compactUsed).toBe(true);
    expect(inPlace.compactUsed).toBe(false);
    expect(compact.losses).toEqual(inPlace.losses);
    expect(compact.params).toEqual(inPlace.params);
    expect(compact.gradsZero && inPlace.gradsZero).toBe(true);
    expect(compact.params[0]).not.toEqual((await train(model, optimizer, settings, true, 0)).params[0]); // it trained
  });

  it('with the N3 regulariser (its rows are added in place: the compact gradient is folded first)', async () => {
    const settings: NegativeSamplingSettings = { negatives: 5, doubleNegatives: false, regularizer: 'n3', regularizerWeight: 0.05 };
    const inPlace = await train('ComplEx', 'adagrad', settings, false);
    const compact = await train('ComplEx', 'adagrad', settings, true);
    expect(compact.losses).toEqual(inPlace.losses);
    expect(compact.params).toEqual(inPlace.params);
  });

  it('with batches of other sizes, step after step (a short last batch of an epoch, then a full one)', async () => {
    const settings: NegativeSamplingSettings = { negatives: 6, doubleNegatives: false, sharedNegatives: 3, regularizer: 'none', regularizerWeight: 0 };
    const inPlace = await train('DistMult', 'adagrad', settings, false, 6, undefined, [40, 50, 7, 90]);
    const compact = await train('DistMult', 'adagrad', settings, true, 6, undefined, [40, 50, 7, 90]);
    expect(compact.losses).toEqual(inPlace.losses);
    expect(compact.params).toEqual(inPlace.params);
  });

  it('two steps in one update: the second runs in place, after the first one\'s rows (same sums)', async () => {
    const settings: NegativeSamplingSettings = { negatives: 5, doubleNegatives: false, regularizer: 'none', regularizerWeight: 0 };
    const again = (runtime: ModelRuntime): void => {
      fusedNegativeSamplingGradients(runtime.model, runtime.store, randomQueryBatch(30, 99, E, R), settings, new SeededRandom('again'));
    };
    const inPlace = await train('DistMult', 'adagrad', settings, false, 3, again);
    const compact = await train('DistMult', 'adagrad', settings, true, 3, again);
    expect(compact.params).toEqual(inPlace.params);
  });

  it('with a second fused gradient in the same update (a distillation term: folded, same sums)', async () => {
    const settings: NegativeSamplingSettings = { negatives: 5, doubleNegatives: false, regularizer: 'none', regularizerWeight: 0 };
    const topK = (runtime: ModelRuntime): void => {
      const entities = Int32Array.from([3, 9, 27]), relations = Int32Array.from([0, 4, 2]);
      const candidates = Int32Array.from([1, 2, 3, 4, 9, 10, 11, 12, 27, 28, 29, 69]);
      fusedCandidateGradients(runtime.model, runtime.store, entities, relations, candidates, 4, (_start, n, scores, dscore) => {
        for (let i = 0; i < n * 4; i++) dscore.array[i] = 0.1 * scores.array[i]!;
        return 0;
      });
    };
    const inPlace = await train('DistMult', 'sparse-adam', settings, false, 3, topK);
    const compact = await train('DistMult', 'sparse-adam', settings, true, 3, topK);
    expect(compact.params).toEqual(inPlace.params);
  });
});

describe('compact steps: when and what', () => {
  /** Whether a fresh runtime's step runs compact under each optimiser in turn (an optimiser sets the tables' row rules). */
  const compactUnder = async (model: string, dim: number, numEntities: number, optimizers: OptimizerName[]): Promise<boolean[]> => {
    const runtime = await ModelRuntime.create(createModel(model, { dim, numEntities, numRelations: R }), 1);
    return optimizers.map((name) => {
      new TableOptimizer(name, 0.1, runtime.store, runtime.kernels);
      return compactStepWorthIt(runtime.model, runtime.store);
    });
  };

  it('are the rule for large tables under row optimisers, never under dense Adam', async () => {
    const big = Math.ceil(COMPACT_MIN_TABLE_BYTES / (4 * 32));
    expect(await compactUnder('DistMult', 32, big, ['adagrad', 'adam'])).toEqual([true, false]);
    expect(await compactUnder('DistMult', 32, big - 1, ['adagrad'])).toEqual([false]);
  });

  it('not under sparse Adam when a table has one role only (RotH\'s biases: its moments would decay on rows the step in place leaves)', async () => {
    setCompactSteps('always');
    expect(await compactUnder('RotH', 8, E, ['sparse-adam', 'adagrad'])).toEqual([false, true]);
  });

  it('an id out of range is named as in place, and leaves no gradient behind', async () => {
    setCompactSteps('always');
    const runtime = await ModelRuntime.create(createModel('DistMult', { dim: 8, numEntities: E, numRelations: R }), 1);
    new TableOptimizer('adagrad', 0.1, runtime.store, runtime.kernels);
    const settings: NegativeSamplingSettings = { negatives: 2, doubleNegatives: false, regularizer: 'none', regularizerWeight: 0 };
    const bad = randomQueryBatch(6, 1, E, R);
    bad.answers[4] = E;
    expect(() => fusedNegativeSamplingGradients(runtime.model, runtime.store, bad, settings, new SeededRandom(1))).toThrow(`fused step: answer id ${E} is outside [0, ${E})`);
    const badEntity = randomQueryBatch(6, 2, E, R);
    badEntity.entities[1] = -1;
    expect(() => fusedNegativeSamplingGradients(runtime.model, runtime.store, badEntity, settings, new SeededRandom(1))).toThrow('fused step: entity id -1 is outside');
    for (const t of runtime.store.tables()) {
      expect(t.touchedCountNow).toBe(0);
      expect(t.takeCompact()).toBeNull();
    }
  });
});
