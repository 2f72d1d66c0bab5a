// --query-weights on train and distill: subsampling weights train end to end on a generated graph (fused path) and
// are recorded in config.json and the checkpoint; a run saved before the option resumes as uniform; distill takes
// it; bad values and combinations (--one-to-n, --double-neg) are errors naming the flag, and the command exits 2.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';
import { registerTrainCommand } from '../../src/cli/commands/train.js';
import { registerDistillCommand } from '../../src/cli/commands/distill.js';
import { parseTrainingConfig } from '../../src/core/training-config.js';
import { lastJsonLine, runCli } from '../helpers/run-cli.js';
import { randomRankingMrr } from '../general/random-ranking.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-query-weights-'));
const cli = (args: string[]): Promise<string> => runCli([registerTrainCommand, registerDistillCommand], args);
const small = ['--dim', '8', '--epochs', '2', '--batch-size', '64', '--valid-every', '2', '--seed', '0'];
const readJson = (file: string): Record<string, any> => JSON.parse(readFileSync(file, 'utf8')) as Record<string, any>;
let graph: string;

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  graph = await writeSyntheticDataset(path.join(tmp, 'graph-80'), { entities: 80, seed: 3 });
});

describe('kgdistill train --query-weights', () => {
  it('trains with subsampling weights on the fused path (both runs learn), records them, and changes the loss (same seed)', async () => {
    const runs = { uniform: path.join(tmp, 'uniform'), subsampling: path.join(tmp, 'subsampling') };
    for (const [kind, out] of Object.entries(runs)) {
      const result = lastJsonLine(await cli(['train', '--dataset', graph, '--model', 'RotatE', '--norm', '1', ...small, '--epochs', '50', '--valid-every', '50', '--lr', '0.2', '--query-weights', kind, '--out', out, '--json']));
      expect(result.scoringPath).toBe('fused');
      expect(result.mrr as number).toBeGreaterThan(4 * randomRankingMrr(80)); // measured 0.363 (uniform), 0.381 (subsampling); random 0.062
      expect(readJson(path.join(out, 'config.json')).options.queryWeights).toBe(kind);
      expect(readJson(path.join(out, 'last.json')).training.queryWeights).toBe(kind);
    }
    const loss = (out: string): number => JSON.parse(readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').split('\n')[0]!).loss as number;
    expect(loss(runs.subsampling)).not.toBe(loss(runs.uniform));
  });

  it('a run saved before the option resumes as uniform', async () => {
    const out = path.join(tmp, 'before');
    await cli(['train', '--dataset', graph, '--model', 'DistMult', ...small, '--out', out]);
    const config = readJson(path.join(out, 'config.json'));
    delete config.options.queryWeights;
    writeFileSync(path.join(out, 'config.json'), JSON.stringify(config));
    const header = readJson(path.join(out, 'last.json'));
    delete header.training.queryWeights;
    writeFileSync(path.join(out, 'last.json'), JSON.stringify(header));
    expect(parseTrainingConfig(header.training).queryWeights).toBe('uniform');
    await cli(['train', '--out', out, '--resume', '--epochs', '3']);
    expect(readJson(path.join(out, 'config.json')).options.queryWeights).toBe('uniform');
    expect(readJson(path.join(out, 'last.json')).training.queryWeights).toBe('uniform');
  });

  it('distill trains its student with subsampling weights', async () => {
    const result = lastJsonLine(await cli(['distill', '--dataset', graph, '--teachers', path.join(tmp, 'uniform'), '--student', 'DistMult', ...small,
      '--top-k', '16', '--query-weights', 'subsampling', '--out', path.join(tmp, 'distilled'), '--json']));
    expect(result.epochs).toBe(2);
    expect(readJson(path.join(tmp, 'distilled', 'config.json')).options.queryWeights).toBe('subsampling');
  });

  it('refuses an unknown value and 1-N or double negatives, naming the flags', async () => {
    const bad = (extra: string[]): Promise<string> => cli(['train', '--dataset', graph, ...small, ...extra, '--out', path.join(tmp, 'bad')]);
    await expect(bad(['--query-weights', 'bogus'])).rejects.toThrow(/--query-weights.*'bogus' is invalid\. Allowed choices are uniform, subsampling/);
    await expect(bad(['--query-weights', 'subsampling', '--one-to-n'])).rejects.toThrow(/--query-weights subsampling .* cannot be used with --one-to-n/);
    await expect(bad(['--query-weights', 'subsampling', '--double-neg'])).rejects.toThrow(/--query-weights subsampling .* cannot be used with --double-neg/);
    const distill = (flag: string): Promise<string> => cli(['distill', '--dataset', graph, '--teachers', path.join(tmp, 'uniform'), ...small, '--query-weights', 'subsampling', flag,
      '--out', path.join(tmp, 'bad-distill')]);
    await expect(distill('--one-to-n')).rejects.toThrow(/unknown option '--one-to-n'/); // MulDE's Junior samples its negatives
    await expect(distill('--double-neg')).rejects.toThrow(/--query-weights subsampling .* cannot be used with --double-neg/);
  });

  it('the command exits 2 (a usage error) with the message', () => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'train', '--dataset', graph, '--query-weights', 'subsampling',
      '--one-to-n', '--out', path.join(tmp, 'bad-process')], { encoding: 'utf8' });
    expect(child.status).toBe(2);
    expect(child.stderr).toMatch(/--query-weights subsampling .* cannot be used with --one-to-n/);
  });
});
