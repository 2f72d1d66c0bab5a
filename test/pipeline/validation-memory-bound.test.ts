// A run that validates against every entity sizes that scoring by the entities, so once its valid split is known to
// have a triple (looked for before train is read) loading is bounded lower (run-memory.ts entityLimitOf's
// maxEntitiesWithValid): a graph refused for its validation alone is refused at the train or valid line that passes
// the bound, in the memory check's words, and nothing is written.
// The budget is forced small: kernel memory of 64 MiB with 1 MiB kept for step scratch (optimizers.ts
// KERNEL_SCRATCH_RESERVE). DistMult d = 2048 with 50 negatives then fits 3,180 entities without validation and 753
// with it (its blocked table, 8 KiB an entity, and 32 MiB of scores); at d = 512 with every entity scored (1-N), a
// step of 500 queries fits 3,209 entities with validation, one of 10 queries 4,066.
import { describe, expect, it, vi } from 'vitest';
import { existsSync } from 'node:fs';
import path from 'node:path';

vi.mock('../../src/kernels/kernel-memory.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../src/kernels/kernel-memory.js')>()),
  MAX_PAGES: 1024,
}));
vi.mock('../../src/core/optimizers.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../src/core/optimizers.js')>()),
  KERNEL_SCRATCH_RESERVE: 1 << 20,
}));

const { runTrain } = await import('../../src/pipeline/train.js');
const { entityPairs, tempDir, writeFiles } = await import('../kg/helpers.js');

/** `lines` triples each naming two new entities (e0 r0 e1, e2 r1 e3, …), after a comment line. */
const pairs = (lines: number, from = 0): string => entityPairs(lines, { from, heading: '# two new entities a line\n' });

describe('the bound once the valid split has a triple', () => {
  // train names 700 entities; valid's 27th triple (line 28) names entities 753 and 754
  const dir = writeFiles(tempDir('kgdistill-validation-bound-'), { 'train.txt': pairs(350), 'valid.txt': pairs(30, 350), 'test.txt': pairs(2) });
  const run = (extra: Record<string, unknown>) => runTrain({ dataset: dir, model: 'DistMult', dim: 2048, batchSize: 50, neg: 50, epochs: 1, ...extra }, { naming: 'flag' });

  it('validating against every entity: refused at the valid line past it, in the words of the validation check, nothing written', async () => {
    const out = path.join(dir, 'full');
    const error = await run({ out }).then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).toBe(`${path.join(dir, 'valid.txt')}:28: with the entities valid adds (--unseen keep), the splits name 754 entities by this line, more than the 753 this ` +
      'run can hold (3 relations so far; loading stopped, nothing was written): validation against all 754 entities at --dim 2048 needs 37.9 MiB on top of 11.9 MiB of tables ' +
      'and 14.3 MiB of step scratch; one WebAssembly memory holds 64.0 MiB (wasm32): validate on sampled candidates (--eval-candidates, e.g. 1000) or lower --dim (nothing was written)');
    expect(existsSync(out)).toBe(false);
  });

  it('a train split past it: refused at its line, before valid and test are read', async () => {
    const big = writeFiles(tempDir('kgdistill-validation-bound-'), { 'train.txt': pairs(1_000), 'valid.txt': pairs(1), 'test.txt': pairs(1) });
    const error = await runTrain({ dataset: big, model: 'DistMult', dim: 2048, batchSize: 50, neg: 50, epochs: 1, out: path.join(big, 'run') }, { naming: 'flag' })
      .then(() => undefined, (e: unknown) => e as Error);
    // the 377th triple (line 378) names entities 753 and 754
    expect(error?.message).toBe(`${path.join(big, 'train.txt')}:378: the train split names 754 entities by this line, more than the 753 this run can hold (3 relations ` +
      'so far; loading stopped, nothing was written): validation against all 754 entities at --dim 2048 needs 37.9 MiB on top of 11.9 MiB of tables and 14.3 MiB of ' +
      'step scratch; one WebAssembly memory holds 64.0 MiB (wasm32): validate on sampled candidates (--eval-candidates, e.g. 1000) or lower --dim (nothing was written)');
    expect(existsSync(path.join(big, 'run'))).toBe(false);
  });

  it('validating on sampled candidates: the same graph trains', async () => {
    const result = await run({ evalCandidates: 100, out: path.join(dir, 'sampled') });
    expect([result.summary.epochs, result.summary.data.unseen.valid]).toEqual([1, 30]);
  });

  it('a train split under one batch steps with fewer queries: past the full-batch bound, loaded again and trained', async () => {
    // 5 train triples (10 queries, 10 entities) and 1,700 valid triples of new entities: 3,410, above the 3,209 a step of
    // 500 queries allows, below the 4,066 of one of 10 queries
    const small = writeFiles(tempDir('kgdistill-validation-bound-'), { 'train.txt': pairs(5), 'valid.txt': pairs(1700, 5), 'test.txt': pairs(2) });
    const result = await runTrain({ dataset: small, model: 'DistMult', dim: 512, batchSize: 500, oneToN: true, epochs: 1, out: path.join(small, 'run') }, { naming: 'flag' });
    expect([result.summary.epochs, result.summary.data.unseen.valid]).toEqual([1, 1700]);
  });
});
