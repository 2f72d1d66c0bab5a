// `kgdistill kd fedntd|cbd --dataset <KG>`: the KG ports through the command line on a small generated graph.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli as runCliWith } from '../helpers/run-cli.js';
import { registerKdCommand } from '../../src/cli/commands/kd.js';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';

const runCli = (args: string[]): Promise<string> => runCliWith([registerKdCommand], args);

describe('kgdistill kd fedntd|cbd on a knowledge graph', () => {
  it('prints the per-round table, the bucket table and JSON; rejects unknown parameters', async () => {
    const graph = await writeSyntheticDataset(path.join(mkdtempSync(path.join(tmpdir(), 'kgdistill-kg-ports-')), 'graph'), { entities: 80, seed: 2 });
    const common = ['--dataset', graph, '--seeds', '1', '--dim', '8', '--neg', '8', '--batch-size', '64', '--backend', 'wasm'];
    const fed = await runCli(['kd', 'fedntd', ...common, '--epochs', '2', '--param', 'clients=2', '--param', 'localEpochs=1']);
    expect(fed).toMatch(/^FedNTD-KGE vs FedE on graph: 2 clients/);
    expect(fed).toMatch(/\| FedE \(FedAvg, no NTD\) \| 0\.\d{4} ± 0\.0000 \| 0\.\d{4} ± 0\.0000 \|/);
    const json = JSON.parse((await runCli(['kd', 'cbd', ...common, '--epochs', '2', '--param', 'teachers=1', '--param', 'rareMax=4', '--param', 'frequentMin=7', '--json'])).trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(json).toMatchObject({ method: 'cbd', options: { epochs: 2, teachers: 1, thresholds: { rareMax: 4, frequentMin: 7 } }, backend: 'wasm' });
    await expect(runCli(['kd', 'cbd', ...common, '--param', 'beta=1'])).rejects.toThrow(/invalid parameters for the KG port of 'cbd'/);
  }, 60_000);
});
