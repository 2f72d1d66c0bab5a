// The 1-N step in kernels (query program, dense softmax or binary cross-entropy on both threads, program backward)
// against the tfjs tape step (dotSoftmaxCrossEntropy and allEntityBinaryCrossEntropy, the references): the same
// loss and gradients in every table up to float sums, with and without a regulariser, for DistMult and ComplEx, and
// the same trained parameters after a few Adagrad steps; on one thread and two the kernel step gives the same bits.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { ModelRuntime } from '../../src/core/model-runtime.js';
import { kgeObjective } from '../../src/core/kge-objective.js';
import { oneToNKernelPath, type OneToNLoss } from '../../src/core/one-to-n-step.js';
import { SeededRandom } from '../../src/core/random.js';
import { TableOptimizer } from '../../src/core/optimizers.js';
import type { QueryBatch } from '../../src/core/batch.js';
import type { RegularizerName } from '../../src/core/losses.js';
import { createModel } from '../../src/registry/models.js';
import { expectClose } from '../kernels/helpers.js';
import { oneToNStep } from '../helpers/one-to-n.js';
import { randomQueryBatch } from '../helpers/query-batches.js';
import { withKernelThreads } from '../helpers/kernel-threads.js';

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

const E = 211, R = 7;

const batchOf = (size: number, seed: number): QueryBatch => randomQueryBatch(size, seed, E, R);

async function runtimeOf(model: string, dim: number): Promise<ModelRuntime> {
  return ModelRuntime.create(createModel(model, { dim, numEntities: E, numRelations: R, initScale: 0.3 }), 5);
}

/** The loss and every table's gradient accumulator after one step on `path`. */
function gradients(runtime: ModelRuntime, batch: QueryBatch, path: 'fused' | 'tfjs', regularizer: RegularizerName,
  oneToNLoss: OneToNLoss = 'softmax'): { loss: number; grads: Float32Array[] } {
  return oneToNStep(runtime, batch, { regularizer, regularizerWeight: regularizer === 'none' ? 0 : 0.05, path, oneToNLoss });
}

describe.each([['DistMult', 16], ['ComplEx', 12]] as const)('the 1-N kernel step of %s (d = %i)', (model, dim) => {
  it('takes the kernel path for fused and auto, the tape for tfjs', async () => {
    const runtime = await runtimeOf(model, dim);
    expect(oneToNKernelPath(runtime.model, runtime.store, 'fused')).toBe(true);
    expect(oneToNKernelPath(runtime.model, runtime.store, 'auto')).toBe(true);
    expect(oneToNKernelPath(runtime.model, runtime.store, 'tfjs')).toBe(false);
  });

  it.each([['none', 'softmax'], ['n3', 'softmax'], ['none', 'bce'], ['n3', 'bce']] as const)('matches the tfjs step in loss and gradients (regulariser %s, loss %s)', async (regularizer, loss) => {
    const runtime = await runtimeOf(model, dim);
    const batch = batchOf(37, 1);
    const tape = gradients(runtime, batch, 'tfjs', regularizer, loss);
    const kernel = gradients(runtime, batch, 'fused', regularizer, loss);
    expect(Math.abs(kernel.loss - tape.loss)).toBeLessThan(1e-5 * Math.max(1, tape.loss));
    kernel.grads.forEach((g, i) => {
      const ref = tape.grads[i]!;
      const scale = ref.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
      expect(scale).toBeGreaterThan(0);
      expectClose(g, ref, 1e-3, 1e-5 * scale, runtime.store.tables()[i]!.spec.name);
    });
  });

  it.each(['softmax', 'bce'] as const)('trains to the same parameters as the tfjs step (three Adagrad steps, loss %s)', async (oneToNLoss) => {
    const params: Float32Array[][] = [];
    for (const path of ['tfjs', 'fused'] as const) {
      const runtime = await runtimeOf(model, dim);
      const objective = kgeObjective(runtime, { negatives: 0, doubleNegatives: false, regularizer: 'n3', regularizerWeight: 0.01, path, oneToNLoss }, 'wasm');
      expect(objective.scoringPath).toBe('one-to-n');
      const optimizer = new TableOptimizer('adagrad', 0.05, runtime.store, runtime.kernels);
      for (let s = 0; s < 3; s++) {
        objective.gradients(batchOf(50, 10 + s), 1, new SeededRandom(s));
        optimizer.step();
      }
      params.push(runtime.store.tables().map((t) => t.data.array.slice()));
    }
    params[1]!.forEach((p, i) => expectClose(p, params[0]![i]!, 1e-3, 1e-5, `table ${i}`));
  });
});

describe('the 1-N binary cross-entropy', () => {
  it('is the mean of softplus(s) − [gold]·s over every score: log 2 when all scores are 0', async () => {
    const runtime = await runtimeOf('DistMult', 16);
    for (const t of runtime.store.tables()) t.data.array.fill(0); // every score 0: softplus(0) = log 2, the gold term 0
    expect(Math.abs(gradients(runtime, batchOf(9, 3), 'fused', 'none', 'bce').loss - Math.LN2)).toBeLessThan(1e-8);
    expect(Math.abs(gradients(runtime, batchOf(9, 3), 'tfjs', 'none', 'bce').loss - Math.LN2)).toBeLessThan(1e-5); // tfjs' softplus: 5e-6 off
  });
});

describe('the 1-N kernel step on one thread and two', () => {
  it('gives the same bits', async () => {
    const results: { loss: number; grads: Float32Array[] }[] = [];
    for (const threads of [1, 2, 2]) {
      results.push(await withKernelThreads(threads, async () => gradients(await runtimeOf('DistMult', 16), batchOf(90, 4), 'fused', 'n3')));
    }
    for (const r of results.slice(1)) {
      expect(r.loss).toBe(results[0]!.loss);
      r.grads.forEach((g, i) => expect(g).toEqual(results[0]!.grads[i]));
    }
  });
});
