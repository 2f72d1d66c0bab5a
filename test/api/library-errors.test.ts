// The library as a Node developer meets it (a read-only review, 2026-12-08): a bad option value of any kind is an
// OptionsError naming its key (a BigInt or a cyclic object threw a raw TypeError; triples given in memory were pasted
// whole into the message); `resume` not a boolean likewise; `keySources` names a key's source in schema errors too;
// openModel takes `dataset` for a run whose dataset moved; evaluate's error for a moved dataset stays a KgInputError.
import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { distill, evaluate, exportRun, KgInputError, openModel, OptionsError, train } from '../../src/index.js';
import { registerDistillCommand } from '../../src/cli/commands/distill.js';
import { runCliCapturing } from '../helpers/run-cli.js';
import { useGraphFixture } from '../helpers/graph-fixture.js';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';

const fixture = useGraphFixture('kgdistill-library-errors-', 60);
const refusal = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => undefined, (error: unknown) => error);

describe('option values the library refuses', () => {
  it('a BigInt, a cyclic object, a symbol and a huge value are OptionsErrors naming the key, the value shown short', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const big = { train: Array.from({ length: 20_000 }, (_, i) => [`e${i}`, 'r', `e${i + 1}`]) };
    for (const [options, start] of [[{ dim: 8n }, 'dim must be'], [{ dim: Symbol('x') }, 'dim must be'], [{ lr: cyclic }, 'lr must be'], [{ dim: big }, 'dim must be']] as const) {
      const error = await refusal(train({ dataset: fixture.graph, ...options } as never));
      expect(error).toBeInstanceOf(OptionsError);
      expect((error as Error).message.startsWith(start)).toBe(true);
      expect((error as Error).message.length).toBeLessThan(400);
    }
    expect(String(await refusal(train({ dataset: fixture.graph, dim: 8n } as never)))).toContain('(got 8n)');
    expect(String(await refusal(train({ dataset: fixture.graph, dim: big } as never)))).toMatch(/…\s\(\d+ characters\)/);
    const resume = await refusal(train({ out: path.join(fixture.tmp, 'r'), resume: 'yes' } as never));
    expect(resume).toBeInstanceOf(OptionsError);
    expect((resume as Error).message).toBe('resume must be true or false (got "yes")');
  });

  it("names a key by its source (hooks.keySources) in the schema's errors, as in the conflict checks", async () => {
    const error = await refusal(train({ dataset: fixture.graph, dim: 0 }, { keySources: { dim: '--config run.yaml:3' } }));
    expect((error as Error).message).toBe("--config run.yaml:3: key 'dim' must be a positive integer (got 0)");
  });
});

describe("the reader's errors in code", () => {
  it("name the reading options by key in the message and in a KgInputError's reason alike", async () => {
    const dir = path.join(fixture.tmp, 'latin');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'train.txt'), Buffer.from([...Buffer.from('caf'), 0xe9, ...Buffer.from('\tr\tb\nb\tr\tc\n')]));
    writeFileSync(path.join(dir, 'valid.txt'), 'b\tr\tc\n');
    writeFileSync(path.join(dir, 'test.txt'), 'b\tr\tc\n');
    const error = await refusal(train({ dataset: dir, dim: 4, epochs: 1, out: path.join(fixture.tmp, 'latin-run') }));
    expect(error).toBeInstanceOf(KgInputError);
    const { message, reason } = error as KgInputError;
    expect(message).toContain('encoding latin1');
    expect(message).not.toContain('--encoding');
    expect(reason).toContain('encoding latin1');
    expect(reason).not.toContain('--encoding');
  });
});

describe('exportRun', () => {
  it("names its output directory as the argument `out`, not the command line's --out; a run of the other command by its function", async () => {
    const run = path.join(fixture.tmp, 'export-run');
    await train({ dataset: fixture.graph, model: 'DistMult', dim: 4, epochs: 1, validEvery: 1, out: run, testEval: false });
    const empty = await refusal(exportRun(run, 'tsv', ' '));
    expect(empty).toBeInstanceOf(OptionsError);
    expect((empty as Error).message).toBe('out is empty: give a new directory (nothing was written)');
    await expect(exportRun(run, 'tsv', run)).rejects.toThrow(`out ${run}: exists and is not empty; choose a new directory (nothing was written)`);
    // a train run resumed by distill: the function to call, in code; the command, on the command line
    await expect(distill({ out: run, resume: true })).rejects.toThrow(`${run} is a train run: resume it with train()`);
    await expect(runCliCapturing([registerDistillCommand], ['distill', '--out', run, '--resume'])).rejects.toThrow(`${run} is a train run: resume it with kgdistill train`);
  }, 60_000);
});

describe('a run whose dataset moved', () => {
  it('openModel takes dataset (where it is now): known answers and filtering as before; evaluate says it as a KgInputError', async () => {
    const graph = path.join(fixture.tmp, 'movable');
    await writeSyntheticDataset(graph, { entities: 60, seed: 4 });
    const [head, relation] = readFileSync(path.join(graph, 'train.txt'), 'utf8').split('\n')[0]!.split('\t');
    const run = path.join(fixture.tmp, 'run');
    await train({ dataset: graph, model: 'DistMult', dim: 4, epochs: 1, validEvery: 1, out: run, testEval: false });
    const moved = `${graph}-moved`;
    renameSync(graph, moved);
    const notes: string[] = [];
    const lost = await openModel(run, { onNotice: (n) => notes.push(n) });
    expect(lost.info().knownTriples).toBe(false);
    expect(notes.join('\n')).toContain('openModel takes dataset');
    lost.close();
    const found = await openModel(run, { dataset: moved });
    expect(found.info().knownTriples).toBe(true);
    expect((await found.predict({ head: head!, relation: relation! }, 3, { filtered: true })).answers).toHaveLength(3);
    found.close();
    const error = await refusal(evaluate(run));
    expect(error).toBeInstanceOf(KgInputError);
    expect((error as Error).message).toContain('the run was trained on it; if it moved, give its directory with dataset');
  }, 60_000);
});
