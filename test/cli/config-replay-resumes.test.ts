// config.json records each --resume that changed an option (`resumes`: after which epoch, from what to what), which its
// final `options` cannot say: a --config replay of a run whose learning-rate schedule changed mid-way trains with the
// final schedule from epoch 1, and now says so and how to repeat the run. A resume that only trains on (--epochs) is
// recorded but needs no note.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runTrain } from '../../src/pipeline/train.js';
import { registerTrainCommand } from '../../src/cli/commands/train.js';
import { resumedChangesNote, type RunConfig } from '../../src/pipeline/run-config.js';
import { useGraphFixture } from '../helpers/graph-fixture.js';
import { runCliCapturing } from '../helpers/run-cli.js';

const fixture = useGraphFixture('kgdistill-replay-resumes-', 60);
const configOf = (run: string): RunConfig => JSON.parse(readFileSync(path.join(run, 'config.json'), 'utf8')) as RunConfig;

describe("config.json's record of what each --resume changed", () => {
  it('lists the changes after the epoch each resume began; a replay names the mid-run ones and the commands that repeat the run', async () => {
    const run = path.join(fixture.tmp, 'run');
    await runTrain({ dataset: fixture.graph, model: 'DistMult', dim: 4, epochs: 2, validEvery: 1, patience: 5, batchSize: 64, testEval: false, out: run });
    expect(configOf(run).resumes).toBeUndefined();
    await runTrain({ out: run, resume: true, epochs: 4, lrDecay: 0.5, lrPatience: 1, testEval: false });
    await runTrain({ out: run, resume: true, epochs: 5, testEval: false });
    const config = configOf(run);
    expect(config.resumes).toEqual([
      { afterEpoch: 2, changed: { epochs: { from: 2, to: 4 }, lrDecay: { from: 1, to: 0.5 }, lrPatience: { from: 2, to: 1 } } },
      { afterEpoch: 4, changed: { epochs: { from: 4, to: 5 } } },
    ]);
    expect([config.options.lrDecay, config.options.epochs]).toEqual([0.5, 5]);
    const file = path.join(run, 'config.json');
    const { err } = await runCliCapturing([registerTrainCommand], ['train', '--config', file, '--out', path.join(fixture.tmp, 'again'), '--no-test-eval']);
    expect(err).toContain(`kgdistill: note: --config ${file}: the run changed options when resumed (after epoch 2, --lr-decay 1 → 0.5, --lr-patience 2 → 1): `
      + 'this replay trains with the final values from epoch 1, so its numbers differ from the run\'s; to repeat the run, train with --lr-decay 1 --lr-patience 2 --epochs 2, then --resume with the new values');
    // the replay is a run of its own: no resumes of its own
    expect(configOf(path.join(fixture.tmp, 'again')).resumes).toBeUndefined();
  }, 60_000);

  it('says nothing of resumes that only trained on', () => {
    expect(resumedChangesNote('c.json', [{ afterEpoch: 3, changed: { epochs: { from: 3, to: 9 } } }])).toBeUndefined();
    expect(resumedChangesNote('c.json', undefined)).toBeUndefined();
    expect(resumedChangesNote('c.json', [{ afterEpoch: 3, changed: { patience: { from: 10, to: 2 } } }])).toContain('after epoch 3, --patience 10 → 2');
  });
});
