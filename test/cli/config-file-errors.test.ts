// Errors of a --config file name the file and key (and line where there is one), not a flag the user never typed:
// a model-specific option refused after the schema stage (--norm on DistMult, 1-N TransE on L1), a relative path that
// does not exist (taken from the working directory, which the message says), a missing teacher; a JSON key given
// twice is refused as YAML refuses it, a JSON file with a byte-order mark is read, and a file (or device) larger than
// 1 MiB is refused instead of read until memory runs out. Nothing is written.
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { registerTrainCommand } from '../../src/cli/commands/train.js';
import { registerDistillCommand } from '../../src/cli/commands/distill.js';
import { readOptionsFile } from '../../src/pipeline/run-config.js';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-config-errors-'));
let graph: string;
const write = (name: string, text: string): string => {
  const file = path.join(tmp, name);
  writeFileSync(file, text);
  return file;
};

beforeAll(async () => {
  graph = await writeSyntheticDataset(path.join(tmp, 'graph'), { entities: 50, seed: 2 });
});

describe('a --config value refused after the schema stage', () => {
  it('is named by the file and key, a flag by its flag', async () => {
    const out = path.join(tmp, 'never');
    const norm = write('norm.yaml', `dataset: ${graph}\nmodel: DistMult\nnorm: 1\ndim: 8\nepochs: 1\n`);
    await expect(runCli([registerTrainCommand], ['train', '--config', norm, '--out', out]))
      .rejects.toThrow(`--config ${norm}:3: key 'norm' applies to TransE and RotatE only (the model is DistMult)`);
    await expect(runCli([registerTrainCommand], ['train', '--config', norm, '--norm', '2', '--out', out]))
      .rejects.toThrow(/^--norm applies to TransE and RotatE only/);
    const constraint = write('ec.yaml', `dataset: ${graph}\nmodel: RotatE\nentityConstraint: none\ndim: 8\nepochs: 1\n`);
    await expect(runCli([registerTrainCommand], ['train', '--config', constraint, '--out', out]))
      .rejects.toThrow(`--config ${constraint}:3: key 'entityConstraint' applies to TransE only (the model is RotatE)`);
    const oneToN = write('o2n.yaml', `dataset: ${graph}\nmodel: TransE\noneToN: true\ndim: 8\nepochs: 1\n`);
    await expect(runCli([registerTrainCommand], ['train', '--config', oneToN, '--out', out]))
      .rejects.toThrow(`--config ${oneToN}:3: key 'oneToN' scores every entity through a matrix product`);
    const model = write('model.yaml', `dataset: ${graph}\nmodel: roh\n`);
    await expect(runCli([registerTrainCommand], ['train', '--config', model, '--out', out]))
      .rejects.toThrow(`--config ${model}:2: key 'model': unknown model 'roh' (did you mean 'RotH'?)`);
    expect(existsSync(out)).toBe(false);
  });
});

describe('a --config value the schema refuses', () => {
  it('is named by the file, the line of its key and the key, in JSON, YAML and a run\'s config.json', async () => {
    const out = path.join(tmp, 'never3');
    const json = write('bad.json', `{\n  "dataset": ${JSON.stringify(graph)},\n  "dim": -3,\n\n  "lr": "x",\n  "dimm": 4\n}\n`);
    await expect(runCli([registerTrainCommand], ['train', '--config', json, '--out', out])).rejects.toThrow(
      `--config ${json}:3: key 'dim' must be a positive integer (got -3); --config ${json}:5: key 'lr' must be a positive number (got "x"); `
      + `--config ${json}:6: unknown key 'dimm' (did you mean 'dim'?)`);
    const yaml = write('bad.yaml', `# a comment\ndataset: ${graph}\nepochs: 2.5\n`);
    await expect(runCli([registerTrainCommand], ['train', '--config', yaml, '--out', out]))
      .rejects.toThrow(`--config ${yaml}:3: key 'epochs' must be a positive integer (got 2.5)`);
    const runConfig = write('config.json', JSON.stringify({ format: 'kgdistill-config', version: 1, command: 'train', options: { dataset: graph, batchSize: 0 } }, null, 2));
    await expect(runCli([registerTrainCommand], ['train', '--config', runConfig, '--out', out]))
      .rejects.toThrow(`--config ${runConfig}:7: key 'batchSize' must be a positive integer (got 0)`);
    expect(existsSync(out)).toBe(false);
  });
});

describe('a path in a --config file that does not exist', () => {
  it('names the file, the key and the directory it was taken from; nothing is written', async () => {
    const out = path.join(tmp, 'never2');
    const missing = write('rel.yaml', 'dataset: ../no-such-graph\ndim: 8\nepochs: 1\n');
    await expect(runCli([registerTrainCommand], ['train', '--config', missing, '--out', out])).rejects.toThrow(
      `--config ${missing}:1: key 'dataset': ${path.resolve('../no-such-graph')}: dataset directory not found (a relative path in a config file is taken from the working directory, ${process.cwd()}, as a flag's is); nothing was written`);
    const teachers = write('t.yaml', `dataset: ${graph}\nteachers: [${path.join(tmp, 'no-teacher')}]\ndim: 8\nepochs: 1\n`);
    await expect(runCli([registerDistillCommand], ['distill', '--config', teachers, '--out', out]))
      .rejects.toThrow(`--config ${teachers}:2: key 'teachers': ${path.join(tmp, 'no-teacher')}: no such teacher run directory; nothing was written`);
    expect(existsSync(out)).toBe(false);
  });
});

describe('reading a --config file', () => {
  it('refuses a JSON key given twice naming its line, reads a byte-order mark, refuses more than 1 MiB', () => {
    const twice = write('dup.json', '{"dataset": "g",\n "dim": 8,\n "epochs": 1,\n "dim": 16}\n');
    expect(() => readOptionsFile(twice)).toThrow(`--config ${twice}:4:2: key 'dim' is given twice in one object; give each key once`);
    const bom = write('bom.json', '\uFEFF{"dataset": "g", "dim": 8}');
    expect(readOptionsFile(bom)).toEqual({ dataset: 'g', dim: 8 });
    const big = write('big.json', `{"dataset": "${'x'.repeat(1024 * 1024)}"}`);
    expect(() => readOptionsFile(big)).toThrow(`--config ${big}: is larger than 1 MiB; a config file holds options (a run's config.json is about 1 KiB)`);
    expect(() => readOptionsFile('/dev/zero')).toThrow('--config /dev/zero: is larger than 1 MiB');
    const yamlAsJson = write('noext', 'dataset: g\n');
    expect(() => readOptionsFile(yamlAsJson)).toThrow('(read as JSON: a YAML file needs a .yaml or .yml extension)');
  });
});
