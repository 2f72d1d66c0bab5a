// A trained run to test what reads runs: a generated graph and a DistMult run on it (d = 8, 2 epochs, validated at
// the second), in a new temporary directory.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';
import { runTrain } from '../../src/pipeline/train.js';

/** Trains the tiny run in a new directory named after `prefix`; returns that directory, the graph and the run. */
export async function tinyTrainedRun(prefix: string, graphOptions: { entities: number; seed: number }): Promise<{ tmp: string; graph: string; run: string }> {
  const tmp = mkdtempSync(path.join(tmpdir(), `kgdistill-${prefix}-`));
  const graph = await writeSyntheticDataset(path.join(tmp, 'graph'), graphOptions);
  const run = path.join(tmp, 'run');
  await runTrain({ dataset: graph, model: 'DistMult', dim: 8, epochs: 2, validEvery: 2, out: run });
  return { tmp, graph, run };
}
