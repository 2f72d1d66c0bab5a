// `kgdistill kd fedntd|cbd --dataset <KG>`: the KG ports through the command line on a small generated graph. Both
// learn far above a random ranking, and the printed tables carry exactly the numbers of the JSON report.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli as runCliWith } from '../helpers/run-cli.js';
import { registerKdCommand } from '../../src/cli/commands/kd.js';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';
import { randomRankingMrr } from './random-ranking.js';

const runCli = (args: string[]): Promise<string> => runCliWith([registerKdCommand], args);
const lastJson = async (args: string[]): Promise<Record<string, any>> => JSON.parse((await runCli([...args, '--json'])).trim().split('\n').at(-1)!) as Record<string, any>;
const lines = (file: string): number => readFileSync(file, 'utf8').trim().split('\n').length;
const cell = (mean: number, signed = false): string => `${signed && mean >= 0 ? '+' : ''}${mean.toFixed(4)} ± 0.0000`;

describe('kgdistill kd fedntd|cbd on a knowledge graph', () => {
  it('FedE and FedNTD-KGE learn over rounds far above a random ranking; the per-round table shows the report; CBD-KGE likewise by bucket', async () => {
    const graph = await writeSyntheticDataset(path.join(mkdtempSync(path.join(tmpdir(), 'kgdistill-kg-ports-')), 'graph'), { entities: 80, seed: 2 });
    const random = randomRankingMrr(80);
    const common = ['--dataset', graph, '--seeds', '1', '--dim', '16', '--lr', '0.5', '--neg', '8', '--batch-size', '64', '--backend', 'wasm'];
    const fedArgs = ['kd', 'fedntd', ...common, '--epochs', '6', '--param', 'clients=2', '--param', 'localEpochs=2'];
    const fed = await runCli(fedArgs);
    const fedJson = await lastJson(fedArgs);
    expect(fed).toMatch(/^FedNTD-KGE vs FedE on graph: 2 clients/);
    const fede = (fedJson.perRound.fede as { mean: number }[]).map((s) => s.mean);
    const fedntd = (fedJson.perRound.fedntd as { mean: number }[]).map((s) => s.mean);
    expect(fed).toContain(`| FedE (FedAvg, no NTD) | ${fede.map((m) => cell(m)).join(' | ')} | ${cell(Math.max(...fede))} |`);
    expect(fed).toContain(`| FedNTD-KGE | ${fedntd.map((m) => cell(m)).join(' | ')} | ${cell(Math.max(...fedntd))} |`);
    expect(fed).toContain(`| Δ (paired) | ${fedntd.map((m, r) => cell(m - fede[r]!, true)).join(' | ')} |`);
    // Measured on wasm (seed 0): FedE 0.087 → 0.316 (best 0.327), FedNTD-KGE 0.102 → 0.286; a random ranking 0.062.
    expect(Math.max(...fede)).toBeGreaterThan(4 * random);
    expect(Math.max(...fedntd)).toBeGreaterThan(3 * random);
    expect(fede.at(-1)!).toBeGreaterThan(fede[0]! + 0.1);
    // Every training triple and relation is dealt to exactly one client.
    const split = fedJson.seeds[0].fede as { clientTriples: number[]; clientRelations: number[] };
    expect(split.clientTriples.reduce((a, b) => a + b, 0)).toBe(lines(path.join(graph, 'train.txt')));
    expect(split.clientRelations.reduce((a, b) => a + b, 0)).toBe(5); // next, previous, parent, child, member_of

    const cbdArgs = ['kd', 'cbd', ...common, '--epochs', '10', '--param', 'teachers=1', '--param', 'rareMax=4', '--param', 'frequentMin=7'];
    const json = await lastJson(cbdArgs);
    expect(json).toMatchObject({ method: 'cbd', options: { epochs: 10, teachers: 1, thresholds: { rareMax: 4, frequentMin: 7 } }, backend: 'wasm' });
    // Both directions of every test triple fall in exactly one bucket.
    expect(Object.values(json.counts as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(2 * lines(path.join(graph, 'test.txt')));
    // Measured on wasm (seed 0): instance 0.42, balanced 0.35, CBD 0.40.
    for (const model of ['instance', 'balanced', 'cbd']) expect(json.summary[model].all.mean, model).toBeGreaterThan(4 * random);
    const table = await runCli(cbdArgs);
    const cbd = json.summary.cbd as Record<string, { mean: number | null }>;
    // no test answer is unseen in training: that bucket is empty, shown as '–' (n 0, no mean) rather than NaN
    expect(json.summary.cbd.unseen).toEqual({ mean: null, std: null, n: 0 });
    expect(table).toContain('medium (5 ≤ f ≤ 6)');
    expect(table).toContain(`| CBD-KGE: balanced sampling + KD | ${cell(cbd.all!.mean!)} | – | ${['rare', 'medium', 'frequent'].map((b) => cell(cbd[b]!.mean!)).join(' | ')} |`);
    await expect(runCli(['kd', 'cbd', ...common, '--param', 'rareMax=4', '--param', 'beta=1'])).rejects.toThrow(
      "invalid parameters for the KG port of 'cbd': unknown parameter 'beta' (its parameters: teachers=2, alpha=0.5, temperature=2, power=0, rareMax=2, frequentMin=11)");
    await expect(runCli(['kd', 'cbd', ...common, '--param', 'beta=1'])).rejects.toThrow(/invalid parameters for the KG port of 'cbd'/);
    await expect(runCli(['kd', 'dml', ...common, '--arch', 'mlp', '--split-seed', '3'])).rejects.toThrow(
      "--arch, --split-seed apply to the digits only: with --dataset the method's KG port runs on the graph; drop --arch, --split-seed, or drop --dataset to run on the digits");
    await expect(runCli(['kd', 'dml', '--dim', '16', '--seeds', '1'])).rejects.toThrow(
      '--dim applies to a KG port only: give --dataset <KG> to run the method\'s port on a graph, or drop --dim');
    await expect(runCli(['kd', 'dml', '--unseen', 'drop', '--neg', '4'])).rejects.toThrow(/^--neg, --unseen apply to a KG port only/);
  }, 60_000);
});
