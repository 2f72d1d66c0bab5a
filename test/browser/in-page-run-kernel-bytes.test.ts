// Training in a page (in-page-training.ts, run here in Node as the page's worker runs it) gives the Trainer the kernel
// bytes of the run's own steps and validation (run-memory.ts runKernelBytesOf), as `kgdistill train` does, so that a
// large 1-N step keeps room beside the optimiser state instead of the fixed 256 MiB reserve (KERNEL_SCRATCH_RESERVE).
// At test size nothing of that is visible in 4 GiB, so the Trainer's constructor is spied on (the real one still runs)
// and the training is stopped as its first epoch starts: the figures are checked, no step is trained.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KERNEL_SCRATCH_RESERVE } from '../../src/core/optimizers.js';
import { datasetFromTriples } from '../../src/browser.js';
import type { NamedTriple } from '../../src/kg/split-triples.js';
import { syntheticGraph } from '../../src/kg/synthetic-graph.js';
import { runKernelBytesOf } from '../../src/pipeline/run-memory.js';
import { inPageSettings, trainInPage, type TrainingReporter } from '../../src/serve/explorer/worker/in-page-training.js';
import { spyOnTrainers, STOP } from '../helpers/trainer-spy.js';

// a page runs the kernels on one thread (kernelThreads() is 1 without Node's process): its Node twin does too
process.env.KGDISTILL_THREADS = '1';

const graph = syntheticGraph({ entities: 400, seed: 3 });
const splits = { train: graph.train, valid: graph.valid, test: graph.test } as unknown as Record<'train' | 'valid' | 'test', NamedTriple[]>;
/** A reporter that throws STOP at the first progress of training (the first epoch's start, before any step). */
const stopAtStart: TrainingReporter = {
  progress: (phase) => { if (phase === 'training') throw new Error(STOP); },
  epoch: () => undefined,
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe("in-page training gives the Trainer the run's kernel bytes", () => {
  it('oneToN with a large batch: runKernelBytesOf of the run, more than the fixed reserve', async () => {
    const calls = spyOnTrainers();
    const dataset = datasetFromTriples(splits);
    // every training query in one 1-N batch at d = 4096: its query rows alone pass 256 MiB
    const settings = inPageSettings(dataset, { model: 'DistMult', dim: 4096, oneToN: true, batchSize: 100_000, epochs: 1 });
    await expect(trainInPage(dataset, settings, stopAtStart)).rejects.toThrow(STOP);
    expect(calls()).toHaveLength(1);
    const { runtime, data, config, backend, options } = calls()[0]!;
    expect([config.negatives, config.batchSize, backend]).toEqual([0, 100_000, 'wasm']);
    expect(data.valid.length).toBeGreaterThan(0); // validated against every entity: counted in the bytes
    const expected = runKernelBytesOf(runtime.model, config, data, settings, backend);
    expect(expected).toBeGreaterThan(KERNEL_SCRATCH_RESERVE + 100 * 2 ** 20);
    expect(options.runKernelBytes).toBe(expected);
    runtime.dispose();
  });
});
