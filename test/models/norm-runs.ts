// Shared by the tests of the distance models' norm (transe-norm.test.ts, rotate-norm.test.ts): a checkpoint saved
// before the option existed, and the generated graph's end-to-end protocol.
import { expect } from 'vitest';
import { cpSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRun } from '../../src/registry/load-run.js';
import { evaluateRun } from '../../src/pipeline/evaluate.js';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';
import { lastJsonLine } from '../helpers/run-cli.js';

/**
 * The checkpoint of fixtures/<name> (trained on the 60-entity generated graph of seed 1, before `norm` was
 * recorded), copied under tmp, loads as the L2 model it is; returns the filtered test MRR it evaluates to.
 */
export async function beforeNormTestMrr(name: string, tmp: string): Promise<number> {
  const graph = await writeSyntheticDataset(path.join(tmp, 'graph-60'), { entities: 60, seed: 1 });
  const run = path.join(tmp, name);
  cpSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', name), run, { recursive: true });
  const loaded = await loadRun(run);
  expect(loaded.header.model.options.norm).toBeUndefined();
  expect(loaded.runtime.model.similarity).toBe('negEuclidean');
  const result = await evaluateRun(run, { dataset: graph });
  return result.report!.filtered.mrr;
}

/**
 * The end-to-end protocol of docs/RESULTS.md on the generated graph (2,000 entities, seed 11): d = 32, Adam 1e-3,
 * 50 negatives, batch 500, 100 epochs, seed 0, with `args` (the model and its options); the run's result, which
 * must have trained on the fused path.
 */
export async function generatedGraphRun(train: (args: string[]) => Promise<string>, tmp: string, args: string[]): Promise<Record<string, unknown>> {
  const graph = await writeSyntheticDataset(path.join(tmp, 'graph-2000'), { entities: 2000, seed: 11 });
  const result = lastJsonLine(await train(['--dataset', graph, ...args, '--dim', '32', '--optimizer', 'adam', '--lr', '0.001',
    '--neg', '50', '--batch-size', '500', '--epochs', '100', '--valid-every', '100', '--patience', '0', '--seed', '0', '--out', path.join(tmp, 'e2e'), '--json']));
  expect(result.scoringPath).toBe('fused');
  return result;
}
