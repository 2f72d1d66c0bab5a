// The hooks of train and distill are checked by key before a run starts: a misspelt hook would never be called (a
// run meant to stop would train on), so it is an OptionsError naming it, with the hook it probably meant.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runDistill, runTrain } from '../../src/pipeline/train.js';
import { OptionsError } from '../../src/pipeline/options-error.js';
import type { RunHooks } from '../../src/pipeline/run-hooks.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-hooks-'));
const out = path.join(tmp, 'run');
const options = { dataset: path.join(tmp, 'no-such-graph'), model: 'DistMult', dim: 8, epochs: 1, out };
/** The OptionsError a call rejects with (a failure if it resolves or rejects with another error). */
async function refusal(run: Promise<unknown>): Promise<OptionsError> {
  const error = await run.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(OptionsError);
  return error as OptionsError;
}

describe('run hooks', () => {
  it('refuses an unknown hook, naming it and the one it probably meant, before the dataset is looked for', async () => {
    const error = await refusal(runTrain(options, { shouldstop: () => true } as unknown as RunHooks));
    expect(error.message).toBe("hooks: unknown key 'shouldstop' (did you mean 'shouldStop'?)");
    expect(error.problems).toEqual([{ key: 'shouldstop', message: "unknown key (did you mean 'shouldStop'?)", value: expect.any(Function) }]);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses an unknown trainer event, and a hook that is not a function', async () => {
    const events = { onEpochEnds: () => undefined } as unknown as RunHooks['events'];
    expect((await refusal(runTrain(options, { events }))).message).toBe("hooks.events: unknown key 'onEpochEnds' (did you mean 'onEpochEnd'?)");
    expect((await refusal(runDistill({ ...options, teachers: [tmp] }, { shouldStop: 5 } as unknown as RunHooks))).message).toBe('hooks: shouldStop must be a function (got 5)');
    expect((await refusal(runTrain(options, { naming: 'flags' } as unknown as RunHooks))).message).toBe('hooks: naming must be key or flag (got "flags")');
  });

  it("lets be a key that holds no function (state an object of handlers keeps), hooks or events", async () => {
    const events = { epochs: 0, onEpochEnd(this: { epochs: number }) { this.epochs++; } } as unknown as RunHooks['events'];
    const error = await runTrain(options, { events, runName: 'mine' } as unknown as RunHooks).then(() => undefined, (e: unknown) => e);
    expect(error).not.toBeInstanceOf(OptionsError);
    expect(String(error)).toContain('no-such-graph');
  });

  it('takes every hook RunHooks has (the missing dataset is then the error)', async () => {
    const every: Required<RunHooks> = {
      log: () => undefined, onTestStart: () => undefined, onTestProgress: () => undefined, onLoadProgress: () => undefined, shouldStop: () => false,
      signal: new AbortController().signal, naming: 'key', keySources: {}, replayedDefaults: [],
      events: { onRunStart: () => undefined, onEpochStart: () => undefined, onStep: () => undefined, onEpochEnd: () => undefined, onValidationStart: () => undefined, onValidationProgress: () => undefined, onNewBest: () => undefined },
    };
    const error = await runTrain(options, every).then(() => undefined, (e: unknown) => e);
    expect(error).not.toBeInstanceOf(OptionsError);
    expect(String(error)).toContain('no-such-graph');
  });
});
