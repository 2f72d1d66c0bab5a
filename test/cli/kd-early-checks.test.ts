// `kd` on the digits refuses a bad `--param` before the backend starts (as the KG port does before the graph loads),
// and `kd --json`'s `dataset` is an object with `name` and `dir` in both modes (on a KG: split and vocabulary sizes).
import { describe, expect, it, vi } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as backend from '../../src/core/backend.js';
import { registerKdCommand } from '../../src/cli/commands/kd.js';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';
import { lastJsonLine, runCli } from '../helpers/run-cli.js';

vi.mock('../../src/core/backend.js', async (original) => {
  const actual = await original<typeof import('../../src/core/backend.js')>();
  return { ...actual, initBackend: vi.fn(actual.initBackend) };
});

describe('kd checks before work', () => {
  it('refuses an unknown --param on the digits before the backend starts', async () => {
    vi.mocked(backend.initBackend).mockClear();
    await expect(runCli([registerKdCommand], ['kd', 'kd', '--param', 'foo=1', '--seeds', '1', '--backend', 'wasm']))
      .rejects.toThrow(/^--param: invalid parameters for distillation method 'kd': unknown parameter 'foo' \(its parameters: /);
    expect(backend.initBackend).not.toHaveBeenCalled();
  });

  it("names the --config file and line of bad parameters, on the digits and on a KG's port", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kgdistill-kd-params-'));
    const digits = path.join(dir, 'digits.yaml');
    writeFileSync(digits, 'seeds: 1\nparams:\n  temperature: hot\n');
    await expect(runCli([registerKdCommand], ['kd', 'kd', '--config', digits, '--backend', 'wasm']))
      .rejects.toThrow(new RegExp(`^--config ${digits.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: key 'params': invalid parameters for distillation method 'kd': temperature`));
    const graph = await writeSyntheticDataset(path.join(dir, 'graph'), { entities: 60, seed: 2 });
    const kg = path.join(dir, 'kg.yaml');
    writeFileSync(kg, `dataset: ${graph}\nparams: { weight: x }\n`);
    await expect(runCli([registerKdCommand], ['kd', 'dml', '--config', kg, '--backend', 'wasm']))
      .rejects.toThrow(`--config ${kg}:2: key 'params': invalid parameters for the KG port of 'dml': weight`);
    expect(backend.initBackend).not.toHaveBeenCalled();
  });

  it("gives the KG's dataset as an object with name, dir and sizes", async () => {
    const graph = await writeSyntheticDataset(path.join(mkdtempSync(path.join(tmpdir(), 'kgdistill-kd-json-')), 'graph'), { entities: 60, seed: 2 });
    const json = lastJsonLine(await runCli([registerKdCommand], ['kd', 'dml', '--dataset', graph, '--seeds', '1', '--epochs', '1', '--dim', '8', '--backend', 'wasm', '--json']));
    const dataset = json.dataset as Record<string, number | string>;
    expect(dataset).toMatchObject({ name: 'graph', dir: graph, entities: 60 });
    expect(Object.keys(dataset).sort()).toEqual(['dir', 'entities', 'name', 'relations', 'test', 'train', 'valid']);
    expect((dataset.train as number) + (dataset.valid as number) + (dataset.test as number)).toBeGreaterThan(100);
    expect(dataset.relations).toBeGreaterThan(0);
    // the port's settings under the keys of kd's flags and config files (--lr, --neg), not the core's names
    expect(json.options).toMatchObject({ lr: 0.1, neg: 50, dim: 8, epochs: 1 });
    expect(json.options).not.toHaveProperty('learningRate');
    expect(json.options).not.toHaveProperty('negatives');
  });
});
