// run-job.ts gives the Trainer the kernel bytes of the run's own steps and validation (run-memory.ts runKernelBytesOf),
// which its optimiser keeps free beside its state (optimizers.ts optimizerStateHome): without them the trainer falls
// back to the fixed 256 MiB reserve (KERNEL_SCRATCH_RESERVE), too little for a large 1-N or top-K step. At test size
// nothing of that is visible in 4 GiB, so the Trainer's constructor is spied on (the real one still runs) and the run
// is stopped as its first epoch would start: the figures are checked, no step is trained.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { KERNEL_SCRATCH_RESERVE } from '../../src/core/optimizers.js';
import { runKernelBytesOf } from '../../src/pipeline/run-memory.js';
import { runDistill, runTrain } from '../../src/pipeline/train.js';
import { useGraphFixture } from '../helpers/graph-fixture.js';
import { tinyTrainedRun } from '../helpers/tiny-run.js';
import { spyOnTrainers, STOP } from '../helpers/trainer-spy.js';

const fixture = useGraphFixture('kgdistill-run-kernel-bytes-', 400);
/** Throws STOP as the run starts (TrainerEvents.onRunStart: after the Trainer is made, before any step). */
const stopAtStart = { events: { onRunStart: (): never => { throw new Error(STOP); } } };

afterEach(() => {
  vi.restoreAllMocks();
});

describe("run-job gives the Trainer the run's kernel bytes", () => {
  it('train --one-to-n with a large batch: runKernelBytesOf of the run, more than the fixed reserve', async () => {
    const calls = spyOnTrainers();
    const out = path.join(fixture.tmp, 'one-to-n');
    // every training query of the graph in one 1-N batch at d = 4096: its query rows alone pass 256 MiB
    await expect(runTrain({ dataset: fixture.graph, model: 'DistMult', dim: 4096, oneToN: true, batchSize: 100_000, epochs: 1, out }, stopAtStart))
      .rejects.toThrow(STOP);
    expect(calls()).toHaveLength(1);
    const { runtime, data, config, backend, options } = calls()[0]!;
    expect([config.negatives, config.batchSize, backend]).toEqual([0, 100_000, 'wasm']);
    const expected = runKernelBytesOf(runtime.model, config, data, {}, backend); // validated against every entity: no evalCandidates
    expect(expected).toBeGreaterThan(KERNEL_SCRATCH_RESERVE + 100 * 2 ** 20);
    expect(options.runKernelBytes).toBe(expected);
    expect(existsSync(out)).toBe(false); // a new run stopped in its first epoch leaves nothing
  });

  it('distill with a top-K of every entity: runKernelBytesOf of the run (K, teachers), more than the fixed reserve', async () => {
    const { graph, run: teacher, tmp } = await tinyTrainedRun('run-kernel-bytes-teacher', { entities: 2000, seed: 5 });
    const calls = spyOnTrainers();
    const out = path.join(tmp, 'student');
    const distill = { dataset: graph, teachers: [teacher], student: 'DistMult', dim: 8, topK: 2000, refreshEvery: 0, batchSize: 100_000, epochs: 1, out };
    await expect(runDistill(distill, stopAtStart)).rejects.toThrow(STOP);
    expect(calls()).toHaveLength(1);
    const { runtime, data, config, backend, options } = calls()[0]!;
    expect(data.numEntities).toBe(2000); // K = 2000 is not clamped
    const expected = runKernelBytesOf(runtime.model, config, data, { topK: 2000, teachers: [teacher], refreshEvery: 0 }, backend);
    // the same run without its top-K: the K candidates ranked per query are what passes the reserve
    expect(runKernelBytesOf(runtime.model, config, data, {}, backend)).toBeLessThan(KERNEL_SCRATCH_RESERVE);
    expect(expected).toBeGreaterThan(KERNEL_SCRATCH_RESERVE + 100 * 2 ** 20);
    expect(options.runKernelBytes).toBe(expected);
    expect(existsSync(out)).toBe(false);
  });
});
