// Replaying an older run's config.json (before 2026-12-07 a dataset found by name was saved as the bare name) from
// where that name now finds another graph: `train --config run/config.json` reads the run's own directory, as
// `--resume` does, and says so; it used to train on the other graph without a word.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';
import { runTrain } from '../../src/pipeline/train.js';
import { registerTrainCommand } from '../../src/cli/commands/train.js';
import { runCliCapturing } from '../helpers/run-cli.js';

const saved = process.env.KGDISTILL_DATA;
afterEach(() => {
  if (saved === undefined) delete process.env.KGDISTILL_DATA;
  else process.env.KGDISTILL_DATA = saved;
});

describe("--config with an older run's config.json that names its dataset", () => {
  it("reads the run's own dataset directory when the name now finds another, with a note", async () => {
    const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-replay-'));
    const first = await writeSyntheticDataset(path.join(tmp, 'a', 'tiny'), { entities: 60, seed: 1 });
    await writeSyntheticDataset(path.join(tmp, 'b', 'tiny'), { entities: 70, seed: 2 });
    process.env.KGDISTILL_DATA = path.join(tmp, 'a');
    const run = path.join(tmp, 'run');
    await runTrain({ dataset: 'tiny', model: 'DistMult', dim: 4, epochs: 1, validEvery: 1, out: run, testEval: false });
    const configFile = path.join(run, 'config.json');
    const config = JSON.parse(readFileSync(configFile, 'utf8')) as { options: Record<string, unknown> };
    config.options.dataset = 'tiny'; // as the version before 2026-12-07 saved it
    writeFileSync(configFile, JSON.stringify(config));
    process.env.KGDISTILL_DATA = path.join(tmp, 'b'); // the name now finds the other graph
    const again = path.join(tmp, 'again');
    const { err } = await runCliCapturing([registerTrainCommand], ['train', '--config', configFile, '--out', again, '--no-test-eval', '--backend', 'wasm']);
    expect(err).toContain(`kgdistill: note: --config ${configFile}:1: key 'dataset': the dataset name 'tiny' finds ${path.join(tmp, 'b', 'tiny')} from here, but the run was trained on ${first}: replaying with that directory`);
    const replayed = JSON.parse(readFileSync(path.join(again, 'config.json'), 'utf8')) as { options: { dataset: string } };
    expect(replayed.options.dataset).toBe(first);
  }, 60_000);
});
