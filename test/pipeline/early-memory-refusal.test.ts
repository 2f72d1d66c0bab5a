// A graph too large for kernel memory is refused while it loads, at the line whose entities pass what the run's
// tables can hold (in train, or under --unseen keep in valid and test, whose names join the vocabulary), in the words
// of the memory check (flags and bytes), and nothing is written: train through the command line (exit code 1, as the
// memory message always had) and distill (before its teachers are touched).
// The budget is forced small: kernel memory of 257 MiB, of which 256 MiB are kept for step scratch (optimizers.ts
// KERNEL_SCRATCH_RESERVE), so 1 MiB holds the tables and gradients: 64 entities of DistMult at d = 2048 (16 KiB each).
// (The bound is never below the batch size − 1, run-memory.ts entityLimitOf: hence --batch-size 50.)
import { describe, expect, it, vi } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

vi.mock('../../src/kernels/kernel-memory.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../src/kernels/kernel-memory.js')>()),
  MAX_PAGES: 4096 + 16,
}));

const { runDistill, runTrain } = await import('../../src/pipeline/train.js');
const { registerTrainCommand } = await import('../../src/cli/commands/train.js');
const { exitOf } = await import('../../src/cli/usage.js');
const { runCli } = await import('../helpers/run-cli.js');
const { entityPairs, tempDir, writeFiles } = await import('../kg/helpers.js');

/** `lines` triples each naming two new entities (e0 r0 e1, e2 r1 e3, …), after a comment line. */
const pairs = (lines: number, from = 0): string => entityPairs(lines, { from, heading: '# two new entities a line\n' });

/** A dataset whose train split names 2 × `lines` entities (valid and test reuse train's first ones). */
function graph(lines: number): string {
  const known = 'e0\tr0\te3\ne2\tr1\te5\n';
  return writeFiles(tempDir('kgdistill-early-memory-'), { 'train.txt': pairs(lines), 'valid.txt': known, 'test.txt': known });
}

/** The error `run` rejects with. */
async function rejection(run: Promise<unknown>): Promise<Error> {
  const error = await run.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

// line 34 (the 33rd triple) names entities 65 and 66, one more than 64; with the 2 × 3 relation rows, 78 rows of 16 KiB
const refusal = (train: string) => `${train}:34: the train split names 66 entities by this line, more than the 64 this run can hold (3 relations so far; loading stopped, nothing was written): ` +
  'DistMult with 66 entities needs 1.1 MiB of kernel memory (16384 bytes per entity: parameters and gradients; the adagrad state goes to host memory when it does not fit), ' +
  'more than the 1.0 MiB one WebAssembly memory can hold (wasm32, 4 GiB with scratch). Lower the dimension (--dim; dim in code) or use fewer entities.';

describe('a graph whose entities pass what kernel memory can hold', () => {
  it('kgdistill train: refused at the line that passes the bound, exit code 1, no run directory', async () => {
    const dir = graph(100_000); // 200,000 entities: the refusal comes 33 triples in
    const out = path.join(dir, 'run');
    const error = await rejection(runCli([registerTrainCommand], ['train', '--dataset', dir, '--model', 'DistMult', '--dim', '2048', '--batch-size', '50', '--epochs', '1', '--out', out]));
    expect(error.message).toBe(refusal(path.join(dir, 'train.txt')));
    expect(exitOf(error)).toEqual({ code: 1, print: true });
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(['test.txt', 'train.txt', 'valid.txt']);
  });

  it('distill: refused while loading, before its teachers are read', async () => {
    const dir = graph(400);
    const out = path.join(dir, 'student');
    const error = await rejection(runDistill({ dataset: dir, teachers: [path.join(dir, 'no-such-teacher')], student: 'DistMult', dim: 2048, batchSize: 50, epochs: 1, out }, { naming: 'flag' }));
    expect(error.message).toBe(refusal(path.join(dir, 'train.txt')));
    expect(existsSync(out)).toBe(false);
  });

  it('a train split at the bound loads; under --unseen keep, valid is refused at the line whose new entities pass it', async () => {
    const dir = writeFiles(tempDir('kgdistill-early-memory-'), { 'train.txt': pairs(32), 'valid.txt': pairs(2, 32), 'test.txt': pairs(2, 34) });
    const out = path.join(dir, 'run');
    const error = await rejection(runTrain({ dataset: dir, model: 'DistMult', dim: 2048, batchSize: 50, epochs: 1, out }, { naming: 'flag' }));
    // train names 64 entities, at the bound; valid's first triple (line 2) names entities 65 and 66
    expect(error.message).toBe(`${path.join(dir, 'valid.txt')}:2: with the entities valid adds (--unseen keep), the splits name 66 entities by this line, more than the 64 ` +
      'this run can hold (3 relations so far; loading stopped, nothing was written): DistMult with 66 entities needs 1.1 MiB of kernel memory (16384 bytes per entity: ' +
      'parameters and gradients; the adagrad state goes to host memory when it does not fit), more than the 1.0 MiB one WebAssembly memory can hold (wasm32, 4 GiB with ' +
      'scratch). Lower the dimension (--dim; dim in code) or use fewer entities.');
    expect(existsSync(out)).toBe(false);
  });

  it('under --unseen drop, the names valid and test add are dropped, not counted: the run trains', async () => {
    // train names 40 entities; valid 40 more, unseen: its 13th triple (line 14) names entities 65 and 66
    const dir = writeFiles(tempDir('kgdistill-early-memory-'), { 'train.txt': pairs(20), 'valid.txt': pairs(20, 20) + entityPairs(1), 'test.txt': pairs(2) });
    const run = (unseen: 'keep' | 'drop') => runTrain({ dataset: dir, model: 'DistMult', dim: 2048, batchSize: 50, epochs: 1, unseen, out: path.join(dir, unseen) }, { naming: 'flag' });
    expect((await rejection(run('keep'))).message).toMatch(new RegExp(`^${path.join(dir, 'valid.txt')}:14: .* the splits name 66 entities by this line, more than the 64 `));
    const result = await run('drop');
    expect([result.summary.data.unseenPolicy, result.summary.data.unseen.valid, result.summary.epochs]).toEqual(['drop', 20, 1]); // valid keeps its one seen triple
  });
});
