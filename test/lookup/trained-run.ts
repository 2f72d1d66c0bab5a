import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { vi } from 'vitest';
import { Command } from 'commander';
import { registerTrainCommand } from '../../src/cli/commands/train.js';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';
import { initBackend } from '../../src/core/backend.js';
import { loadDataset } from '../../src/kg/dataset.js';
import { runDataFromDataset } from '../../src/core/training-data.js';
import { ModelRuntime } from '../../src/core/model-runtime.js';
import { Trainer } from '../../src/core/trainer.js';
import { parseTrainingConfig } from '../../src/core/training-config.js';
import type { KgeModel } from '../../src/core/model.js';

/** Entities of the test graph. */
export const GRAPH_ENTITIES = 600;

/** Readable names of the test graph: e1 and e2 share a name, some are non-ASCII. */
export const SPECIAL_NAMES: Record<string, string> = { e1: 'Twin', e2: 'twin', e3: 'Zürich', e4: '東京', e5: 'naïve café' };

/** Writes the synthetic graph (600 entities) with an entity_names.tsv into `dir`. */
export async function namedGraph(dir: string): Promise<string> {
  const graph = await writeSyntheticDataset(dir, { entities: GRAPH_ENTITIES, seed: 3 });
  const lines = Array.from({ length: GRAPH_ENTITIES }, (_, i) => `e${i}\t${SPECIAL_NAMES[`e${i}`] ?? `node ${i}`}`);
  writeFileSync(path.join(graph, 'entity_names.tsv'), `${lines.join('\n')}\n`);
  return graph;
}

/** Trains a small model on `graph` into `out` with the train command, in-process and quietly. */
export async function trainRun(graph: string, out: string, model: string): Promise<string> {
  const program = new Command('kgdistill').exitOverride();
  registerTrainCommand(program);
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await program.parseAsync(['train', '--dataset', graph, '--model', model, '--dim', '8', '--epochs', '4', '--valid-every', '4',
      '--batch-size', '100', '--lr', model === 'RotH' ? '0.02' : '0.1', '--optimizer', model === 'RotH' ? 'adam' : 'adagrad', '--no-test-eval', '--out', out], { from: 'user' });
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
  return out;
}

/**
 * Trains the model `make` builds (given the graph's entity and relation counts) on the named graph written into
 * `dir`/graph, `epochs` epochs in-process through the core's trainer (wasm, one thread), into `dir`/run; returns it.
 */
export async function trainModelRun(dir: string, make: (sizes: { numEntities: number; numRelations: number }) => KgeModel, epochs: number): Promise<string> {
  await initBackend('wasm');
  const graph = await namedGraph(path.join(dir, 'graph'));
  const run = path.join(dir, 'run');
  const data = runDataFromDataset(await loadDataset(graph, { verify: false }));
  const runtime = await ModelRuntime.create(make({ numEntities: data.numEntities, numRelations: data.numRelations }), 1);
  await new Trainer(runtime, data, parseTrainingConfig({ epochs, batchSize: 64, validEvery: 1000 }), run, 'wasm', { validator: null }).run();
  runtime.dispose();
  return run;
}
