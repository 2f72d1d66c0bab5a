// `--resume` with `--config`: the refusal of a setting that cannot change names it by its source (the file and key),
// but the list of options that may change is of plain flags (it read "only --config y2.yaml: key 'epochs', …"), or of
// keys for a caller in code. `--columns` with a repeated position is refused naming the flag (not loadDataset's words).
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli, runCliCapturing } from '../helpers/run-cli.js';
import { registerTrainCommand } from '../../src/cli/commands/train.js';
import { registerDataCommands } from '../../src/cli/commands/data.js';
import { runTrain } from '../../src/pipeline/train.js';
import { parseOptions, readingOptionsSchema, trainOptionsSchema } from '../../src/pipeline/options.js';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-resume-names-'));
let graph: string;
const MAY_CHANGE = 'only --epochs, --patience, --valid-every, --lr-decay, --lr-patience, --test-eval, --backend may change when resuming (start a new run with --out for other settings)';

beforeAll(async () => {
  graph = await writeSyntheticDataset(path.join(tmp, 'graph'), { entities: 50, seed: 2 });
});

describe('--resume with --config', () => {
  it('names the differing key by its file, and the options that may change by their flags (by their keys in code)', async () => {
    const out = path.join(tmp, 'run');
    await runCli([registerTrainCommand], ['train', '--dataset', graph, '--model', 'DistMult', '--dim', '8', '--epochs', '1', '--out', out]);
    const yaml = path.join(tmp, 'y2.yaml');
    writeFileSync(yaml, `dataset: ${graph}\nepochs: 2\ndim: 4\n`);
    const refused = runCliCapturing([registerTrainCommand], ['train', '--out', out, '--resume', '--config', yaml]);
    await expect(refused).rejects.toThrow(`--resume ${out}: --config ${yaml}:3: key 'dim' 4 (the run has 8); ${MAY_CHANGE}`);
    await expect(runTrain({ dataset: graph, out, resume: true, dim: 4 }))
      .rejects.toThrow(`resume ${out}: dim 4 (the run has 8); only epochs, patience, validEvery, lrDecay, lrPatience, testEval, backend may change when resuming (start a new run with out for other settings)`);
  }, 120_000);
});

describe('--columns with a repeated position', () => {
  it('is refused by the options schema naming --columns (or the key), before any file is read or written', async () => {
    await expect(runCli([registerDataCommands], ['data', 'stats', graph, '--columns', '0,0,2']))
      .rejects.toThrow('--columns must name three different positions (head, relation and tail are three columns) (got "0,0,2")');
    await expect(runCli([registerTrainCommand], ['train', '--dataset', graph, '--columns', '1,2,1', '--out', path.join(tmp, 'cols')]))
      .rejects.toThrow('--columns must name three different positions (head, relation and tail are three columns) (got "1,2,1")');
    expect(existsSync(path.join(tmp, 'cols'))).toBe(false);
    expect(() => parseOptions(readingOptionsSchema, { columns: '2,0,2' })).toThrow('columns must name three different positions');
    expect(parseOptions(trainOptionsSchema, { dataset: graph, columns: '0,2,1' }).columns).toBe('0,2,1');
    expect(() => parseOptions(trainOptionsSchema, { dataset: graph, columns: '0,0' })).toThrow('columns must be hrt, htr or three positions such as 0,2,1 (got "0,0")');
  });
});
