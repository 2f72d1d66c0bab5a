// The kernel scratch of one step, from the sizes the step code allocates, and the last-resort messages of the
// allocators (kernel memory full; a plain array too long) that name what to lower instead of V8's or page counts.
import { describe, expect, it } from 'vitest';
import { flagOf } from '../../src/pipeline/option-schemas.js';
import { createModel } from '../../src/registry/models.js';
import { stepScratchOf, type StepShape } from '../../src/core/step-memory.js';
import { requireTrainingMemory } from '../../src/core/memory-budget.js';
import { KernelMemory } from '../../src/kernels/kernel-memory.js';
import { plainInts } from '../../src/core/plain-arrays.js';
import { ModelRuntime } from '../../src/core/model-runtime.js';
import { randomQueryBatch } from '../helpers/query-batches.js';
import { oneToNGradients } from '../../src/core/one-to-n-step.js';

const shape = (over: Partial<StepShape>): StepShape => ({ queries: 500, negatives: 50, doubleNegatives: false, weighted: false, optimizer: 'adagrad',
  loss: 'bce', numEntities: 400, numRelations: 5, threads: 1, ...over });

describe('step scratch', () => {
  it('DistMult d = 200000 on 400 entities: two program states of 256 rows and the compact rows (the 4.65 GB the reviewer saw)', () => {
    const model = createModel('DistMult', { dim: 200_000, numEntities: 400, numRelations: 5 });
    const scratch = stepScratchOf(model, shape({}));
    // (entity + relation + q) × (value + gradient) + a seed for q = 7 rows of d floats, 256 rows, two states
    expect(scratch.parts.find((p) => p.what === 'queryRows')!.bytes).toBe(2 * 4 * 256 * 7 * 200_000);
    expect(scratch.parts.find((p) => p.what === 'compactRows')!.bytes).toBe(4 * 1.25 * 400 * (1 + 2 * 200_000));
    expect(() => requireTrainingMemory({ model, batchSize: 500, name: flagOf, validation: 'full' }, shape({}))).toThrow(
      /^--dim 200000 query rows \(the DistMult program's buffers, 256 rows at a time\) need 2\.67 GiB of kernel scratch per step \(3\.42 GiB in all\) on top of 625\.6 MiB of tables and 337\.2 MiB for validation; .*: lower --dim \(nothing was written\)$/);
  });

  it('MulDE on FB15k-237 with --top-k 14541 --batch-size 200000: the B·K top-K candidates', () => {
    const model = createModel('RotH', { dim: 32, numEntities: 14541, numRelations: 237 });
    const s = shape({ queries: 200_000, numEntities: 14541, numRelations: 237, topK: { k: 14541, queries: 200_000, teachers: 2 } });
    expect(() => requireTrainingMemory({ model, batchSize: 200_000, name: flagOf, validation: 'full' }, s)).toThrow(
      /^--batch-size 200000 × --top-k 14541 candidates need \d+\.\d\d GiB of kernel scratch per step .*: lower --top-k or --batch-size \(nothing was written\)$/);
    expect(() => requireTrainingMemory({ model, batchSize: 500, name: flagOf, validation: 'full' }, { ...s, queries: 500, topK: { k: 500, queries: 500, teachers: 2 } })).not.toThrow();
  });

  it("1-N: the dense loss's group of scores (up to 64 MiB) beside the blocked table, as measured (70.07 MiB for ComplEx d = 64, B = 1000, 20,000 entities)", () => {
    const model = createModel('ComplEx', { dim: 64, numEntities: 20_000, numRelations: 5 });
    const part = stepScratchOf(model, shape({ queries: 1000, negatives: 0, numEntities: 20_000 })).parts.find((p) => p.what === 'oneToN')!;
    // denseEntityLoss: rows of 12 (1 MiB of scores), groups of 828 rows (64 MiB) → 828 × 20,000 scores; it was left out (6.61 MiB estimated)
    expect(part.bytes).toBeGreaterThan(4 * 828 * 20_000);
    expect(part.bytes).toBe(73_468_904);
  });

  it.each([['DistMult', 32, 300], ['RotH', 32, 300], ['AttH', 20, 300], ['RotH', 16, 2500]] as const)("1-N: the estimate covers what a real %s step (d = %i, B = %i) takes of kernel memory, and is within a tenth of it", async (name, dim, B) => {
    // 3,001 entities: the Poincaré loss's three run buffers, ‖v‖² and row sums (densePoincareLoss) or the dot product's
    // one; B = 2,500 takes two groups (64 MiB of three buffers hold 1,856 rows of 3,008 padded entities)
    const E = 3001, R = 4;
    const runtime = await ModelRuntime.create(createModel(name, { dim, numEntities: E, numRelations: R }), 3);
    const before = runtime.store.memory.usedBytes;
    oneToNGradients(runtime.model, runtime.store, randomQueryBatch(B, 1, E, R), { regularizer: 'none', regularizerWeight: 0, path: 'fused' });
    const used = runtime.store.memory.usedBytes - before;
    const estimate = stepScratchOf(runtime.model, shape({ queries: B, negatives: 0, numEntities: E, numRelations: R })).parts.find((p) => p.what === 'oneToN')!.bytes;
    expect(estimate).toBeGreaterThanOrEqual(used);
    expect(estimate).toBeLessThan(1.1 * used);
  });

  it("a cache refresh has each teacher score 2048 queries' candidates at a time, not a batch's", () => {
    const model = createModel('RotH', { dim: 32, numEntities: 40_943, numRelations: 11 });
    const s = shape({ queries: 500, negatives: 255, optimizer: 'adam', numEntities: 40_943, numRelations: 11, topK: { k: 500, queries: 2048, teachers: 6 } });
    expect(stepScratchOf(model, s).teacherBytes).toBe(4 * (1.25 * (2 * 2048 + 2048 * 500) + 6 * 256 * 500)); // 8,212,480; 4,327,000 with B = 500
  });

  it('validation: all entities charged only when the run validates against them; when it is what does not fit, it says so', () => {
    const model = createModel('DistMult', { dim: 64, numEntities: 6_000_000, numRelations: 5 });
    const s = shape({ numEntities: 6_000_000 });
    const run = (validation: 'full' | 'sampled' | 'none') => () => requireTrainingMemory({ model, batchSize: 500, name: flagOf, validation }, s);
    expect(run('sampled')).not.toThrow(); // --eval-candidates: was refused, blaming --neg and --batch-size
    expect(run('none')).not.toThrow();
    // 5M entities validate against all of them with the adagrad state in host memory (2.38 GiB of tables, 1.28 GiB for validation)
    expect(() => requireTrainingMemory({ model, batchSize: 500, name: flagOf, validation: 'full' }, shape({ numEntities: 5_000_000 }))).not.toThrow();
    // when the run would not fit without it either, the largest step part is named, with validation's way out beside it
    const twoThreads = shape({ numEntities: 6_000_000, queries: 4096, negatives: 64, threads: 2 });
    expect(() => requireTrainingMemory({ model, batchSize: 4096, name: flagOf, validation: 'full' }, twoThreads)).toThrow(
      /^--dim 64 gradients of the second kernel thread \(KGDISTILL_THREADS 2\) need .* and 1\.53 GiB for validation \(--eval-candidates samples instead\); .*: lower --dim or set KGDISTILL_THREADS=1 \(nothing was written\)$/);
    expect(run('full')).toThrow(/^validation against all 6,000,000 entities at --dim 64 needs 1\.53 GiB on top of 2\.86 GiB of tables and .* of step scratch; one WebAssembly memory holds 4\.00 GiB \(wasm32\): validate on sampled candidates \(--eval-candidates, e\.g\. 1000\) or lower --dim \(nothing was written\)$/);
  });

  it('a full kernel memory says so and what to lower, not a page count', () => {
    const memory = new KernelMemory({ maximumPages: 4 });
    expect(() => memory.allocF32(1 << 20)).toThrow(
      'kernel memory is full: 4.1 MiB needed, more than the 256 KiB this WebAssembly memory may hold (at most 4 GiB in wasm32; 64 KiB in use by tables and scratch): lower the batch size, negatives, dimension or top-K (--batch-size, --neg, --dim, --top-k; batchSize, neg, dim, topK in code), or use fewer entities');
  });

  it('a plain array longer than V8 allows names what it holds', () => {
    expect(() => plainInts(625_000_000_625, 'the candidates of one step')).toThrow(
      'the candidates of one step: 625,000,000,625 ids (2328.31 GiB) are more than one typed array holds (4,294,967,296): lower the negatives or the batch size');
  });
});
